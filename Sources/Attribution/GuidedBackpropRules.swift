import Engine

/// Guided backprop's ReLU rule as TorchRay writes it: pass `g_out` where `g_out > 0` and `x ≥ 0`.
///
/// TorchRay masks `x < 0` strictly, so at `x == 0` a positive gradient passes (PyTorch's own ReLU
/// gradient would block it).
/// - Paper: https://arxiv.org/abs/1412.6806 (Springenberg et al., ICLR-W 2015)
///
/// ```swift
/// var rules = BackwardRules()
/// rules[.relu] = GuidedBackpropReLURule()
/// let y = withBackwardRules(rules) { x.relu() }
/// ```
public struct GuidedBackpropReLURule: BackwardRule {
    /// Creates the rule.
    public init() {}
    /// `g_out · 1[x ≥ 0]`, then clamped at zero.
    public func inputGradient(_ context: BackwardContext, upstream: Tensor) -> Tensor {
        Elementwise.zip(upstream, context.input) { g, x in (g > 0 && !(x < 0)) ? g : 0 }
    }
}

/// The project's guided-backprop rule for ReLU6: `g_in = max(g_out, 0) · 1[0 ≤ x ≤ 6]`.
///
/// TorchRay does not patch ReLU6, so on EfficientNet-Lite its guided backprop equals the gradient;
/// this rule is the deliberate difference documented in DESIGN.md.
public struct GuidedBackpropReLU6Rule: BackwardRule {
    /// Creates the rule.
    public init() {}
    /// Positive upstream gradient where the forward input lies in the closed interval [0, 6].
    public func inputGradient(_ context: BackwardContext, upstream: Tensor) -> Tensor {
        Elementwise.zip(upstream, context.input) { g, x in (g > 0 && x >= 0 && x <= 6) ? g : 0 }
    }
}

extension BackwardRules {
    /// Guided backprop: the ReLU and ReLU6 rules above; every other op keeps its gradient.
    /// - Paper: https://arxiv.org/abs/1412.6806
    public static var guidedBackprop: BackwardRules {
        var rules = BackwardRules()
        rules[.relu] = GuidedBackpropReLURule()
        rules[.relu6] = GuidedBackpropReLU6Rule()
        return rules
    }
}
