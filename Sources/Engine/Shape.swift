/// Explicit per-side zero padding of the two spatial axes (PyTorch pads symmetric; TF "same" is asymmetric).
public struct Padding2D: Hashable, Sendable, CustomStringConvertible {
    /// Rows added above.
    public var top: Int
    /// Columns added on the left.
    public var left: Int
    /// Rows added below.
    public var bottom: Int
    /// Columns added on the right.
    public var right: Int

    /// Padding with each side given separately.
    public init(top: Int, left: Int, bottom: Int, right: Int) {
        self.top = top
        self.left = left
        self.bottom = bottom
        self.right = right
    }

    /// `h` rows above and below, `w` columns left and right (PyTorch's `padding=(h, w)`).
    public static func symmetric(_ h: Int, _ w: Int) -> Padding2D { Padding2D(top: h, left: w, bottom: h, right: w) }

    /// No padding.
    public static let zero = Padding2D(top: 0, left: 0, bottom: 0, right: 0)

    /// `(top: …, left: …, bottom: …, right: …)`.
    public var description: String { "(top: \(top), left: \(left), bottom: \(bottom), right: \(right))" }
}

/// Number of elements of a shape.
@inline(__always) func elementCount(_ shape: [Int]) -> Int { shape.reduce(1, &*) }

/// Stops with a message that points at the caller's line (precondition loses its message under -O).
func fail(_ message: String, file: StaticString, line: UInt) -> Never {
    fatalError(message, file: file, line: line)
}

/// Normalises a possibly negative axis against `rank`, stopping with a clear message when out of range.
func normalizedAxis(_ axis: Int, rank: Int, _ op: String, file: StaticString, line: UInt) -> Int {
    let a = axis < 0 ? axis + rank : axis
    guard a >= 0 && a < rank else {
        fail("\(op): axis \(axis) is out of range for a tensor of rank \(rank)", file: file, line: line)
    }
    return a
}

/// Row-major strides of `shape`.
func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var s = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[i] = s
        s = s &* shape[i]
    }
    return strides
}

/// Output extent of a sliding window (PyTorch's formula, with its ceil-mode rule that the last
/// window must start inside the input or the left padding).
func pooledExtent(
    input: Int, kernel: Int, stride: Int, padBefore: Int, padAfter: Int, dilation: Int, ceilMode: Bool
) -> Int {
    let span = input + padBefore + padAfter - dilation * (kernel - 1) - 1
    if span < 0 { return 0 }
    var out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
    if ceilMode && (out - 1) * stride >= input + padBefore { out -= 1 }
    return out
}
