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
    /// Reads a PNG or JPEG photo (told apart by its first bytes) as RGB resized for `arch` (shorter side
    /// inputSize·256/224) and centre-cropped to its input size; errors name `--image`. A PNG is decoded row by
    /// row into the resized image; a photo too large to decode or to resize is refused from its header.
    static func photo(at path: String, for arch: Architecture) throws -> Image {
        let url = URL(fileURLWithPath: path)
        let side = resizedShorterSide(for: arch)
        let resized: Image
        do {
            if try isPNG(url) {
                resized = try Image(pngFile: url, resizedShorterSideTo: side)
            } else {
                let size = try ImageFile.size(of: url)
                if let problem = ImageLimits(resizedShorterSide: side).violation(width: size.width, height: size.height) {
                    throw CLIError.invalid(argument: "--image", "cannot read image \(path): \(problem)")
                }
                resized = try Image(contentsOf: url).rgb().resizedShorterSide(to: side)
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError.invalid(argument: "--image", "\(error)")
        }
        return resized.centerCropped(width: arch.inputSize, height: arch.inputSize)
    }

    /// Whether the file starts with PNG's signature (only the first bytes are read).
    private static func isPNG(_ url: URL) throws -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }  // the decoder names the error
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 8)) ?? Data()
        return ImageFile.format(of: [UInt8](head)) == .png
    }

    /// Shorter side to inputSize·256/224, then a centre crop of inputSize (for images already decoded).
    static func crop(_ image: Image, for arch: Architecture) -> Image {
        image.resizedShorterSide(to: resizedShorterSide(for: arch)).centerCropped(width: arch.inputSize, height: arch.inputSize)
    }

    /// The shorter side photos are resized to before the centre crop.
    static func resizedShorterSide(for arch: Architecture) -> Int { arch.inputSize * 256 / 224 }

    /// Lite0's (x − 127)/128, ImageNet mean/std for the torchvision models.
    static func normalization(for arch: Architecture) -> Normalization {
        arch.preprocessing == .lite0 ? .lite0 : .imagenet
    }
}
