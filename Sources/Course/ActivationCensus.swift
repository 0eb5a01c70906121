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
    // The backward pass meets the calls last-first. The calls are summarised side by side: one pass over each input.
    let inputs = Array(recorder.inputs.reversed())
    let calls = CallRecorder.Summaries(count: inputs.count)
    DispatchQueue.concurrentPerform(iterations: inputs.count) { index in
        calls.set(index, summarize(inputs[index], index: index, regions: regions))
    }
    return calls.all
}

private func summarize(_ tensor: Tensor, index: Int, regions: [PhotoRegion]) -> ReLU6Call {
    let shape = tensor.shape
    let (channels, rows, columns) = shape.count == 4 ? (shape[1], shape[2], shape[3]) : (1, 1, tensor.count)
    let plane = rows * columns
    let perItem = min(channels * plane, tensor.count)  // item 0
    // Each region as the positions of one plane whose centre lies in it.
    let insides = regions.map { region in
        let mask = region.mask(rows: rows, columns: columns)
        return mask.indices.filter { mask[$0] }
    }
    return tensor.withUnsafeBufferPointer { values in
        var above = 0, below = 0
        for i in 0..<perItem {
            let value = values[i]
            if value > 6 { above &+= 1 } else if value < 0 { below &+= 1 }
        }
        let shares: [Float] = insides.map { inside in
            guard !inside.isEmpty, perItem == channels * plane else { return 0 }
            var high = 0
            for channel in 0..<channels {
                let base = channel &* plane
                for p in inside where values[base &+ p] > 6 { high &+= 1 }
            }
            return Float(high) / Float(inside.count * channels)
        }
        let count = Float(max(1, perItem))
        return ReLU6Call(index: index, shape: shape, aboveCap: Float(above) / count, belowZero: Float(below) / count,
                         aboveCapIn: shares)
    }
}

/// Collects tensors from backward rules, which may run on any thread.
private final class CallRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Tensor] = []

    func append(_ tensor: Tensor) { lock.withLock { stored.append(tensor) } }
    var inputs: [Tensor] { lock.withLock { stored } }

    /// The calls' summaries, filled from several threads.
    final class Summaries: @unchecked Sendable {
        private let lock = NSLock()
        private var calls: [ReLU6Call?]

        init(count: Int) { calls = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ call: ReLU6Call) { lock.withLock { calls[index] = call } }
        var all: [ReLU6Call] { lock.withLock { calls.map { $0! } } }
    }
}
