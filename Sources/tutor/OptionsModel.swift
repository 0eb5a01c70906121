import ArgumentParser
import Engine
import Foundation
import Models

/// `--model ARCH [--weights FILE]`, shared by saliency, predict and bench.
struct ModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Architecture: \(Architecture.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "arch"))
    var model: String

    @Option(help: ArgumentHelp(
        "Weights file (.pth or .safetensors). Default: the pretrained weights for efficientnet-lite0, "
            + "a seeded (untrained) initialisation for the others.", valueName: "file"),
        completion: .file())
    var weights: String?

    /// The architecture named by `--model`.
    func architecture() throws -> Architecture {
        guard let arch = Architecture(rawValue: model) else {
            throw CLIError.invalid(argument: "--model", "unknown architecture '\(model)'; valid: "
                + Architecture.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return arch
    }

    /// Builds the model and loads `--weights` (or the defaults); says "untrained" on stderr when unweighted.
    func load() throws -> Model {
        let arch = try architecture()
        let model: Model
        do {
            if let weights {
                model = try Model(arch, weights: URL(fileURLWithPath: weights))
            } else if arch == .efficientnetLite0 {
                model = try Model.pretrainedLite0()
            } else {
                model = Model(arch)
            }
        } catch {
            // Loader errors name the file; a strict-loading mismatch does not, so say which file it was.
            let message = "\(error)"
            if let weights, !message.contains(weights) { throw CLIError.invalid(argument: "--weights", "\(weights): \(message)") }
            throw CLIError.invalid(argument: "--weights", message)
        }
        if !model.isPretrained {
            CLIError.warn("\(arch.rawValue) is untrained (\(model.weightsSource)); pass --weights FILE for a trained model")
        }
        return model
    }
}

/// A user mistake: printed as `error: <argument>: <message>` and exit code 2 (never a trap).
enum CLIError: Error, CustomStringConvertible {
    case invalid(argument: String, String)

    var description: String {
        switch self {
        case .invalid(let argument, let message): "\(argument): \(message)"
        }
    }

    /// Prints a warning line on stderr.
    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
    }

    /// Runs `body`; any error is printed on stderr and becomes exit code 2.
    static func exitingOnError<R>(_ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as ExitCode {
            throw error
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
