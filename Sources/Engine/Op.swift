/// The ops whose backward rule can be overridden with `withBackwardRules` (TorchRay's patch points).
public enum OpKind: Hashable, Sendable, CaseIterable {
    case relu, relu6, conv2d, linear, maxPool2d, avgPool2d, adaptiveAvgPool2d, batchNorm, add
}

/// Attributes of a 2-D convolution.
struct ConvAttributes {
    var stride: (Int, Int)
    var padding: Padding2D
    var dilation: (Int, Int)
    var groups: Int
}

/// Attributes of max and average pooling.
struct PoolAttributes {
    var kernel: (Int, Int)
    var stride: (Int, Int)
    var padding: (Int, Int)
    var dilation: (Int, Int)
    var ceilMode: Bool
    var countIncludePad: Bool
}

/// The recorded primitives. Composite ops (smoothing, norms of sums…) are built from these.
enum Op {
    // Graph
    case leaf
    // Element-wise binary with broadcasting; inputs [a, b].
    case add, sub, mul, div
    // Element-wise with a constant.
    case addScalar, mulScalar(Float), reciprocalTimes(Float)  // x + s, x * s, s / x
    // Element-wise unary.
    case relu, relu6, sigmoid, exp, abs, clamp(min: Float?, max: Float?)
    // Movement.
    case reshape, slice(index: Int), concat(axis: Int), pad(PadMode, Padding2D)
    // Reductions.
    case sum(axes: [Int]), mean(axes: [Int]), max(axis: Int), norm(axis: Int), softmax(axis: Int)
    // Neural-network primitives; weights follow x in `inputs`.
    case conv2d(ConvAttributes), linear
    case maxPool2d(PoolAttributes), avgPool2d(PoolAttributes), adaptiveAvgPool2d(height: Int, width: Int)
    case batchNorm(eps: Float, hasWeight: Bool, hasBias: Bool)
    case resize(ResizeMode)

    /// The overridable kind of this op, if it has one.
    var kind: OpKind? {
        switch self {
        case .relu: .relu
        case .relu6: .relu6
        case .conv2d: .conv2d
        case .linear: .linear
        case .maxPool2d: .maxPool2d
        case .avgPool2d: .avgPool2d
        case .adaptiveAvgPool2d: .adaptiveAvgPool2d
        case .batchNorm: .batchNorm
        case .add: .add
        default: nil
        }
    }
}

/// One recorded op application: the op, its forward inputs and output, and the rule active when it ran.
@usableFromInline
final class Node: @unchecked Sendable {
    let op: Op
    /// Forward inputs, x first. Inputs that carry a node are the ones gradients flow to.
    /// (`var` only so that `deinit` can take the graph apart without recursion.)
    private(set) var inputs: [Tensor]
    /// The forward output without its node (no reference cycle).
    let output: Tensor
    /// The override captured from the task-local rules at forward time.
    let rule: (any BackwardRule)?

    init(op: Op, inputs: [Tensor], output: Tensor, rule: (any BackwardRule)?) {
        self.op = op
        self.inputs = inputs
        self.output = output
        self.rule = rule
    }

    @usableFromInline var isLeaf: Bool { if case .leaf = op { true } else { false } }

    /// Releases a long chain of nodes iteratively: the default recursive release of a deep graph
    /// (thousands of ops in a DenseNet) could overflow a small thread stack.
    deinit {
        var pending = [Node]()
        Node.detachUniqueInputs(&inputs, into: &pending)
        while let node = pending.popLast() {
            Node.detachUniqueInputs(&node.inputs, into: &pending)
        }
    }

    private static func detachUniqueInputs(_ inputs: inout [Tensor], into pending: inout [Node]) {
        for i in inputs.indices {
            guard var node = inputs[i].node else { continue }
            inputs[i].node = nil
            if isKnownUniquelyReferenced(&node) { pending.append(node) }
        }
        inputs = []
    }
}

extension Tensor {
    /// Wraps a freshly computed `result` as the output of `op` applied to `inputs`. A node is recorded
    /// only when some input requires a gradient; the override active now is captured with it.
    static func recording(_ op: Op, _ inputs: [Tensor], _ result: Tensor) -> Tensor {
        guard inputs.contains(where: { $0.node != nil }) else { return result }
        let rule = op.kind.flatMap { BackwardRules.current[$0] }
        let node = Node(op: op, inputs: inputs, output: result.detached(), rule: rule)
        return Tensor(shape: result.shape, storage: result.storage, node: node)
    }

    /// Whether gradients are tracked for this tensor (a leaf that asked for them, or a result computed from one).
    public var requiresGrad: Bool { node != nil }

    /// A new leaf over the same values that asks for its gradient; detached from any graph.
    ///
    /// ```swift
    /// let image = example.input.requiringGrad()   // gradients(of:seed:wrt: [image]) now reaches the pixels
    /// ```
    public func requiringGrad() -> Tensor {
        let node = Node(op: .leaf, inputs: [], output: detached(), rule: nil)
        return Tensor(shape: shape, storage: storage, node: node)
    }

    /// The same values with no autograd history.
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage, node: nil) }
}
