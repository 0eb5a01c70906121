import Engine
import Models

/// SmoothGrad (Smilkov et al. 2017): the gradient saliency map (max_c |∂y/∂x|, at `layer` if given) averaged
/// over `settings.samples` copies of each input item with Gaussian noise of σ = `settings.noiseLevel` ·
/// (max − min of that item). The noise comes from `SplitMix64(seed: settings.seed)`, so a seed fixes the map;
/// samples are evaluated `settings.batchSize` at a time. With σ = 0 the result is the gradient map.
///
/// The maps are averaged after the channel reduction, as in the paper (M̂(x) = 1/n Σ M(x + ε)); Captum's
/// NoiseTunnel averages per-channel |gradients| first, which differs only in the order of max and mean.
/// - Returns: an N×1×h×w map.
/// - Paper: https://arxiv.org/abs/1706.03825
public func smoothGrad(
    model: Module, input: Tensor, target: BackwardTarget, layer: LayerPath? = nil, settings: MethodSettings = MethodSettings()
) throws -> Tensor {
    try SaliencyInput.validate(input, for: model)
    try settings.validate()
    let x = input.detached()
    let seeds = try target.backwardGradient(for: model(x))
    let items = x.shape[0]
    let batches = (settings.samples + settings.batchSize - 1) / settings.batchSize
    var random = SplitMix64(seed: settings.seed)
    var maps: [Tensor] = []
    for n in 0..<items {
        let xn = BatchItems.item(x, n), seed = BatchItems.item(seeds, n)
        let sigma = settings.noiseLevel * valueRange(xn)
        var sum: [Float] = []
        var mapShape: [Int] = []
        for b in 0..<batches {
            let count = min(settings.batchSize, settings.samples - b * settings.batchSize)
            let noise = Tensor.randomNormal([count] + xn.shape.dropFirst(), std: sigma, using: &random)
            let noisy = Elementwise.zip(BatchItems.repeated(xn, count), noise) { $0 + $1 }
            let batchMaps = try saliency(
                model: model, input: noisy, target: .gradient(BatchItems.repeated(seed, count)), layer: layer ?? .root,
                rules: BackwardRules(), reduction: .maxAbsGradient)
            let per = batchMaps.count / count
            if sum.isEmpty { sum = [Float](repeating: 0, count: per); mapShape = [1] + batchMaps.shape.dropFirst() }
            batchMaps.withUnsafeBufferPointer { m in
                for k in 0..<count { for i in 0..<per { sum[i] += m[k &* per &+ i] } }
            }
            settings.progress?(n * batches + b + 1, items * batches)
        }
        let scale = 1 / Float(settings.samples)
        maps.append(Tensor(shape: mapShape, scalars: sum.map { $0 * scale }))
    }
    return BatchItems.stack(maps)
}

/// max − min of a tensor's values (0 for a constant tensor).
func valueRange(_ t: Tensor) -> Float {
    t.withUnsafeBufferPointer { p in
        var lo = Float.infinity, hi = -Float.infinity
        for v in p { lo = min(lo, v); hi = max(hi, v) }
        return p.isEmpty ? 0 : hi - lo
    }
}
