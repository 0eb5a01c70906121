import ArgumentParser
import Engine
import Foundation
import Imaging
import Models

/// `--image PNG | --input TENSOR.npy`: a photo preprocessed for the architecture, or an exact input tensor.
struct InputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A PNG photo; resized, centre-cropped and normalised for the model.", valueName: "png"),
            completion: .file(extensions: ["png"]))
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
            let cropped = try ModelInput.photo(at: image, for: arch)
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
    /// Reads a PNG as RGB resized for `arch` (shorter side inputSize·256/224) and centre-cropped to its input
    /// size; errors name `--image`. The photo is decoded row by row into the resized image, and one too large
    /// to decode or to resize is refused from its header.
    static func photo(at path: String, for arch: Architecture) throws -> Image {
        let resized: Image
        do {
            resized = try Image(pngFile: URL(fileURLWithPath: path), resizedShorterSideTo: resizedShorterSide(for: arch))
        } catch {
            throw CLIError.invalid(argument: "--image", "\(error)")
        }
        return resized.centerCropped(width: arch.inputSize, height: arch.inputSize)
    }

    /// The shorter side photos are resized to before the centre crop.
    static func resizedShorterSide(for arch: Architecture) -> Int { arch.inputSize * 256 / 224 }

    /// Lite0's (x − 127)/128, ImageNet mean/std for the torchvision models.
    static func normalization(for arch: Architecture) -> Normalization {
        arch.preprocessing == .lite0 ? .lite0 : .imagenet
    }
}
