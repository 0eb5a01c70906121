import Engine
import Models

/// What `integratedGradients` computes per input item.
public struct IntegratedGradientsResult: Sendable {
    /// (x − x′) ⊙ Σ_k w_k ∂y/∂x(x′ + α_k (x − x′)), same shape as the input (N×C×H×W).
    public let attributions: Tensor
    /// Σ_c attributions: the N×1×H×W map (signed).
    public let map: Tensor
    /// y(x) − y(x′) per item, where y is the target output (Σ output ⊙ backward gradient).
    public let outputDifference: [Double]
    /// Completeness gap per item: Σ attributions − (y(x) − y(x′)) (Captum's convergence delta); it shrinks as
    /// `steps` grows.
    public let delta: [Double]
}

/// Integrated gradients (Sundararajan et al. 2017) with Captum's semantics: zero baseline by default, the path
/// x′ + α(x − x′) sampled at `settings.steps` points of `settings.integration` (Gauss–Legendre by default),
/// evaluated `settings.batchSize` points per pass; gradients of the target output with ordinary backward rules.
/// - Throws: `AttributionError` for a bad input, target, baseline or setting.
/// - Paper: https://arxiv.org/abs/1703.01365
public func integratedGradients(
    model: Module, input: Tensor, target: BackwardTarget, settings: MethodSettings = MethodSettings()
) throws -> IntegratedGradientsResult {
    try SaliencyInput.validate(input, for: model)
    try settings.validate()
    if settings.integration == .riemannTrapezoid && settings.steps < 2 {
        throw AttributionError.invalidSetting(.steps, "the trapezoid rule needs at least 2 steps, got \(settings.steps)")
    }
    let x = input.detached()
    let baseline = try BatchItems.baseline(settings.baseline, for: x)
    let seeds = try target.backwardGradient(for: model(x))
    let points = settings.integration.points(settings.steps)
    let batches = (points.count + settings.batchSize - 1) / settings.batchSize
    let items = x.shape[0]
    var attributions: [Tensor] = [], differences: [Double] = [], deltas: [Double] = []
    for n in 0..<items {
        let xn = BatchItems.item(x, n), bn = BatchItems.item(baseline, n), seed = BatchItems.item(seeds, n)
        var average = [Float](repeating: 0, count: xn.count)
        for b in 0..<batches {
            let chunk = Array(points[(b * settings.batchSize)..<min(points.count, (b + 1) * settings.batchSize)])
            accumulatePathGradients(model: model, from: bn, to: xn, points: chunk, seed: seed, into: &average)
            settings.progress?(n * batches + b + 1, items * batches)
        }
        let attribution = BatchItems.zip(xn, bn, average) { x, b, g in (x - b) * g }
        let difference = BatchItems.dot(model(xn), seed) - BatchItems.dot(model(bn), seed)
        attributions.append(attribution)
        differences.append(difference)
        deltas.append(attribution.scalars.reduce(0.0) { $0 + Double($1) } - difference)
    }
    let all = BatchItems.stack(attributions)
    let map = SaliencyReduction.channelSum.apply(activation: all, gradient: all)  // Σ_c attributions
    return IntegratedGradientsResult(attributions: all, map: map, outputDifference: differences, delta: deltas)
}

/// Adds Σ_k w_k ∂y/∂x at x′ + α_k (x − x′) for the points of one batch to `average`.
private func accumulatePathGradients(
    model: Module, from baseline: Tensor, to x: Tensor, points: [(alpha: Double, weight: Double)], seed: Tensor,
    into average: inout [Float]
) {
    let per = x.count
    let storage = TensorStorage(count: per * points.count)
    x.withUnsafeBufferPointer { px in
        baseline.withUnsafeBufferPointer { pb in
            for (k, point) in points.enumerated() {
                let row = storage.pointer + k &* per
                let a = Float(point.alpha)
                for i in 0..<per { row[i] = pb[i] + a * (px[i] - pb[i]) }
            }
        }
    }
    let batch = Tensor(shape: [points.count] + x.shape.dropFirst(), storage: storage).requiringGrad()
    let output = model(batch)
    let seeds = BatchItems.repeated(seed, points.count)
    let gradient = gradients(of: output, seed: seeds, wrt: [batch])[0]
    gradient.withUnsafeBufferPointer { g in
        for (k, point) in points.enumerated() {
            let w = Float(point.weight), row = k &* per
            for i in 0..<per { average[i] += w * g[row &+ i] }
        }
    }
}

/// Helpers to split a batch into items and build batches of copies (no autograd: plain buffers).
enum BatchItems {
    /// Item n of an N×… tensor, as a 1×… tensor.
    static func item(_ t: Tensor, _ n: Int) -> Tensor {
        let per = t.count / t.shape[0]
        let storage = TensorStorage(count: per)
        t.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress! + n * per, count: per) }
        return Tensor(shape: [1] + t.shape.dropFirst(), storage: storage)
    }

    /// `count` copies of a 1×… tensor stacked on axis 0.
    static func repeated(_ t: Tensor, _ count: Int) -> Tensor {
        let per = t.count
        let storage = TensorStorage(count: per * count)
        t.withUnsafeBufferPointer { src in
            for k in 0..<count { (storage.pointer + k * per).update(from: src.baseAddress!, count: per) }
        }
        return Tensor(shape: [count] + t.shape.dropFirst(), storage: storage)
    }

    /// 1×… tensors stacked into an N×… tensor.
    static func stack(_ items: [Tensor]) -> Tensor {
        let per = items[0].count
        let storage = TensorStorage(count: per * items.count)
        for (k, t) in items.enumerated() {
            t.withUnsafeBufferPointer { (storage.pointer + k * per).update(from: $0.baseAddress!, count: per) }
        }
        return Tensor(shape: [items.count] + items[0].shape.dropFirst(), storage: storage)
    }

    /// f(a[i], b[i], c[i]) with the shape of `a`.
    static func zip(_ a: Tensor, _ b: Tensor, _ c: [Float], _ f: (Float, Float, Float) -> Float) -> Tensor {
        let storage = TensorStorage(count: a.count)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                for i in 0..<pa.count { storage.pointer[i] = f(pa[i], pb[i], c[i]) }
            }
        }
        return Tensor(shape: a.shape, storage: storage)
    }

    /// Σ a ⊙ b in double precision.
    static func dot(_ a: Tensor, _ b: Tensor) -> Double {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                var total = 0.0
                for i in 0..<min(pa.count, pb.count) { total += Double(pa[i]) * Double(pb[i]) }
                return total
            }
        }
    }

    /// The baseline batch: zeros for nil, else the given tensor (the input's shape, or one item for all).
    static func baseline(_ given: Tensor?, for x: Tensor) throws -> Tensor {
        guard let given else { return Tensor.zeros(x.shape) }
        if given.shape == x.shape { return given.detached() }
        if given.shape == [1] + x.shape.dropFirst() { return repeated(given, x.shape[0]) }
        throw AttributionError.invalidSetting(.baseline, "the baseline has shape \(given.shape); it must match the input \(x.shape)"
            + (x.shape[0] > 1 ? " or one item \([1] + x.shape.dropFirst())" : ""))
    }
}
