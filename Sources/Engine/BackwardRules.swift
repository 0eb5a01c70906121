/// What a backward rule sees of one recorded op: its kind, forward inputs and output, and ways to
/// compute the ordinary gradient or re-run the op (e.g. with W⁺ for excitation backprop).
///
/// ```swift
/// struct Halved: BackwardRule {
///     func inputGradient(_ context: BackwardContext, upstream: Tensor) -> Tensor {
///         context.defaultGradient(upstream) * 0.5
///     }
/// }
/// ```
public struct BackwardContext: @unchecked Sendable {
    /// Which op this is.
    public let op: OpKind
    /// The forward inputs without autograd history: x first, then weight, bias (or the summands of `.add`).
    public let inputs: [Tensor]
    /// The forward output without autograd history.
    public let output: Tensor
    let recorded: Op

    init(op: OpKind, node: Node) {
        self.op = op
        self.inputs = node.inputs.map { $0.detached() }
        self.output = node.output
        self.recorded = node.op
    }

    /// The forward input x (the first input).
    public var input: Tensor { inputs[0] }

    /// The op's ordinary gradient with respect to x for the given upstream gradient.
    public func defaultGradient(_ upstream: Tensor) -> Tensor {
        defaultGradients(upstream)[0]
    }

    /// The op's ordinary gradients with respect to each tensor input that a rule may route to
    /// (all summands for `.add`, only x for the others).
    public func defaultGradients(_ upstream: Tensor) -> [Tensor] {
        let needs = inputs.indices.map { op == .add || $0 == 0 }
        let grads = vectorJacobian(recorded, inputs: inputs, output: output, upstream: upstream, needs: needs)
        return needs.indices.filter { needs[$0] }.map { grads[$0] ?? Tensor.zeros(inputs[$0].shape) }
    }

    /// Re-evaluates the op on `input` with the default backward rules (so gradients of the result are the
    /// ordinary ones). For conv2d and linear, a non-nil `weight` replaces the weight and the bias is dropped
    /// (TorchRay's f(x, W⁺)); with nil the original weight and bias are used. Other ops ignore `weight`.
    public func rerun(input: Tensor, weight: Tensor?) -> Tensor {
        if let weight { return rerun(input: input, weight: weight, bias: nil) }
        return rerun(input: input, weight: inputs.count > 1 ? inputs[1] : nil, bias: inputs.count > 2 ? inputs[2] : nil)
    }

    /// Re-evaluates the op on `input` with an explicit weight and bias (conv2d, linear), default rules.
    public func rerun(input: Tensor, weight: Tensor?, bias: Tensor?) -> Tensor {
        withBackwardRules(BackwardRules()) {
            switch recorded {
            case .conv2d(let a):
                input.conv2d(weight: weight ?? inputs[1], bias: bias, stride: a.stride, padding: a.padding,
                             dilation: a.dilation, groups: a.groups)
            case .linear:
                input.linear(weight: weight ?? inputs[1], bias: bias)
            case .relu: input.relu()
            case .relu6: input.relu6()
            case .maxPool2d(let a):
                input.maxPool2d(kernel: a.kernel, stride: a.stride, padding: a.padding, dilation: a.dilation,
                                ceilMode: a.ceilMode)
            case .avgPool2d(let a):
                input.avgPool2d(kernel: a.kernel, stride: a.stride, padding: a.padding, ceilMode: a.ceilMode,
                                countIncludePad: a.countIncludePad)
            case .adaptiveAvgPool2d(let h, let w):
                input.adaptiveAvgPool2d(outputSize: (h, w))
            case .batchNorm(let eps, let hasWeight, let hasBias):
                input.batchNorm(mean: inputs[1], variance: inputs[2], weight: hasWeight ? inputs[3] : nil,
                                bias: hasBias ? inputs[hasWeight ? 4 : 3] : nil, eps: eps)
            case .add:
                inputs.dropFirst().reduce(input) { $0 + $1 }
            default:
                fatalError("rerun: op \(op) cannot be re-run")
            }
        }
    }
}

/// A replacement backward rule for one kind of op, e.g. guided backprop's ReLU rule.
///
/// ```swift
/// struct PositiveOnly: BackwardRule {   // DeconvNet's ReLU: keep the positive upstream gradient
///     func inputGradient(_ context: BackwardContext, upstream: Tensor) -> Tensor {
///         upstream.map { $0 > 0 ? $0 : 0 }
///     }
/// }
/// ```
public protocol BackwardRule: Sendable {
    /// The gradient with respect to the op's input x, given the gradient of its output.
    func inputGradient(_ context: BackwardContext, upstream: Tensor) -> Tensor
    /// One gradient per summand for `.add` (default: `inputGradient` for each); other ops use only the first.
    func inputGradients(_ context: BackwardContext, upstream: Tensor) -> [Tensor]
}

extension BackwardRule {
    /// Gives every summand the gradient that `inputGradient` returns.
    public func inputGradients(_ context: BackwardContext, upstream: Tensor) -> [Tensor] {
        let g = inputGradient(context, upstream: upstream)
        return context.op == .add ? context.inputs.map { _ in g } : [g]
    }
}

/// A rule built from a closure, for quick experiments: `ClosureRule { ctx, g in … }`.
///
/// ```swift
/// var rules = BackwardRules()
/// rules[.relu] = ClosureRule { context, upstream in upstream }   // pass every gradient
/// let y = withBackwardRules(rules) { x.relu() }
/// ```
public struct ClosureRule: BackwardRule {
    let body: @Sendable (BackwardContext, Tensor) -> Tensor
    /// Wraps `body(context, upstream) -> input gradient`.
    public init(_ body: @escaping @Sendable (BackwardContext, Tensor) -> Tensor) { self.body = body }
    /// Calls the closure.
    public func inputGradient(_ context: BackwardContext, upstream: Tensor) -> Tensor { body(context, upstream) }
}

/// A set of backward-rule overrides keyed by op kind; ops without an entry use their ordinary gradient.
///
/// ```swift
/// var rules = BackwardRules()
/// rules[.relu] = PositiveOnly()
/// ```
public struct BackwardRules: Sendable {
    var rules: [OpKind: any BackwardRule] = [:]

    /// No overrides.
    public init() {}

    /// The override for `op`, or nil for the ordinary gradient.
    public subscript(op: OpKind) -> (any BackwardRule)? {
        get { rules[op] }
        set { rules[op] = newValue }
    }

    /// These rules with `other`'s entries added (other wins where both have one).
    public func merging(_ other: BackwardRules) -> BackwardRules {
        var merged = self
        merged.rules.merge(other.rules) { _, new in new }
        return merged
    }

    /// The op kinds that have an override.
    public var overriddenOps: Set<OpKind> { Set(rules.keys) }

    /// The rules active in the current task (captured by each op when it runs forward).
    @TaskLocal static var current = BackwardRules()
}

/// Runs `body` with `rules` active: ops recorded inside use these backward rules when differentiated later.
///
/// ```swift
/// let y = withBackwardRules(rules) { x.relu() }           // recorded with the override
/// let g = gradients(of: y, seed: seed, wrt: [x])[0]       // differentiated with it, even outside the scope
/// ```
public func withBackwardRules<R>(_ rules: BackwardRules, _ body: () throws -> R) rethrows -> R {
    try BackwardRules.$current.withValue(rules, operation: body)
}

/// Async form of `withBackwardRules`.
public func withBackwardRules<R>(
    _ rules: BackwardRules, isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> R
) async rethrows -> R {
    try await BackwardRules.$current.withValue(rules, operation: body, isolation: isolation)
}
