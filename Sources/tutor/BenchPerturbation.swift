import ArgumentParser
import Attribution
import Engine
import Models

/// `tutor bench` options of the perturbation methods: their size is what dominates their time.
struct BenchPerturbationOptions: ParsableArguments {
    @Option(help: ArgumentHelp("rise, rise-class: number of masks.", valueName: "n"))
    var numMasks = 500

    @Option(help: ArgumentHelp("extremal-perturbation: optimisation steps (one area, 0.1).", valueName: "n"))
    var maxIter = 50

    @Option(help: ArgumentHelp("occlusion: window side (stride = half of it).", valueName: "px"))
    var window = 32

    /// Checks the sizes for `method`.
    func validate(_ method: PerturbationMethod) throws {
        switch method {
        case .rise, .riseClass:
            guard numMasks >= 1 else { throw CLIError.invalid(argument: "--num-masks", "must be at least 1, got \(numMasks)") }
        case .extremalPerturbation:
            guard maxIter >= 1 else { throw CLIError.invalid(argument: "--max-iter", "must be at least 1, got \(maxIter)") }
        case .occlusion:
            guard window >= 2, window <= 224 else { throw CLIError.invalid(argument: "--window", "must be in 2…224, got \(window)") }
        }
    }

    /// One timed call of `method` on `input` for class 281 (rise: every class, as TorchRay's `rise`; rise-class: one).
    func call(_ method: PerturbationMethod, model: Model, input: Tensor) -> () throws -> Void {
        switch method {
        case .rise:
            return { _ = try rise(model: model.module, input: input, classes: .all, masks: .random(count: numMasks)) }
        case .riseClass:
            return { _ = try riseClass(model: model.module, input: input, target: 281, masks: .random(count: numMasks)) }
        case .extremalPerturbation:
            var options = ExtremalPerturbationOptions()
            options.maxIter = maxIter
            return { _ = try extremalPerturbation(model: model.module, input: input, target: 281, options: options) }
        case .occlusion:
            return {
                _ = try occlusion(model: model.module, input: input, target: 281, window: (window, window),
                                  stride: (window / 2, window / 2))
            }
        }
    }

    /// The size fields of the JSON line (`"num_masks": 500, `).
    func jsonFields(_ method: PerturbationMethod) -> String {
        switch method {
        case .rise, .riseClass: "\"num_masks\": \(numMasks), "
        case .extremalPerturbation: "\"max_iter\": \(maxIter), \"areas\": 1, "
        case .occlusion: "\"window\": \(window), \"stride\": \(window / 2), "
        }
    }

    /// The size in words for the plain output ("500 masks").
    func label(_ method: PerturbationMethod) -> String {
        switch method {
        case .rise, .riseClass: " (\(numMasks) masks)"
        case .extremalPerturbation: " (\(maxIter) iterations, one area)"
        case .occlusion: " (window \(window), stride \(window / 2))"
        }
    }
}
