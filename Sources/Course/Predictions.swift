import Engine
import Models

/// One class of a model's prediction: its ImageNet id, name and probability.
public struct Prediction: CustomStringConvertible, Sendable, Equatable {
    /// The ImageNet class index (0…999).
    public let classID: Int
    /// The class name, e.g. "tabby".
    public let name: String
    /// The softmax probability.
    public let probability: Float

    /// "281  tabby  0.412".
    public var description: String {
        let percent = (probability * 1000).rounded() / 1000
        return "\(classID)  \(name)  \(percent)"
    }
}

/// The `k` most probable classes of the first item of `logits` (N × 1000), most probable first.
///
/// ```swift
/// for prediction in topPredictions(model(x), k: 5) { print(prediction) }
/// ```
public func topPredictions(_ logits: Tensor, k: Int = 5) -> [Prediction] {
    guard logits.rank == 2, logits.shape[0] >= 1 else { return [] }
    let classes = logits.shape[1]
    let row = Array(logits.softmax(axis: 1).scalars.prefix(classes))
    let order = row.indices.sorted { row[$0] > row[$1] }.prefix(max(0, min(k, classes)))
    return order.map { Prediction(classID: $0, name: ImageNetLabels.name($0), probability: row[$0]) }
}

/// The probability the model gives class `id` for the first item of `logits`.
///
/// ```swift
/// print("dog class probability:", probability(of: 249, in: model(x)))
/// ```
public func probability(of id: Int, in logits: Tensor) -> Float {
    guard logits.rank == 2, (0..<logits.shape[1]).contains(id) else { return 0 }
    return logits.softmax(axis: 1).scalars[id]
}
