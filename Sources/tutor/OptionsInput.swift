import ArgumentParser
import Engine
import Foundation
import Imaging
import Models

/// `--image PNG | --input TENSOR.npy`: a photo preprocessed for the architecture, or an exact input tensor.
struct InputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A PNG or JPEG photo; resized, centre-cropped and normalised for the model.", valueName: "photo"),
            completion: .file(extensions: ["png", "jpg", "jpeg"]))
    var image: String?

    @Option(help: ArgumentHelp("An exact preprocessed N×3×H×W float32 tensor (.npy).", valueName: "npy"),
            completion: .file(extensions: ["npy"]))
    var input: String?

    func validate() throws {
        if (image == nil) == (input == nil) {
            try CLIError.exitingOnError {
                throw CLIError.invalid(argument: "--image/--input", "give exactly one of --image PNG or --input TENSOR.npy")
            }
        }
    }

    /// The model input, and the (cropped) image it shows when one can be recovered.
    func load(for arch: Architecture) throws -> (tensor: Tensor, image: Image?) {
        if let image {
            let photo = try ModelInput.image(at: image)
            let cropped = ModelInput.crop(photo, for: arch)
            return (cropped.tensor(normalization: ModelInput.normalization(for: arch)), cropped)
        }
        let path = input!
        let tensor: Tensor
        do {
            tensor = try Tensor(npyFile: URL(fileURLWithPath: path))
        } catch {
            throw CLIError.invalid(argument: "--input", "\(error)")
        }
        guard tensor.rank == 4, tensor.shape[1] == 3 else {
            throw CLIError.invalid(argument: "--input", "\(path) has shape \(tensor.shape); expected N×3×H×W float32")
        }
        return (tensor, nil)
    }
}

/// Per-architecture preprocessing of photos (torchvision's resize-256/crop-224 recipe).
enum ModelInput {
    /// Reads a PNG or JPEG (by its magic bytes) as RGB; errors name `--image`.
    static func image(at path: String) throws -> Image {
        do {
            return try Image(contentsOf: URL(fileURLWithPath: path)).rgb()
        } catch {
            throw CLIError.invalid(argument: "--image", "\(error)")
        }
    }

    /// Shorter side to inputSize·256/224, then a centre crop of inputSize (224 → 256/224).
    static func crop(_ image: Image, for arch: Architecture) -> Image {
        let size = arch.inputSize
        return image.resizedShorterSide(to: size * 256 / 224).centerCropped(width: size, height: size)
    }

    /// Lite0's (x − 127)/128, ImageNet mean/std for the torchvision models.
    static func normalization(for arch: Architecture) -> Normalization {
        arch.preprocessing == .lite0 ? .lite0 : .imagenet
    }
}
