import Engine

// Excitation backprop (Zhang et al., ECCV 2016) as backward-rule overrides, with TorchRay's choices:
// W⁺ without the bias, +1e-20 in the denominator, the input not clamped, batch norm as the identity,
// ReLU/ReLU6 and max pooling with their ordinary gradients, residual sums split in proportion to the summands.

/// TorchRay's stabiliser in the conv, linear and pooling rules (added, not sign-matched).
let excitationEpsilon: Float = 1e-20

/// The EBP rule of a convolution or linear layer: `p' = x ⊙ f*(x, W⁺, p ⊘ (f(x, W⁺) + 1e-20))`.
///
/// With `negatedWeight` set, the op whose weight lives at that address uses `(−W)⁺` instead: contrastive EBP's
/// dual pass at the classifier layer (TorchRay negates the weight in place between forward and backward).
/// - Paper: https://arxiv.org/abs/1608.00507 (Zhang, Lin, Brandt, Shen, Sclaroff, ECCV 2016)
public struct ExcitationWeightedRule: BackwardRule {
    /// Base address of the weight to negate (contrastive EBP's classifier), or nil.
    let negatedWeight: Int?

    /// The plain rule (W⁺ everywhere).
    public init() { negatedWeight = nil }

    /// The rule with `(−W)⁺` for the op whose weight is `weight` (same storage), W⁺ for every other op.
    public init(negating weight: Tensor) { negatedWeight = Self.address(of: weight) }

    static func address(of tensor: Tensor) -> Int {
        tensor.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) }
    }

    /// `x ⊙ f*(x, W⁺, p ⊘ (f(x, W⁺) + ε))`, the bias dropped.
    public func inputGradient(_ context: BackwardContext, upstream: Tensor) -> Tensor {
        let weight = context.inputs[1]
        let negate = negatedWeight != nil && Self.address(of: weight) == negatedWeight
        if context.op == .linear, weight.count > Self.blockedLinearThreshold, context.input.rank == 2 {
            return blockedLinear(context.input, weight: weight, negate: negate, upstream: upstream)
        }
        // W⁺ = relu(W): the engine's ReLU runs on all threads; weights carry no graph.
        let positive = (negate ? weight * -1 : weight).relu()
        return excitationRecipe(context, upstream: upstream, weight: positive)
    }

    /// Linear layers above this many weights (VGG16's fc6 has 103 M) get W⁺ a block of rows at a time.
    static let blockedLinearThreshold = 1 << 22

    /// The linear rule with W⁺ built `rows` output rows at a time, so a 411 MB W⁺ never exists at once:
    /// each block's outputs only need their own rows, and the input gradient is the sum over blocks.
    func blockedLinear(_ x: Tensor, weight: Tensor, negate: Bool, upstream: Tensor) -> Tensor {
        let (outputs, features, batch) = (weight.shape[0], weight.shape[1], x.shape[0])
        let rows = max(1, Self.blockedLinearThreshold / 4 / features)
        var spread = [Float](repeating: 0, count: x.count)
        let leaf = x.requiringGrad()
        for start in stride(from: 0, to: outputs, by: rows) {
            let count = min(rows, outputs - start)
            let block = TensorStorage(count: count * features)
            weight.withUnsafeBufferPointer { w in
                let src = w.baseAddress! + start &* features
                for i in 0..<(count &* features) {
                    let v = negate ? -src[i] : src[i]
                    block.pointer[i] = v > 0 ? v : 0
                }
            }
            let z = withBackwardRules(BackwardRules()) { leaf.linear(weight: Tensor(shape: [count, features], storage: block)) }
            let seed = TensorStorage(count: batch * count)
            upstream.withUnsafeBufferPointer { p in
                z.withUnsafeBufferPointer { zp in
                    for n in 0..<batch {
                        for j in 0..<count {
                            seed.pointer[n &* count &+ j] = p[n &* outputs &+ start &+ j] / (zp[n &* count &+ j] + excitationEpsilon)
                        }
                    }
                }
            }
            let g = gradients(of: z, seed: Tensor(shape: [batch, count], storage: seed), wrt: [leaf])[0]
            g.withUnsafeBufferPointer { gp in for i in 0..<spread.count { spread[i] += gp[i] } }
        }
        let spreadTensor = Tensor(shape: x.shape, scalars: spread)
        return Elementwise.zip(spreadTensor, x) { $0 * $1 }
    }
}

/// The EBP rule of average and adaptive average pooling: `p' = x ⊙ pool*(p ⊘ (pool(x) + 1e-20))`.
public struct ExcitationPoolRule: BackwardRule {
    /// Creates the rule.
    public init() {}
    /// The conv recipe without weights.
    public func inputGradient(_ context: BackwardContext, upstream: Tensor) -> Tensor {
        excitationRecipe(context, upstream: upstream, weight: nil)
    }
}

/// TorchRay's EBP batch-norm rule: the identity (the upstream gradient passes unchanged).
public struct ExcitationBatchNormRule: BackwardRule {
    /// Creates the rule.
    public init() {}
    /// Returns `upstream`.
    public func inputGradient(_ context: BackwardContext, upstream: Tensor) -> Tensor { upstream }
}

/// The EBP rule of an element-wise sum (ResNet residuals): summand i gets `x_i / Σ_k x_k · p`.
///
/// TorchRay has no epsilon here, so a sum of exactly 0 gives NaN; this rule splits such a position's gradient
/// equally instead (a deliberate difference that only shows where TorchRay's map would hold NaN).
/// Broadcasting sums (summands of different shapes) keep their ordinary gradient.
public struct ExcitationSumRule: BackwardRule {
    /// Creates the rule.
    public init() {}
    /// Used only for single-input calls; `inputGradients` does the work.
    public func inputGradient(_ context: BackwardContext, upstream: Tensor) -> Tensor {
        inputGradients(context, upstream: upstream)[0]
    }

    /// One gradient per summand, proportional to its share of the sum.
    public func inputGradients(_ context: BackwardContext, upstream: Tensor) -> [Tensor] {
        let summands = context.inputs
        guard summands.allSatisfy({ $0.shape == upstream.shape }) else { return context.defaultGradients(upstream) }
        let total = context.output
        let share = 1 / Float(summands.count)
        return summands.map { summand in
            let ratio = Elementwise.zip(summand, total) { x, s in s == 0 ? share : x / s }
            return Elementwise.zip(ratio, upstream) { $0 * $1 }
        }
    }
}

/// `x ⊙ f*(x, W, p ⊘ (f(x, W) + ε))` where f is the recorded op re-run on x (with `weight` and no bias for
/// conv/linear, as is for pooling) and f* its ordinary input gradient.
func excitationRecipe(_ context: BackwardContext, upstream: Tensor, weight: Tensor?) -> Tensor {
    let x = context.input.requiringGrad()
    let z = context.rerun(input: x, weight: weight)
    let scaled = Elementwise.zip(upstream, z.detached()) { p, z in p / (z + excitationEpsilon) }
    let spread = gradients(of: z, seed: scaled, wrt: [x])[0]
    return Elementwise.zip(spread, context.input) { $0 * $1 }
}

extension BackwardRules {
    /// Excitation backprop: the EBP rules for conv, linear, average/adaptive pooling, batch norm and
    /// element-wise sums; ReLU, ReLU6 and max pooling keep their ordinary gradients (as in TorchRay).
    /// - Paper: https://arxiv.org/abs/1608.00507
    public static var excitationBackprop: BackwardRules { excitationBackprop(weighted: ExcitationWeightedRule()) }

    /// Excitation backprop with `(−W)⁺` at the layer whose weight is `classifierWeight` (contrastive EBP's
    /// dual pass).
    public static func excitationBackprop(negating classifierWeight: Tensor) -> BackwardRules {
        excitationBackprop(weighted: ExcitationWeightedRule(negating: classifierWeight))
    }

    private static func excitationBackprop(weighted: ExcitationWeightedRule) -> BackwardRules {
        var rules = BackwardRules()
        rules[.conv2d] = weighted
        rules[.linear] = weighted
        rules[.avgPool2d] = ExcitationPoolRule()
        rules[.adaptiveAvgPool2d] = ExcitationPoolRule()
        rules[.batchNorm] = ExcitationBatchNormRule()
        rules[.add] = ExcitationSumRule()
        return rules
    }
}
