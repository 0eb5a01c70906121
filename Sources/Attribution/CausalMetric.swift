import Engine
import Foundation
import Models

/// The RISE paper's causal metrics (§8.4): deletion and insertion curves and their areas.
///
/// Pixels are visited from the most to the least salient. **Deletion** starts from the image and replaces
/// `step` pixels at a time (all channels) by zero — the mean in normalised space; **insertion** starts
/// from a blurred copy and puts `step` original pixels back at a time. After every step (and before the
/// first) the class's softmax probability is recorded: n = ⌈H·W / step⌉ steps give n + 1 points. A good map
/// makes the deletion curve fall fast (low AUC) and the insertion curve rise fast (high AUC).
/// - Paper: https://arxiv.org/abs/1806.07421 (Petsiuk, Das, Saenko, "RISE", BMVC 2018)
///
/// ```swift
/// let deletion = CausalMetric(kind: .deletion, step: 1792, batchSize: 8)
/// let curve = try deletion.curve(model: model, input: x, saliency: map, target: 249)
/// print("deletion AUC", areaUnderCurve(curve)!)
/// ```
public struct CausalMetric: Sendable, Equatable {
    /// Which curve.
    public enum Kind: String, Sendable, CaseIterable, CustomStringConvertible {
        /// Remove the most salient pixels first (lower AUC is better).
        case deletion
        /// Insert the most salient pixels first into a blurred image (higher AUC is better).
        case insertion

        /// "deletion" / "insertion".
        public var description: String { rawValue }
    }

    /// Which curve this metric traces.
    public var kind: Kind
    /// Pixels changed per step (the paper's notebook: 224, one row's worth, for a 224×224 image).
    public var step: Int
    /// Perturbed images evaluated per forward pass (capped at 2^22 input values, 27 images of 224 px).
    public var batchSize: Int

    /// A metric of `kind` changing `step` pixels per step.
    public init(kind: Kind, step: Int = 224, batchSize: Int = 8) {
        self.kind = kind
        self.step = step
        self.batchSize = batchSize
    }

    /// Number of steps for an image of `pixels` pixels: ⌈pixels / step⌉.
    public func stepCount(pixels: Int) -> Int { pixels / step + (pixels % step == 0 ? 0 : 1) }

    /// The curve of class `target`'s probability as pixels are deleted or inserted in saliency order.
    ///
    /// - Parameters:
    ///   - input: a 1×C×H×W model input (normalised).
    ///   - saliency: the map, H×W or 1×1×H×W at the input's size (resize it first).
    ///   - progress: called after each batch with (images evaluated, images in all).
    /// - Returns: ⌈H·W / step⌉ + 1 probabilities.
    public func curve(
        model: Module, input: Tensor, saliency: Tensor, target: Int,
        progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> [Double] {
        try validate(input: input, saliency: saliency)
        let channels = input.shape[1], plane = input.shape[2] * input.shape[3]
        let order = Self.pixelOrder(saliency)
        let (start, finish) = substrates(for: input)
        let steps = stepCount(pixels: plane)
        let stepSize = min(step, plane)  // a larger step changes nothing and keeps index sums far from overflow
        var current = start
        var scores: [Double] = []
        scores.reserveCapacity(steps + 1)
        progress?(0, steps + 1)
        var next = 0  // next step whose image is to be evaluated
        while next <= steps {
            // At most 2^22 input values (16 MB, 27 images at 224 px) per batch whatever was asked: the activations
            // of a batch take far more memory than its inputs.
            let count = min(batchSize, steps + 1 - next, max(1, (1 << 22) / (channels * plane)))
            var batch = [Float](repeating: 0, count: count * channels * plane)
            for slot in 0..<count {
                batch.replaceSubrange(slot * channels * plane..<(slot + 1) * channels * plane, with: current)
                Self.copy(order: order, step: next + slot, stepSize: stepSize, from: finish, into: &current,
                          channels: channels, plane: plane)
            }
            let output = model(Tensor(shape: [count] + input.shape.dropFirst(), scalars: batch))
            scores += try Self.probabilities(output, target: target)
            next += count
            progress?(scores.count, steps + 1)
        }
        return scores
    }

    private func validate(input: Tensor, saliency: Tensor) throws {
        guard step >= 1 else { throw AttributionError.invalidOption("step must be at least 1 pixel, got \(step)") }
        guard batchSize >= 1 else { throw AttributionError.invalidOption("batch size must be at least 1, got \(batchSize)") }
        guard input.rank == 4, input.shape[0] == 1, input.shape.allSatisfy({ $0 > 0 }) else {
            throw AttributionError.invalidInputShape(input.shape, expected: "1×C×H×W (one image)")
        }
        let h = input.shape[2], w = input.shape[3]
        guard saliency.shape == [h, w] || saliency.shape == [1, 1, h, w] else {
            throw AttributionError.invalidOption(
                "the saliency map has shape \(saliency.shape); it must be \(h)×\(w) or 1×1×\(h)×\(w), the input's size")
        }
    }

    /// Start and finish images (flattened C×H×W): deletion goes image → zeros, insertion blur → image.
    func substrates(for input: Tensor) -> (start: [Float], finish: [Float]) {
        switch kind {
        case .deletion: (input.scalars, [Float](repeating: 0, count: input.count))
        case .insertion: (RISEBlur.apply(input).scalars, input.scalars)
        }
    }

    /// Copies the pixels of step `step` (positions `order[step·stepSize ..< (step+1)·stepSize]`, every channel).
    private static func copy(order: [Int], step: Int, stepSize: Int, from finish: [Float], into current: inout [Float],
                             channels: Int, plane: Int) {
        let lower = min(step &* stepSize, order.count), upper = min(lower &+ stepSize, order.count)
        guard lower < upper else { return }
        finish.withUnsafeBufferPointer { src in
            current.withUnsafeMutableBufferPointer { dst in
                for k in lower..<upper {
                    let p = order[k]
                    for c in 0..<channels { dst[c &* plane &+ p] = src[c &* plane &+ p] }
                }
            }
        }
    }

    /// softmax(output)[target] for every row of an N×K output.
    static func probabilities(_ output: Tensor, target: Int) throws -> [Double] {
        guard output.rank == 2 else {
            throw AttributionError.invalidOption("the model output has shape \(output.shape); deletion/insertion need N×K scores")
        }
        let n = output.shape[0], k = output.shape[1]
        guard (0..<k).contains(target) else { throw AttributionError.targetOutOfRange(target, classes: k) }
        var result: [Double] = []
        output.withUnsafeBufferPointer { s in
            for row in 0..<n {
                let base = row &* k
                var top = -Double.infinity
                for j in 0..<k { top = max(top, Double(s[base &+ j])) }
                var total = 0.0
                for j in 0..<k { total += Foundation.exp(Double(s[base &+ j]) - top) }
                result.append(Foundation.exp(Double(s[base &+ target]) - top) / total)
            }
        }
        return result
    }

    /// Pixel indices from the most to the least salient (the notebook's `flip(argsort(map))`).
    ///
    /// Ties go to the later pixel first — the flip of a stable ascending sort; NumPy's default quicksort
    /// leaves tie order unspecified. NaN counts as the most salient, as NumPy sorts NaN last.
    public static func pixelOrder(_ saliency: Tensor) -> [Int] {
        let values = saliency.scalars
        return values.indices.sorted { a, b in
            let va = values[a], vb = values[b]
            if va.isNaN || vb.isNaN {
                if va.isNaN && vb.isNaN { return a > b }
                return va.isNaN
            }
            return va != vb ? va > vb : a > b
        }
    }
}

/// The area under a curve sampled at n + 1 evenly spaced points of [0, 1], by the trapezoid rule:
/// (Σ sᵢ − s₀/2 − sₙ/2) / n, as the RISE paper's `auc`. Nil for fewer than two points.
///
/// ```swift
/// areaUnderCurve([1, 0.5, 0])   // 0.5
/// ```
public func areaUnderCurve(_ values: [Double]) -> Double? {
    guard values.count >= 2 else { return nil }
    let total = values.reduce(0, +)
    return (total - values[0] / 2 - values[values.count - 1] / 2) / Double(values.count - 1)
}

/// The RISE paper's insertion substrate: an 11×11 Gaussian blur (σ = 5) applied per channel with zero padding.
///
/// The kernel is what `scipy.ndimage.gaussian_filter(delta, 5)` gives on an 11×11 delta: SciPy truncates the
/// Gaussian at 4σ = 20 taps each side and reflects at the array's edges, so the mass beyond ±5 folds back in
/// and the 11 taps sum to 1. The 2-D kernel is the outer product of the 1-D one, so the blur runs as two passes.
public enum RISEBlur {
    /// The 11 taps of the 1-D kernel, centre at index 5.
    public static let kernel: [Float] = {
        let sigma = 5.0, radius = 20, length = 11, centre = 5
        var weights = (-radius...radius).map { t in Foundation.exp(-0.5 * Double(t * t) / (sigma * sigma)) }
        let sum = weights.reduce(0, +)
        weights = weights.map { $0 / sum }
        var taps = [Double](repeating: 0, count: length)
        for i in 0..<length {
            for t in -radius...radius where reflect(i + t, length: length) == centre {
                taps[i] += weights[t + radius]
            }
        }
        return taps.map { Float($0) }
    }()

    /// SciPy's "reflect" boundary (d c b a | a b c d | d c b a) for an index into `length` samples.
    static func reflect(_ index: Int, length: Int) -> Int {
        let period = 2 * length
        let r = ((index % period) + period) % period
        return r < length ? r : period - 1 - r
    }

    /// The blurred N×C×H×W tensor.
    public static func apply(_ x: Tensor) -> Tensor {
        let shape = x.shape
        let h = shape[2], w = shape[3], planes = shape[0] * shape[1]
        var out = x.scalars
        var temp = [Float](repeating: 0, count: h * w)
        let taps = kernel, half = taps.count / 2
        out.withUnsafeMutableBufferPointer { data in
            temp.withUnsafeMutableBufferPointer { row in
                for p in 0..<planes {
                    let plane = data.baseAddress! + p &* h &* w
                    // Horizontal pass into `row`, vertical pass back into the plane; outside the image is 0.
                    for y in 0..<h {
                        for x in 0..<w {
                            var acc: Float = 0
                            for k in 0..<taps.count {
                                let xx = x &+ k &- half
                                if xx >= 0 && xx < w { acc += taps[k] * plane[y &* w &+ xx] }
                            }
                            row[y &* w &+ x] = acc
                        }
                    }
                    for y in 0..<h {
                        for x in 0..<w {
                            var acc: Float = 0
                            for k in 0..<taps.count {
                                let yy = y &+ k &- half
                                if yy >= 0 && yy < h { acc += taps[k] * row[yy &* w &+ x] }
                            }
                            plane[y &* w &+ x] = acc
                        }
                    }
                }
            }
        }
        return Tensor(shape: shape, scalars: out)
    }
}
