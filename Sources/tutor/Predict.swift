import ArgumentParser
import Engine
import Foundation
import Models

extension TutorCommand {
    /// `tutor predict`: the model's top classes for one photo.
    struct Predict: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Classify a PNG or JPEG photo: top class ids, names and probabilities.")

        @OptionGroup var modelOptions: ModelOptions

        @Option(help: ArgumentHelp("A PNG or JPEG photo.", valueName: "photo"), completion: .file(extensions: ["png", "jpg", "jpeg"]))
        var image: String

        @Option(help: ArgumentHelp("How many classes to list.", valueName: "n"))
        var top = 5

        func validate() throws {
            try CLIError.exitingOnError {
                guard top >= 1 else { throw CLIError.invalid(argument: "--top", "must be at least 1, got \(top)") }
                _ = try modelOptions.architecture()
            }
        }

        func run() throws {
            try CLIError.exitingOnError {
                let loaded = try modelOptions.load()
                let photo = ModelInput.crop(try ModelInput.image(at: image), for: loaded.architecture)
                let input = photo.tensor(normalization: ModelInput.normalization(for: loaded.architecture))
                let probabilities = loaded.module(input).softmax(axis: 1).scalars
                let ranked = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }.prefix(top)
                print("\(loaded.displayName) on \(image):")
                for (rank, id) in ranked.enumerated() {
                    let percent = String(format: "%6.2f%%", Double(probabilities[id]) * 100)
                    print("\(rank + 1). \(id) \(ImageNetLabels.name(id)) \(percent)")
                }
            }
        }
    }
}
