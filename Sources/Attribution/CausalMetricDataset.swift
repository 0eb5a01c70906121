import Engine
import Imaging
import Models

/// Deletion and insertion AUCs of one (image, class) pair.
public struct CausalPairResult: Sendable, Equatable {
    /// The image file as named in annotations.json.
    public var file: String
    /// The explained class.
    public var classIndex: Int
    /// AUC per traced curve.
    public var auc: [CausalMetric.Kind: Double]
}

/// Deletion/insertion over a dataset: the mean curve of every traced kind and each pair's AUCs.
///
/// The AUC is linear in the curve, so the AUC of the mean curve (the RISE paper's batch number) equals the mean
/// of the pairs' AUCs.
public struct CausalDatasetResult: Sendable, Equatable {
    /// One entry per (image, class) pair, in dataset order.
    public var pairs: [CausalPairResult]
    /// The mean curve per kind.
    public var meanCurves: [CausalMetric.Kind: [Double]]

    /// The AUC of the mean curve of `kind`.
    public func auc(_ kind: CausalMetric.Kind) -> Double? { meanCurves[kind].flatMap(areaUnderCurve) }
}

/// Traces `kinds` for every (image, class) pair of `dataset`: each image becomes a model input through
/// `prepare` (all inputs must have the same size, e.g. resize and centre-crop to 224), `map` gives the
/// saliency map at that size for a class, and the curves are averaged over pairs.
/// `progress` counts model evaluations (done, total).
public func traceCausalMetrics(
    dataset: PointingDataset, kinds: [CausalMetric.Kind], step: Int, batchSize: Int = 8, model: Module,
    prepare: (Image) throws -> Tensor, map: (_ input: Tensor, _ target: Int) throws -> Tensor,
    progress: ((_ done: Int, _ total: Int) -> Void)? = nil
) throws -> CausalDatasetResult {
    var pairs: [CausalPairResult] = []
    var sums: [CausalMetric.Kind: [Double]] = [:]
    var expectedShape: [Int]?
    var evaluations = 0, total = 0
    for image in dataset.images {
        let input = try prepare(try Image(contentsOf: image.url))
        if let expectedShape, expectedShape != input.shape {
            throw AttributionError.invalidOption(
                "\(image.file) gives an input of shape \(input.shape), the first image \(expectedShape); curves need one size")
        }
        expectedShape = input.shape
        if total == 0 {
            let perCurve = CausalMetric(kind: .deletion, step: step).stepCount(pixels: input.shape[2] * input.shape[3]) + 1
            total = perCurve * kinds.count * dataset.pairCount
            progress?(0, total)
        }
        for classIndex in image.classes {
            let saliencyMap = try map(input, classIndex)
            var aucs: [CausalMetric.Kind: Double] = [:]
            for kind in kinds {
                let base = evaluations
                let curve = try CausalMetric(kind: kind, step: step, batchSize: batchSize).curve(
                    model: model, input: input, saliency: saliencyMap, target: classIndex,
                    progress: { done, _ in progress?(base + done, total) })
                evaluations += curve.count
                aucs[kind] = areaUnderCurve(curve)
                sums[kind] = zip(sums[kind] ?? Array(repeating: 0, count: curve.count), curve).map { $0 + $1 }
            }
            pairs.append(CausalPairResult(file: image.file, classIndex: classIndex, auc: aucs))
        }
    }
    let count = Double(max(pairs.count, 1))
    return CausalDatasetResult(pairs: pairs, meanCurves: sums.mapValues { $0.map { $0 / count } })
}
