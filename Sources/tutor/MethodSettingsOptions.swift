import ArgumentParser
import Attribution
import Engine
import Foundation
import Models

/// The options of the methods that need more than a layer (contrastive EBP, integrated gradients, SmoothGrad),
/// shared by `tutor saliency`, `tutor bench` and `tutor sanity-check`.
struct MethodSettingsOptions: ParsableArguments {
    @Option(help: ArgumentHelp("contrastive-excitation-backprop: the contrast layer, after --layer "
        + "(VGG16 features.30 or classifier.4, ResNet50 avgpool).", valueName: "path"))
    var contrastLayer: String?

    @Option(help: ArgumentHelp("contrastive-excitation-backprop: the layer whose weights are negated "
        + "(default: the last convolution or linear layer, as TorchRay).", valueName: "path"))
    var classifierLayer: String?

    @Option(help: ArgumentHelp("integrated-gradients: points on the path from the baseline (default 50).", valueName: "n"))
    var steps: Int?

    @Option(help: ArgumentHelp("integrated-gradients: quadrature, one of "
        + IntegrationRule.allCases.map(\.rawValue).joined(separator: ", ") + " (default gausslegendre).", valueName: "rule"))
    var integration: String?

    @Option(help: ArgumentHelp("integrated-gradients: the baseline x′, an .npy tensor shaped like the model input "
        + "(default: zeros, i.e. the normalised-space origin); occlusion: the number written into the window (default 0).",
        valueName: "npy|v"), completion: .file(extensions: ["npy"]))
    var baseline: String?

    @Option(help: ArgumentHelp("smoothgrad: noisy samples (default 50).", valueName: "n"))
    var samples: Int?

    @Option(help: ArgumentHelp("smoothgrad: noise σ as a fraction of the input's value range (default 0.15).", valueName: "f"))
    var noise: Float?

    @Option(help: ArgumentHelp("smoothgrad: seed of the noise; rise: seed of the mask generator (default 0).", valueName: "n"))
    var seed: UInt64?

    @Option(help: ArgumentHelp("integrated-gradients, smoothgrad: inputs per forward/backward pass (default 1; larger batches "
        + "use more memory and were not faster on this engine); rise, occlusion: perturbed inputs per forward pass "
        + "(default 32, occlusion 16).",
                               valueName: "n"))
    var batchSize: Int?

    /// The first option given on the command line, if any (for methods that take none of them).
    var firstGivenFlag: String? {
        let given: [(String, Bool)] = [
            ("--contrast-layer", contrastLayer != nil), ("--classifier-layer", classifierLayer != nil),
            ("--steps", steps != nil), ("--integration", integration != nil), ("--baseline", baseline != nil),
            ("--samples", samples != nil), ("--noise", noise != nil), ("--seed", seed != nil),
            ("--batch-size", batchSize != nil),
        ]
        return given.first { $0.1 }?.0
    }

    /// These options with TorchRay's benchmark contrast layer of `arch` when contrastive EBP has none.
    func withBenchmarkContrastLayer(for method: Method, _ arch: Architecture) -> MethodSettingsOptions {
        var options = self
        if method == .contrastiveExcitationBackprop && contrastLayer == nil {
            options.contrastLayer = arch.contrastLayer.description
        }
        return options
    }

    /// Each option that does not apply to `method`, with the methods it belongs to.
    private func misplaced(for method: Method) -> [(String, String)] {
        var out: [(String, String)] = []
        if method != .contrastiveExcitationBackprop {
            if contrastLayer != nil { out.append(("--contrast-layer", "contrastive-excitation-backprop")) }
            if classifierLayer != nil { out.append(("--classifier-layer", "contrastive-excitation-backprop")) }
        }
        if method != .integratedGradients {
            if steps != nil { out.append(("--steps", "integrated-gradients")) }
            if integration != nil { out.append(("--integration", "integrated-gradients")) }
            if baseline != nil { out.append(("--baseline", "integrated-gradients")) }
        }
        if method != .smoothGrad {
            if samples != nil { out.append(("--samples", "smoothgrad")) }
            if noise != nil { out.append(("--noise", "smoothgrad")) }
            if seed != nil { out.append(("--seed", "smoothgrad")) }
        }
        if method != .integratedGradients && method != .smoothGrad && batchSize != nil {
            out.append(("--batch-size", "integrated-gradients and smoothgrad"))
        }
        return out
    }

    /// The settings for `method`; every mistake names its argument (exit 2 through `CLIError`).
    func settings(for method: Method, layer: String?) throws -> MethodSettings {
        if let (flag, owner) = misplaced(for: method).first {
            throw CLIError.invalid(argument: flag, "applies to \(owner) only, not to \(method)")
        }
        var settings = MethodSettings()
        if method == .contrastiveExcitationBackprop {
            guard let contrastLayer else {
                throw CLIError.invalid(argument: "--contrast-layer", "contrastive-excitation-backprop needs a contrast layer "
                    + "after --layer, e.g. --layer features.23 --contrast-layer classifier.4 (VGG16), "
                    + "--layer layer3 --contrast-layer avgpool (ResNet50)")
            }
            settings.contrastLayer = try Self.path(contrastLayer, argument: "--contrast-layer")
            settings.classifierLayer = try classifierLayer.map { try Self.path($0, argument: "--classifier-layer") }
        }
        if method == .integratedGradients, let layer, !layer.isEmpty {
            throw CLIError.invalid(argument: "--layer", "integrated-gradients attributes to the input; omit --layer (got '\(layer)')")
        }
        if let steps {
            guard steps >= 1, steps <= 10_000 else { throw CLIError.invalid(argument: "--steps", "must be in 1…10000, got \(steps)") }
            settings.steps = steps
        }
        if let integration {
            guard let rule = IntegrationRule(parsing: integration) else {
                throw CLIError.invalid(argument: "--integration", "unknown rule '\(integration)'; valid: "
                    + IntegrationRule.allCases.map(\.rawValue).joined(separator: ", "))
            }
            settings.integration = rule
        }
        if settings.integration == .riemannTrapezoid && settings.steps < 2 {
            throw CLIError.invalid(argument: "--steps", "the trapezoid rule needs at least 2 steps, got \(settings.steps)")
        }
        if let baseline {
            do {
                settings.baseline = try Tensor(npyFile: URL(fileURLWithPath: baseline))
            } catch {
                throw CLIError.invalid(argument: "--baseline", "\(error)")
            }
        }
        if let samples {
            guard samples >= 1, samples <= 100_000 else {
                throw CLIError.invalid(argument: "--samples", "must be in 1…100000, got \(samples)")
            }
            settings.samples = samples
        }
        if let noise {
            guard noise >= 0, noise.isFinite else { throw CLIError.invalid(argument: "--noise", "must be a finite fraction ≥ 0, got \(noise)") }
            settings.noiseLevel = noise
        }
        if let seed { settings.seed = seed }
        if let batchSize {
            // Every input of a batch keeps its activations for the backward pass: VGG16 needs ≈ 0.1 GB per input.
            guard batchSize >= 1, batchSize <= 64 else {
                throw CLIError.invalid(argument: "--batch-size", "must be in 1…64, got \(batchSize)")
            }
            settings.batchSize = batchSize
        }
        return settings
    }

    static func path(_ text: String, argument: String) throws -> LayerPath {
        do { return try LayerPath(parsing: text) } catch {
            throw CLIError.invalid(argument: argument, "\(error)")
        }
    }

    /// The command-line argument a method setting comes from.
    static func argument(for setting: MethodSetting) -> String {
        switch setting {
        case .contrastLayer: "--contrast-layer"
        case .classifierLayer: "--classifier-layer"
        case .steps: "--steps"
        case .integration: "--integration"
        case .baseline: "--baseline"
        case .samples: "--samples"
        case .noiseLevel: "--noise"
        case .batchSize: "--batch-size"
        }
    }
}
