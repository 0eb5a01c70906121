// The course's example data (the counterpart of TorchRay's get_example_data).
import Engine
import Foundation
import Imaging
import Models

/// A model, the dog-and-cat photo preprocessed for it, and the two ImageNet classes the photo shows.
///
/// ```swift
/// let example = try ExampleData.load()              // pretrained EfficientNet-Lite0, 224 × 224
/// let scores = example.model(example.input)         // [1, 1000]
/// ```
public struct ExampleData {
    /// The dog's class: Lite0's top dog breed (151…268) on the composite, "malamute" (p ≈ 0.18, second overall).
    public static let dogClassID = 249
    /// The cat's class: Lite0's top class overall and among the domestic cats (281…285), "Egyptian cat" (p ≈ 0.19).
    public static let catClassID = 285
    /// The photo every lesson uses, in `Lessons/images`.
    public static let photoName = "dog-and-cat.png"

    /// The network, in inference mode; its parameters never receive gradients.
    public let model: Module
    /// How the model is named in titles: "efficientnet-lite0 (pretrained)", "vgg16 (untrained)".
    public let modelName: String
    /// The architecture the model was built from.
    public let architecture: Architecture
    /// The resized, centre-cropped photo as the model sees it (RGB, `size × size`), for display.
    public let image: Image
    /// The preprocessed input, 1 × 3 × size × size, normalised as the architecture expects.
    public let input: Tensor
    /// The dog's ImageNet class.
    public let dogClass: Int
    /// The cat's ImageNet class.
    public let catClass: Int

    /// Both classes, dog first (TorchRay's `category_id_1, category_id_2`).
    public var classes: [Int] { [dogClass, catClass] }

    /// Loads `architecture` (EfficientNet-Lite0 with its pretrained weights; any other architecture from a seeded,
    /// untrained initialisation) and the dog-and-cat photo resized so its shorter side is `size · 8/7` and
    /// centre-cropped to `size × size` (256 → 224 for the default size).
    /// - Throws: `CourseError` when the repository, the photo or the weights are missing; Models' errors when the
    ///   weights do not load.
    public static func load(_ architecture: Architecture = .efficientnetLite0, size: Int = 224, seed: UInt64 = 0)
        throws -> ExampleData
    {
        let photo = try Image(pngFile: CourseFiles.image(named: photoName)).rgb()
        let shorter = Int((Double(size) * 256 / 224).rounded())
        let image = photo.resizedShorterSide(to: shorter).centerCropped(width: size, height: size)
        let input = image.tensor(normalization: normalization(for: architecture))
        let model: Module
        let name: String
        if architecture == .efficientnetLite0 {
            model = try pretrainedLite0()
            name = "\(architecture.rawValue) (pretrained)"
        } else {
            model = makeModel(architecture, initialization: .seeded(seed))
            name = "\(architecture.rawValue) (untrained)"
        }
        return ExampleData(
            model: model, modelName: name, architecture: architecture, image: image, input: input,
            dogClass: dogClassID, catClass: catClassID)
    }

    /// EfficientNet-Lite0 with the default ImageNet weights.
    /// - Throws: `CourseError.missingFile` when the weights have not been fetched (`make weights`).
    public static func pretrainedLite0() throws -> Module {
        try makeModel(.efficientnetLite0, loading: DecodedWeights.stateDict(at: weightsURL()))
    }

    /// The default Lite0 weights: where Models looks for them, else `<repository>/.cache/weights` (lesson programs
    /// and check packages may run from a folder outside the checkout).
    static func weightsURL() throws -> URL {
        if let url = try? DefaultWeights.locateEfficientnetLite0() { return url }
        let url = try CourseFiles.repositoryRoot()
            .appendingPathComponent(".cache/weights")
            .appendingPathComponent(DefaultWeights.efficientnetLite0FileName)
        guard FileManager.default.isReadableFile(atPath: url.path) else { throw CourseError.missingFile(url.path) }
        return url
    }

    /// The name of an ImageNet class, e.g. 281 → "tabby".
    public static func className(_ id: Int) -> String { ImageNetLabels.name(id) }

    static func normalization(for architecture: Architecture) -> Normalization {
        switch architecture.preprocessing {
        case .lite0: .lite0
        default: .imagenet
        }
    }
}

/// Checkpoints decoded earlier in this process, by path and file identity: a lesson's steps and each of its checks
/// load the same weights, and decoding them again cost ~30 ms each time. Tensors are copy-on-write, so a model
/// whose weights are changed never changes the decoded copy.
enum DecodedWeights {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var decoded: [String: (identity: String, weights: StateDict)] = [:]

    /// The state dict in `url`, decoded once per version of the file.
    static func stateDict(at url: URL) throws -> StateDict {
        let path = url.path
        let identity = identityOf(path)
        if let identity, let hit = lock.withLock({ decoded[path] }), hit.identity == identity { return hit.weights }
        let weights = try loadStateDict(from: url)
        if let identity { lock.withLock { decoded[path] = (identity, weights) } }
        return weights
    }

    /// Device, inode, size and modification time; nil when the file cannot be examined (then nothing is kept).
    private static func identityOf(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return "\(info.st_dev)/\(info.st_ino)/\(info.st_size)/\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }
}
