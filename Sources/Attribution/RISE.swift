import Engine
import Foundation
import Models

/// Which classes RISE keeps (TorchRay's `rise` keeps all; a map per class costs H·W floats).
public enum RISEClasses: Sendable, Equatable {
    /// Every output class: the result is N×C×H×W.
    case all
    /// These classes, in this order: the result is N×(count)×H×W.
    case only([Int])
}

/// RISE (TorchRay's `rise`): the saliency of class c at pixel u is the average over masks M of
/// σ(f_c(x ⊙ M)) · M(u), with the model's logits squashed by a sigmoid and no 1/p factor, as TorchRay does.
///
/// Masks are generated (or read) one batch at a time and the masked inputs evaluated in batches of
/// `batchSize`, so memory does not grow with the number of masks: only the N×C'×H×W sums are kept.
///
/// ```swift
/// let all = try rise(model: lite0, input: x, masks: .random(count: 500, seed: 1))       // 1×1000×224×224
/// let cat = try riseClass(model: lite0, input: x, target: 281, masks: .random(count: 500))  // 1×1×224×224
/// ```
/// - Paper: https://arxiv.org/abs/1806.07421 (Petsiuk, Das, Saenko, BMVC 2018)
/// - Parameters:
///   - classes: `.all` (TorchRay) or the classes to keep.
///   - masks: `.random(count:cells:probability:seed:)` (TorchRay's recipe, the engine's RNG) or `.given(M×1×H×W)`.
///   - batchSize: masked inputs per forward pass (TorchRay: 32).
///   - resize: `false`, `true` (the input's size; a no-op) or `.size(width:height:)`, bilinear unless `resizeMode`.
///   - progress: called after each batch with (masks done, total) summed over the input items.
/// - Throws: `PerturbationError` naming the bad option; `AttributionError` for a bad input or class.
public func rise(
    model: Module, input: Tensor, classes: RISEClasses = .all, masks: RISEMaskSource = .random(),
    batchSize: Int = 32, resize: SaliencyResize = false, resizeMode: ResizeMode = .bilinear,
    progress: ((_ done: Int, _ total: Int) -> Void)? = nil
) throws -> Tensor {
    try SaliencyInput.validate(input, for: model)
    guard batchSize >= 1 else { throw PerturbationError(.batchSize, "must be at least 1, got \(batchSize)") }
    if case .size(let width, let height) = resize, width <= 0 || height <= 0 {
        throw PerturbationError(.resize, "size must be positive, got width \(width), height \(height)")
    }
    let n = input.shape[0], channels = input.shape[1], height = input.shape[2], width = input.shape[3]
    var stream = try RISEMaskStream(masks, height: height, width: width)
    let total = masks.count
    let plane = height * width

    // One unmasked forward pass tells the number of classes (TorchRay does the same).
    let classCount = try RISEScores.classCount(of: model(input[0].reshaped([1, channels, height, width]).detached()))
    let kept: [Int]
    switch classes {
    case .all: kept = Array(0..<classCount)
    case .only(let list):
        for c in list where !(0..<classCount).contains(c) { throw AttributionError.targetOutOfRange(c, classes: classCount) }
        kept = list
    }
    let sums = TensorStorage(zeros: n * kept.count * plane)
    let maskBuffer = UnsafeMutablePointer<Float>.allocate(capacity: min(batchSize, total) * plane)
    defer { maskBuffer.deallocate() }
    let scores = UnsafeMutablePointer<Float>.allocate(capacity: min(batchSize, total) * max(kept.count, 1))
    defer { scores.deallocate() }

    var done = 0
    while done < total {
        let count = min(batchSize, total - done)
        stream.fill(maskBuffer, count: count)
        for item in 0..<n {
            let masked = RISEScores.maskedBatch(input, item: item, masks: maskBuffer, count: count)
            try RISEScores.sigmoidScores(model(masked), classes: kept, classCount: classCount, into: scores)
            // sums[item] (C'×HW) += scoresᵀ (C'×count) · masks (count×HW)
            addTransposedProduct(scores, maskBuffer, into: sums.pointer + item * kept.count * plane,
                                 m: kept.count, n: plane, k: count)
        }
        done += count
        progress?(done * n, total * n)
    }
    let scale = 1 / Float(total)
    for i in 0..<sums.count { sums.pointer[i] *= scale }
    var map = Tensor(shape: [n, kept.count, height, width], storage: sums)
    if let size = resize.targetSize(inputShape: input.shape), size.height != height || size.width != width {
        map = map.resized(height: size.height, width: size.width, mode: resizeMode)
    }
    return map
}

/// `rise_class`: the RISE map of one class for every item (an Int; TorchRay only accepts a list, a bug the
/// seed notes), computing only that class's sums. Returns N×1×H×W.
///
/// ```swift
/// let map = try riseClass(model: model, input: x, target: 249, masks: .random(count: 4000, seed: 1))   // N×1×H×W
/// ```
public func riseClass(
    model: Module, input: Tensor, target: Int, masks: RISEMaskSource = .random(), batchSize: Int = 32,
    resize: SaliencyResize = false, resizeMode: ResizeMode = .bilinear,
    progress: ((_ done: Int, _ total: Int) -> Void)? = nil
) throws -> Tensor {
    try rise(model: model, input: input, classes: .only([target]), masks: masks, batchSize: batchSize,
             resize: resize, resizeMode: resizeMode, progress: progress)
}

/// `rise_class` with one class per item (TorchRay's list form): item i gets the map of `targets[i]`.
public func riseClass(
    model: Module, input: Tensor, targets: [Int], masks: RISEMaskSource = .random(), batchSize: Int = 32,
    resize: SaliencyResize = false, resizeMode: ResizeMode = .bilinear,
    progress: ((_ done: Int, _ total: Int) -> Void)? = nil
) throws -> Tensor {
    guard input.rank == 4, targets.count == input.shape[0] else {
        throw AttributionError.targetCountMismatch(targets.count, batch: input.rank == 4 ? input.shape[0] : 0)
    }
    let distinct = Array(Set(targets)).sorted()
    let all = try rise(model: model, input: input, classes: .only(distinct), masks: masks, batchSize: batchSize,
                       resize: resize, resizeMode: resizeMode, progress: progress)
    let plane = all.shape[2] * all.shape[3]
    let out = TensorStorage(count: targets.count * plane)
    all.withUnsafeBufferPointer { src in
        for (item, t) in targets.enumerated() {
            let channel = distinct.firstIndex(of: t)!
            (out.pointer + item * plane).update(from: src.baseAddress! + (item * distinct.count + channel) * plane, count: plane)
        }
    }
    return Tensor(shape: [targets.count, 1, all.shape[2], all.shape[3]], storage: out)
}

/// The per-batch pieces of RISE.
enum RISEScores {
    /// The number of classes of an N×C (or N×C×1×1) output.
    static func classCount(of output: Tensor) throws -> Int {
        guard output.rank >= 2, output.count == output.shape[0] * output.shape[1] else {
            throw AttributionError.invalidOption("RISE needs a model with N×C (or N×C×1×1) outputs; got \(output.shape)")
        }
        return output.shape[1]
    }

    /// count×C×H×W: item `item` of `input` times each mask (broadcast over channels).
    static func maskedBatch(_ input: Tensor, item: Int, masks: UnsafePointer<Float>, count: Int) -> Tensor {
        let channels = input.shape[1], plane = input.shape[2] * input.shape[3]
        let out = TensorStorage(count: count * channels * plane)
        input.withUnsafeBufferPointer { x in
            let image = x.baseAddress! + item * channels * plane
            engineParallelFor(count * channels) { job in
                let m = masks + (job / channels) &* plane
                let src = image + (job % channels) &* plane, dst = out.pointer + job &* plane
                for p in 0..<plane { dst[p] = src[p] * m[p] }
            }
        }
        return Tensor(shape: [count, channels, input.shape[2], input.shape[3]], storage: out)
    }

    /// σ(logits) of the kept classes, written as count×C' (row = mask).
    static func sigmoidScores(_ output: Tensor, classes: [Int], classCount: Int, into scores: UnsafeMutablePointer<Float>) throws {
        guard output.rank >= 2, output.count == output.shape[0] * classCount else {
            throw AttributionError.invalidOption("RISE needs a model with N×C (or N×C×1×1) outputs; got \(output.shape)")
        }
        let count = output.shape[0]
        output.withUnsafeBufferPointer { y in
            for row in 0..<count {
                for (j, c) in classes.enumerated() {
                    scores[row * classes.count + j] = 1 / (1 + Foundation.exp(-y[row * classCount + c]))
                }
            }
        }
    }
}
