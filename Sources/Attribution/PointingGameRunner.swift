import Engine
import Imaging
import Models

/// What a pointing method sees of one image: the model input made from it and the image file's size.
public struct PointingQuery {
    /// The preprocessed model input, 1×3×h×w (shorter side resized, aspect kept, no crop).
    public var input: Tensor
    /// Width of the image file; the point is in these pixels.
    public var width: Int
    /// Height of the image file.
    public var height: Int

    /// A query for an image of `width`×`height` whose model input is `input`.
    public init(input: Tensor, width: Int, height: Int) {
        self.input = input
        self.width = width
        self.height = height
    }
}

/// Anything that picks one point per (image, class): a saliency method's maximum, or a baseline.
///
/// Methods plug into the pointing game through this protocol; `SaliencyPointing` wraps any map producer
/// (gradient, Grad-CAM, excitation backprop, RISE, extremal perturbation…) and `CenterPointing` is
/// TorchRay's `center` baseline.
///
/// ```swift
/// let methods: [any PointingMethod] = [CenterPointing(), SaliencyPointing.gradientFamily(model: model, method: .gradient)]
/// ```
public protocol PointingMethod {
    /// The name reported in results ("grad-cam", "center").
    var name: String { get }
    /// The point for class `target` on the image `query` describes, in the image file's pixels.
    func point(for query: PointingQuery, target: Int) throws -> ImagePoint
}

/// TorchRay's `center` baseline: always (w/2, h/2) of the image.
///
/// ```swift
/// let baseline = try playPointingGame(dataset: dataset, method: CenterPointing(), preprocessing: preprocessing)
/// ```
public struct CenterPointing: PointingMethod {
    /// "center".
    public let name = "center"
    /// Creates the baseline.
    public init() {}
    /// (w/2, h/2), whatever the class.
    public func point(for query: PointingQuery, target: Int) throws -> ImagePoint {
        PointingGame.centerPoint(width: query.width, height: query.height)
    }
}

/// A saliency map's maximum as the point: the producer returns a map at the image file's size.
///
/// ```swift
/// let guided = SaliencyPointing.gradientFamily(model: model, method: .guidedBackprop)
/// let result = try playPointingGame(dataset: dataset, method: guided, preprocessing: preprocessing)
/// ```
public struct SaliencyPointing: PointingMethod {
    /// Produces a 1×1×height×width map for `target` from the model input (resizing it to the image size).
    public typealias MapProducer = (_ input: Tensor, _ target: Int, _ width: Int, _ height: Int) throws -> Tensor

    /// The method's name.
    public let name: String
    private let produce: MapProducer

    /// A pointing method named `name` over any map producer.
    public init(name: String, map produce: @escaping MapProducer) {
        self.name = name
        self.produce = produce
    }

    /// The first maximum of the produced map; throws when the map is not 1×1×height×width.
    public func point(for query: PointingQuery, target: Int) throws -> ImagePoint {
        let map = try produce(query.input, target, query.width, query.height)
        guard map.shape == [1, 1, query.height, query.width] else {
            throw AttributionError.invalidOption(
                "\(name) produced a map of shape \(map.shape); the pointing game needs [1, 1, \(query.height), \(query.width)]")
        }
        return PointingGame.maximumPoint(of: map)
    }

    /// A gradient-family method with TorchRay's benchmark settings (§4.6): the pointing gradient as the
    /// backward target, the map resized to the image; gradient, DeConvNet and guided backprop (and linear
    /// approximation, which TorchRay's benchmark leaves out) at the input with smoothing 0.02; Grad-CAM at
    /// `layer` without smoothing.
    public static func gradientFamily(model: Model, method: Method, layer: LayerPath? = nil) -> SaliencyPointing {
        let smooth: Float = method == .gradCAM ? 0 : 0.02
        return SaliencyPointing(name: method.rawValue) { input, target, width, height in
            try saliency(model: model, input: input, target: .pointing(target), method: method, layer: layer,
                         resize: .size(width: width, height: height), smooth: smooth)
        }
    }
}

/// The outcome for one (image, class) pair.
public struct PointingRecord: Sendable, Equatable {
    /// The image file as named in annotations.json.
    public var file: String
    /// The class.
    public var classIndex: Int
    /// The method's point.
    public var point: ImagePoint
    /// Whether the point is a hit.
    public var hit: Bool
}

/// A pointing-game run: per-class tallies and every (image, class) record.
///
/// ```swift
/// let result = try playPointingGame(dataset: dataset, method: CenterPointing(), preprocessing: preprocessing)
/// print(result.accuracy)
/// ```
public struct PointingGameResult: Sendable, Equatable {
    /// The method's name.
    public var method: String
    /// The tolerance used, in pixels.
    public var tolerance: Double
    /// Hits and misses per class.
    public var tally: PointingTally
    /// One record per (image, class) pair, in dataset order, classes ascending within an image.
    public var records: [PointingRecord]

    /// Mean per-class accuracy over the classes present.
    public var accuracy: Double { tally.accuracy }
}

/// How images become model inputs for the pointing game (TorchRay's benchmark transform, §4.4).
///
/// ```swift
/// let preprocessing = PointingPreprocessing(normalization: .lite0)
/// ```
public struct PointingPreprocessing: Sendable {
    /// The shorter side after resizing (224); the aspect ratio is kept and nothing is cropped.
    public var shorterSide: Int
    /// The model's input normalisation.
    public var normalization: Normalization

    /// Shorter side `shorterSide`, aspect kept, then `normalization`.
    public init(shorterSide: Int = 224, normalization: Normalization) {
        self.shorterSide = shorterSide
        self.normalization = normalization
    }

    /// The most pixels a resized input may have: a 1×20000 strip would otherwise become 224×4.5M.
    public static let maximumInputPixels = 16_000_000

    /// The 1×3×h×w input for `image`.
    /// - Throws: `AttributionError.invalidOption` when the resized image would exceed `maximumInputPixels`.
    public func input(for image: Image, name: String = "the image") throws -> Tensor {
        let short = min(image.width, image.height), long = max(image.width, image.height)
        let resizedLong = Double(shorterSide) * Double(long) / Double(short)
        guard resizedLong * Double(shorterSide) <= Double(Self.maximumInputPixels) else {
            throw AttributionError.invalidOption("\(name) is \(image.width)×\(image.height): resizing its shorter side to "
                + "\(shorterSide) would make \(Int(resizedLong))×\(shorterSide) pixels, over the limit of \(Self.maximumInputPixels)")
        }
        return image.rgb().resizedShorterSide(to: shorterSide).tensor(normalization: normalization)
    }
}

/// Plays the pointing game of `method` on every (image, class) pair of `dataset`.
///
/// Each image is decoded once and preprocessed with `preprocessing`; for each class present the method
/// picks a point in the image's pixels, which is a hit when it lies within `game.tolerance` of any object
/// of that class. `progress` is called after every pair with (pairs done, pairs in all).
/// - Throws: `ImageFileError` for an image that cannot be decoded; the method's own errors.
///
/// ```swift
/// let dataset = try PointingDataset(directory: CourseFiles.benchmarkDirectory())
/// let result = try playPointingGame(dataset: dataset, method: CenterPointing(),
///                                   preprocessing: PointingPreprocessing(normalization: .lite0))
/// ```
public func playPointingGame(
    dataset: PointingDataset, method: PointingMethod, preprocessing: PointingPreprocessing,
    game: PointingGame = PointingGame(), progress: ((_ done: Int, _ total: Int) -> Void)? = nil
) throws -> PointingGameResult {
    var tally = PointingTally()
    var records: [PointingRecord] = []
    let total = dataset.pairCount
    progress?(0, total)
    for image in dataset.images {
        let photo = try Image(contentsOf: image.url)
        guard photo.width == image.width, photo.height == image.height else {
            throw AttributionError.invalidOption(
                "\(image.url.path) changed size since the dataset was loaded (\(photo.width)×\(photo.height))")
        }
        let input = try preprocessing.input(for: photo, name: image.url.path)
        let query = PointingQuery(input: input, width: image.width, height: image.height)
        for classIndex in image.classes {
            let point = try method.point(for: query, target: classIndex)
            let hit = game.isHit(point, boxes: image.boxes(of: classIndex), width: image.width, height: image.height)
            tally.record(classIndex: classIndex, hit: hit)
            records.append(PointingRecord(file: image.file, classIndex: classIndex, point: point, hit: hit))
            progress?(records.count, total)
        }
    }
    return PointingGameResult(method: method.name, tolerance: game.tolerance, tally: tally, records: records)
}
