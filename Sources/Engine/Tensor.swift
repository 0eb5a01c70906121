import Foundation

/// Reference-counted Float32 buffer shared by tensors; copy-on-write is done by `Tensor` itself.
public final class TensorStorage: @unchecked Sendable {
    /// Number of Float32 elements.
    public let count: Int
    /// The elements (owned by this storage; freed with it).
    public let pointer: UnsafeMutablePointer<Float>

    /// Uninitialised storage for `count` elements.
    public init(count: Int) {
        self.count = count
        _ = allocatorTuned
        pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
    }

    /// Zero-filled storage for `count` elements.
    public convenience init(zeros count: Int) {
        self.init(count: count)
        pointer.initialize(repeating: 0, count: count)
    }

    /// Bumped by every mutation through `Tensor.withUnsafeMutableBufferPointer`, so that data derived from
    /// these elements (see `derived(_:count:compute:)`) is never served stale.
    @usableFromInline var version = 0
    private let derivedLock = NSLock()
    private var derivedBuffers: [Int: (version: Int, count: Int, pointer: UnsafeMutablePointer<Float>)] = [:]

    /// A buffer computed once from these elements and kept with them (e.g. a weight's Winograd transform,
    /// which every forward and backward pass would otherwise recompute); recomputed after a mutation.
    /// The pointer stays valid while this storage lives and is not mutated.
    func derived(
        _ key: Int, count: Int, compute: (UnsafeMutablePointer<Float>) -> Void
    ) -> UnsafePointer<Float> {
        derivedLock.lock()
        defer { derivedLock.unlock() }
        if let entry = derivedBuffers[key], entry.version == version, entry.count == count {
            return UnsafePointer(entry.pointer)
        }
        derivedBuffers[key]?.pointer.deallocate()
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
        compute(buffer)
        derivedBuffers[key] = (version, count, buffer)
        return UnsafePointer(buffer)
    }

    deinit {
        for entry in derivedBuffers.values { entry.pointer.deallocate() }
        pointer.deallocate()
    }
}

/// A dense Float32 tensor in row-major (NCHW) layout.
///
/// A value type over a shared buffer: copies are cheap, and mutation through
/// `withUnsafeMutableBufferPointer` copies the buffer first when it is shared.
///
/// ```swift
/// let x = Tensor(shape: [1, 3, 2, 2], scalars: (0..<12).map(Float.init))
/// let m = x.abs().max(axis: 1, keepDims: true)   // [1, 1, 2, 2]
/// print(m.shape, m.scalars)
/// ```
public struct Tensor: @unchecked Sendable {
    /// The extent of each dimension, outermost first.
    public let shape: [Int]
    @usableFromInline var storage: TensorStorage
    /// The autograd node that produced this tensor; nil for constants (weights, detached values).
    @usableFromInline var node: Node?

    /// Wraps an existing storage; `storage.count` must equal the product of `shape`.
    public init(shape: [Int], storage: TensorStorage) {
        precondition(storage.count == shape.reduce(1, *), "storage size does not match shape \(shape)")
        self.shape = shape
        self.storage = storage
        self.node = nil
    }

    /// Internal: a tensor over `storage` produced by `node` (no size check).
    init(shape: [Int], storage: TensorStorage, node: Node?) {
        self.shape = shape
        self.storage = storage
        self.node = node
    }

    /// Direct pointer to the elements (internal: kernels read through it).
    var pointer: UnsafeMutablePointer<Float> { storage.pointer }

    /// A tensor with uninitialised storage (internal: kernels fill it completely).
    static func uninitialized(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(count: shape.reduce(1, *)), node: nil)
    }

    /// A tensor with one element per entry of `scalars` shaped `[scalars.count]`.
    public init(_ scalars: [Float]) { self.init(shape: [scalars.count], scalars: scalars) }

    /// A rank-0 tensor holding one value.
    public init(scalar: Float) { self.init(shape: [], scalars: [scalar]) }

    /// The single element of a one-element tensor.
    public var scalar: Float {
        guard count == 1 else { fatalError("scalar: tensor of shape \(shape) has \(count) elements, not 1") }
        return storage.pointer[0]
    }

    /// A tensor holding `scalars` in row-major order.
    public init(shape: [Int], scalars: [Float]) {
        let count = shape.reduce(1, *)
        precondition(scalars.count == count, "\(scalars.count) scalars do not fill shape \(shape)")
        let storage = TensorStorage(count: count)
        scalars.withUnsafeBufferPointer { storage.pointer.initialize(from: $0.baseAddress!, count: count) }
        self.init(shape: shape, storage: storage)
    }

    /// A tensor of the given shape filled with `value`.
    public init(repeating value: Float, shape: [Int]) {
        let count = shape.reduce(1, *)
        let storage = TensorStorage(count: count)
        storage.pointer.initialize(repeating: value, count: count)
        self.init(shape: shape, storage: storage)
    }

    /// A zero-filled tensor.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }

    /// Number of elements.
    public var count: Int { storage.count }

    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// The elements in row-major order (a copy).
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: storage.count)) }

    /// Read-only access to the elements.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// Mutable access; copies the buffer first if another tensor shares it.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        // A mutated value is no longer what the graph recorded; a leaf stays a leaf.
        if let recorded = node, !recorded.isLeaf { node = nil }
        if !isKnownUniquelyReferenced(&storage) {
            let copy = TensorStorage(count: storage.count)
            copy.pointer.initialize(from: storage.pointer, count: storage.count)
            storage = copy
        }
        storage.version &+= 1
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
    }
}

extension Tensor: CustomStringConvertible {
    /// Shape and up to the first eight values, e.g. `Tensor[2, 3](1.0, 2.0, …)`.
    public var description: String {
        let shown = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor\(shape)(\(shown)\(count > 8 ? ", …" : ""))" + (requiresGrad ? " requiresGrad" : "")
    }
}

extension Tensor {
    /// A tensor of ones.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }
}
