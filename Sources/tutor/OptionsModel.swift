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
    func load() throws -> LoadedModel {
        let arch = try architecture()
        let module = makeModel(arch, initialization: .seeded(0))
        var pretrained = false
        var source = "seeded initialisation"
        do {
            if let weights {
                let url = URL(fileURLWithPath: weights)
                try module.load(try loadStateDict(from: url), strict: true)
                pretrained = true
                source = url.lastPathComponent
            } else if arch == .efficientnetLite0 {
                let url = try DefaultWeights.efficientnetLite0URL()
                try module.load(try loadStateDict(from: url), strict: true)
                pretrained = true
                source = url.lastPathComponent
            }
        } catch {
            throw CLIError.invalid(argument: "--weights", "\(error)")
        }
        let name = pretrained ? arch.rawValue : "\(arch.rawValue) (untrained)"
        if !pretrained {
            CLIError.warn("\(arch.rawValue) is untrained (seeded initialisation); pass --weights FILE for a trained model")
        }
        return LoadedModel(module: module, architecture: arch, isPretrained: pretrained, displayName: name, source: source)
    }
}

/// A model ready to run, with what the user should be told about its weights.
struct LoadedModel {
    let module: Module
    let architecture: Architecture
    let isPretrained: Bool
    let displayName: String
    let source: String
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
