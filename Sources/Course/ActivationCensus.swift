// Counts how a network's ReLU6 units were used on one input: how many sat on the flat part above the cap.
import Engine
import Foundation
import Models

/// How the inputs of one ReLU6 call of a forward pass are distributed: below 0, between 0 and 6, above 6.
public struct ReLU6Call: Sendable, CustomStringConvertible {
    /// The call's position in the forward pass (0 = the first ReLU6 that ran).
    public let index: Int
    /// The shape of the call's input, e.g. [1, 32, 112, 112].
    public let shape: [Int]
    /// The share of input values above the cap (x > 6), where the unit's gradient is 0.
    public let aboveCap: Float
    /// The share of input values below zero (x < 0), where the gradient is 0 too.
    public let belowZero: Float
    /// The share above the cap among the positions whose centre lies in `regions[i]`, per region given.
    public let aboveCapIn: [Float]

    /// "call 1 [1, 32, 112, 112]: 4.25% above 6 (by region: 5.70%, 10.31%), 20.6% below 0".
    public var description: String {
        let regions = aboveCapIn.isEmpty
            ? "" : " (by region: " + aboveCapIn.map { String(format: "%.2f%%", 100 * $0) }.joined(separator: ", ") + ")"
        return String(format: "call %2d ", index) + "\(shape): " + String(format: "%.2f%% above 6", 100 * aboveCap)
            + regions + String(format: ", %.1f%% below 0", 100 * belowZero)
    }
}

/// Every ReLU6 call of one forward pass of `model` on item 0 of `input`, in the order they ran, with the share
/// of values on each flat part; `regions` (of the input picture) split the above-cap share by place.
///
/// The inputs are collected by a backward rule that records what each ReLU6 saw forward and then passes the
/// ordinary gradient on, so the numbers are exactly those the gradient of lesson 1 goes through.
///
/// ```swift
/// let census = relu6Census(model: model, input: x, regions: [example.dogPanel, example.catPanel])
/// print(census.count, "ReLU6 calls")
/// ```
public func relu6Census(model: Module, input: Tensor, regions: [PhotoRegion] = []) -> [ReLU6Call] {
    let recorder = CallRecorder()
    var rules = BackwardRules()
    rules[.relu6] = ClosureRule { context, upstream in
        recorder.append(context.input)
        return context.defaultGradient(upstream)
    }
    let x = input.detached().requiringGrad()
    let output = withBackwardRules(rules) { model(x) }
    _ = gradients(of: output, seed: Tensor.ones(output.shape), wrt: [x])
    // The backward pass meets the calls last-first.
    return recorder.inputs.reversed().enumerated().map { index, tensor in
        summarize(tensor, index: index, regions: regions)
    }
}

private func summarize(_ tensor: Tensor, index: Int, regions: [PhotoRegion]) -> ReLU6Call {
    let shape = tensor.shape
    let values = tensor.scalars
    let (channels, rows, columns) = shape.count == 4 ? (shape[1], shape[2], shape[3]) : (1, 1, values.count)
    let perItem = channels * rows * columns
    let item = values.prefix(perItem)
    let above = item.filter { $0 > 6 }.count, below = item.filter { $0 < 0 }.count
    let masks = regions.map { $0.mask(rows: rows, columns: columns) }
    let plane = rows * columns
    let shares: [Float] = masks.map { mask in
        var inside = 0, high = 0
        for channel in 0..<channels {
            let base = channel * plane
            for p in 0..<plane where mask[p] {
                inside += 1
                if item[item.startIndex + base + p] > 6 { high += 1 }
            }
        }
        return inside > 0 ? Float(high) / Float(inside) : 0
    }
    let count = Float(max(1, item.count))
    return ReLU6Call(index: index, shape: shape, aboveCap: Float(above) / count, belowZero: Float(below) / count,
                     aboveCapIn: shares)
}

/// Collects tensors from backward rules, which may run on any thread.
private final class CallRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Tensor] = []

    func append(_ tensor: Tensor) { lock.withLock { stored.append(tensor) } }
    var inputs: [Tensor] { lock.withLock { stored } }
}
