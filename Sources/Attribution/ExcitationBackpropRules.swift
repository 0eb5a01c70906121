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
        // `w > 0 ? w : 0` is clamp(min: 0) exactly, NaN included.
        let positive = Elementwise.map(weight) { w in
            let v = negate ? -w : w
            return v > 0 ? v : 0
        }
        return excitationRecipe(context, upstream: upstream, weight: positive)
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
