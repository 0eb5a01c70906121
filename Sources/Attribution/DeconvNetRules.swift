import Engine

/// DeConvNet's ReLU backward rule: `g_in = max(g_out, 0)`, ignoring the sign of the forward input.
/// - Paper: https://arxiv.org/abs/1311.2901 (Zeiler & Fergus, ECCV 2014)
public struct DeconvNetReLURule: BackwardRule {
    /// Creates the rule.
    public init() {}
    /// Keeps the positive part of the upstream gradient.
    public func inputGradient(_ context: BackwardContext, upstream: Tensor) -> Tensor {
        // `g > 0 ? g : 0` rather than max(): keeps NaN out of the zero branch exactly as clamp(min: 0) does.
        Elementwise.map(upstream) { $0 > 0 ? $0 : 0 }
    }
}

/// The project's DeConvNet rule for ReLU6 (TorchRay leaves ReLU6 alone): `g_in = max(g_out, 0)`.
///
/// ```swift
/// var rules = BackwardRules()
/// rules[.relu6] = DeconvNetReLU6Rule()
/// let y = withBackwardRules(rules) { x.relu6() }
/// ```
public struct DeconvNetReLU6Rule: BackwardRule {
    /// Creates the rule.
    public init() {}
    /// Keeps the positive part of the upstream gradient, whatever the forward input was.
    public func inputGradient(_ context: BackwardContext, upstream: Tensor) -> Tensor {
        Elementwise.map(upstream) { $0 > 0 ? $0 : 0 }
    }
}

extension BackwardRules {
    /// DeConvNet: ReLU and ReLU6 pass `max(g_out, 0)` backward; every other op keeps its gradient.
    /// - Paper: https://arxiv.org/abs/1311.2901
    public static var deconvnet: BackwardRules {
        var rules = BackwardRules()
        rules[.relu] = DeconvNetReLURule()
        rules[.relu6] = DeconvNetReLU6Rule()
        return rules
    }
}
