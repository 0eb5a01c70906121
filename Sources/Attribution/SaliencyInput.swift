import Engine
import Models

/// Checks an input batch before the model sees it, so shape mistakes become errors, not traps.
enum SaliencyInput {
    /// Throws unless `input` is N×C×H×W with N ≥ 1 and C equal to the first convolution's input channels.
    static func validate(_ input: Tensor, for model: Module) throws {
        let channels = expectedChannels(of: model)
        let expected = "N×\(channels.map(String.init) ?? "C")×H×W (float32, N ≥ 1)"
        guard input.rank == 4, input.shape.allSatisfy({ $0 > 0 }) else {
            throw AttributionError.invalidInputShape(input.shape, expected: expected)
        }
        if let channels, input.shape[1] != channels {
            throw AttributionError.invalidInputShape(input.shape, expected: expected)
        }
    }

    /// Input channels of the first rank-4 (convolution) weight, if the model has one.
    static func expectedChannels(of model: Module) -> Int? {
        for (_, parameter) in model.namedParameters() where parameter.rank == 4 {
            return parameter.shape[1]
        }
        return nil
    }
}
