import Engine

/// The gradient-family saliency methods, as TorchRay names them; parse user text with `Method(parsing:)`.
///
/// Each method is plain backpropagation of a backward gradient to the saliency layer under a set of
/// backward-rule overrides, followed by a channel reduction (TorchRay's `gradient_to_saliency`).
///
/// ```swift
/// let methods: [Method] = [.gradient, .guidedBackprop, .gradCAM]
/// let chosen = try Method(parsing: "grad-cam")
/// ```
public enum Method: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Plain gradient; saliency = max over channels of |∂y/∂x|.
    /// - Paper: https://arxiv.org/abs/1312.6034 (Simonyan, Vedaldi, Zisserman, ICLR-W 2014)
    case gradient = "gradient"
    /// DeConvNet: ReLU (and ReLU6) pass `max(g, 0)` backward regardless of the forward input.
    /// - Paper: https://arxiv.org/abs/1311.2901 (Zeiler & Fergus, ECCV 2014)
    case deconvnet = "deconvnet"
    /// Guided backprop: ReLU passes `g` where `g > 0` and `x ≥ 0`; ReLU6 where `g > 0` and `0 ≤ x ≤ 6`.
    /// - Paper: https://arxiv.org/abs/1412.6806 (Springenberg et al., ICLR-W 2015)
    case guidedBackprop = "guided-backprop"
    /// Grad-CAM: ReLU(Σ_c a_c · mean_hw(∂y/∂a_c)) at a named layer (a layer is required).
    /// - Paper: https://arxiv.org/abs/1610.02391 (Selvaraju et al., ICCV 2017)
    case gradCAM = "grad-cam"
    /// Linear approximation: Σ_c a_c · ∂y/∂a_c (signed), input × gradient at the input layer.
    /// - Paper: https://arxiv.org/abs/1605.01713 (Shrikumar et al. 2016, gradient × input; TorchRay's `linear_approx`)
    case linearApprox = "linear-approx"
    /// Excitation backprop: W⁺ rules for conv/linear, proportional rules for pooling and residual sums, batch
    /// norm as the identity; saliency = Σ_c of the excitation (signed, unclamped).
    /// - Paper: https://arxiv.org/abs/1608.00507 (Zhang et al., ECCV 2016)
    case excitationBackprop = "excitation-backprop"
    /// Contrastive excitation backprop: excitation minus the dual excitation of the negated classifier at a
    /// contrast layer; ReLU(Σ_c) (needs `MethodSettings.contrastLayer`).
    /// - Paper: https://arxiv.org/abs/1608.00507
    case contrastiveExcitationBackprop = "contrastive-excitation-backprop"
    /// Integrated gradients from a baseline (zeros by default): Σ_c (x − x′) ⊙ ∫ ∂y/∂x dα (signed).
    /// - Paper: https://arxiv.org/abs/1703.01365 (Sundararajan, Taly, Yan, ICML 2017)
    case integratedGradients = "integrated-gradients"
    /// SmoothGrad: the gradient map averaged over noisy copies of the input.
    /// - Paper: https://arxiv.org/abs/1706.03825 (Smilkov et al. 2017)
    case smoothGrad = "smoothgrad"

    /// The user-facing name ("guided-backprop").
    public var description: String { rawValue }

    /// All valid names, comma-separated, for error messages and help text.
    public static var validNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Parses a user-supplied name; accepts any case and `_` for `-` ("Guided_Backprop").
    /// - Throws: `AttributionError.unknownMethod` naming the valid methods.
    public init(parsing text: String) throws {
        let key = String(text.lowercased().filter { !$0.isWhitespace }.map { $0 == "_" ? "-" : $0 })
        guard let method = Method(rawValue: key) else {
            throw AttributionError.unknownMethod(text, valid: Method.allCases.map(\.rawValue))
        }
        self = method
    }

    /// The backward-rule overrides active while the model runs forward and backward.
    public var backwardRules: BackwardRules {
        switch self {
        case .gradient, .gradCAM, .linearApprox, .integratedGradients, .smoothGrad: BackwardRules()
        case .deconvnet: .deconvnet
        case .guidedBackprop: .guidedBackprop
        case .excitationBackprop, .contrastiveExcitationBackprop: .excitationBackprop
        }
    }

    /// How the captured activation and its gradient become a one-channel map.
    public var reduction: SaliencyReduction {
        switch self {
        case .gradient, .deconvnet, .guidedBackprop, .smoothGrad: .maxAbsGradient
        case .gradCAM: .gradCAM
        case .linearApprox, .integratedGradients: .linearApprox
        case .excitationBackprop: .channelSum
        case .contrastiveExcitationBackprop: .clampedChannelSum
        }
    }

    /// Whether the method needs a named layer (TorchRay's `grad_cam` has no default `saliency_layer`).
    public var requiresLayer: Bool { self == .gradCAM }

    /// Whether the method has its own driver (more than one pass, or settings beyond a layer).
    public var hasOwnDriver: Bool { [.contrastiveExcitationBackprop, .integratedGradients, .smoothGrad].contains(self) }
}
