import Engine
import Foundation

/// Extremal perturbation's smooth mask generator (TorchRay's `MaskGenerator`, smooth-max pooling): a grid of
/// parameters every `step` pixels, each spreading a flat-topped bump of radius σ, combined per pixel by a
/// softmax-weighted mean (coldness 20) of the (2r+1)² nearby bumps, clamped to [0, 1].
///
/// The forward pass keeps each pixel's tap coefficients ∂mask/∂parameter, so the backward pass is one
/// scatter; the Python version builds a (2r+1)²-channel tensor of the full mask size and autograd.
/// - Paper: https://arxiv.org/abs/1910.08485 (Fong, Patrick, Vedaldi, ICCV 2019)
public struct SmoothMaskGenerator: Sendable {
    /// The cropped mask's height and width (the input's).
    public let height: Int, width: Int
    /// Parameter spacing in pixels.
    public let step: Int
    /// Bump radius in pixels.
    public let sigma: Float
    /// Softmax coldness (TorchRay: 20).
    public let coldness: Float = 20
    /// Extra border of the full mask on each side (TorchRay: σ).
    public let margin: Float
    /// Parameter grid size (⌈H/step⌉ × ⌈W/step⌉).
    public let parameterHeight: Int, parameterWidth: Int
    /// Full (margin-padded) mask size; the area regulariser sees this whole mask.
    public let fullHeight: Int, fullWidth: Int
    let padding: Int, radius: Int
    var taps: Int { (2 * radius + 1) * (2 * radius + 1) }
    /// Per full-mask row/column: the up-sampled grid cell (nearest), shared by the weights and the gather.
    let cellRow: [Int], cellColumn: [Int]
    /// Bump weights, tap-innermost: weights[(y·fullWidth + x)·taps + k].
    let weights: [Float]

    /// A generator for masks of `height`×`width` (TorchRay: step 7, σ 21).
    public init(height: Int, width: Int, step: Int = 7, sigma: Float = 21) throws {
        guard step >= 1 else { throw PerturbationError(.step, "must be at least 1, got \(step)") }
        guard sigma > 0, sigma.isFinite else { throw PerturbationError(.sigma, "must be a finite number > 0, got \(sigma)") }
        self.height = height
        self.width = width
        self.step = step
        self.sigma = sigma
        margin = sigma
        padding = 1 + Int((Double(margin + sigma) / Double(step)).rounded(.up))
        radius = 1 + Int((Double(sigma) / Double(step)).rounded(.up))
        parameterHeight = (height + step - 1) / step
        parameterWidth = (width + step - 1) / step
        let midH = parameterHeight + 2 * padding - (2 * radius + 1) + 1
        let midW = parameterWidth + 2 * padding - (2 * radius + 1) + 1
        fullHeight = step * midH - step + 1
        fullWidth = step * midW - step + 1
        // PyTorch's nearest up-sampling and TorchRay's weights both take floor(u · mid/up) in float32.
        func cells(_ full: Int, _ mid: Int) -> [Int] {
            let ratio = Float(mid) / Float(step * mid)
            return (0..<full).map { min(Int((ratio * Float($0)).rounded(.down)), mid - 1) }
        }
        cellRow = cells(fullHeight, midH)
        cellColumn = cells(fullWidth, midW)
        weights = Self.bumpWeights(rows: cellRow, columns: cellColumn, radius: radius, padding: padding,
                                   step: step, sigma: sigma, margin: margin)
    }

    /// TorchRay's kernel exp(−2·max(d/σ − ½, 0)²) of the distance d from each pixel to each nearby parameter,
    /// parameter (iy, ix) sitting at pixel (margin + step·iy, margin + step·ix); float32 as in PyTorch.
    static func bumpWeights(rows: [Int], columns: [Int], radius: Int, padding: Int, step: Int, sigma: Float,
                            margin: Float) -> [Float] {
        let side = 2 * radius + 1, taps = side * side
        var weights = [Float](repeating: 0, count: rows.count * columns.count * taps)
        for (uy, cy) in rows.enumerated() {
            for (ux, cx) in columns.enumerated() {
                let base = (uy * columns.count + ux) * taps
                for ky in 0..<side {
                    let iy = Float(cy + ky - padding)
                    let dy = Float(uy) - (margin + Float(step) * iy)
                    for kx in 0..<side {
                        let ix = Float(cx + kx - padding)
                        let dx = Float(ux) - (margin + Float(step) * ix)
                        let z = (dy * dy + dx * dx).squareRoot() / sigma
                        let t = max(z - 0.5, 0)
                        weights[base + ky * side + kx] = Foundation.exp(-2 * (t * t))
                    }
                }
            }
        }
        return weights
    }

    /// TorchRay's `weight[0, tap, row, column]`: the bump weight of parameter `tap` (row-major in the
    /// (2r+1)×(2r+1) neighbourhood) at full-mask pixel (row, column).
    public func weight(tap: Int, row: Int, column: Int) -> Float { weights[(row * fullWidth + column) * taps + tap] }

    /// The number of neighbouring parameters each pixel combines, (2r+1)².
    public var tapCount: Int { taps }

    /// The result of one forward pass for K parameter grids.
    public struct Output {
        /// K×1×H×W, the mask over the input.
        public let cropped: Tensor
        /// K×1×fullHeight×fullWidth, the whole clamped mask (margins included).
        public let full: Tensor
        /// ∂full/∂parameter per pixel and tap (0 where the clamp is active).
        let coefficients: [Float]
    }

    /// The masks of K parameter grids (`parameters`: K×pH×pW floats, row-major).
    public func generate(_ parameters: [Float], count k: Int) -> Output {
        let taps = taps, side = 2 * radius + 1, pH = parameterHeight, pW = parameterWidth
        let fullPlane = fullHeight * fullWidth
        let full = TensorStorage(count: k * fullPlane)
        var coefficients = [Float](repeating: 0, count: k * fullPlane * taps)
        let rows = fullHeight, cols = fullWidth, c = coldness
        // Zero-padded parameters: every pixel's (2r+1)² neighbourhood is then side rows of side contiguous
        // values, no bounds checks (out-of-grid taps are 0 and still take part in the softmax, as in TorchRay).
        let (padded, paddedWidth) = paddedParameters(parameters, count: k)
        padded.withUnsafeBufferPointer { params in
            weights.withUnsafeBufferPointer { w in
                coefficients.withUnsafeMutableBufferPointer { coef in
                    nonisolated(unsafe) let coef = coef, params = params, w = w
                    let out = full.pointer
                    let paddedPlane = padded.count / max(k, 1)
                    engineParallelFor(k * rows) { job in
                        let area = job / rows, uy = job % rows
                        let p = params.baseAddress! + area * paddedPlane
                        let m = UnsafeMutablePointer<Float>.allocate(capacity: taps)
                        defer { m.deallocate() }
                        for ux in 0..<cols {
                            let pixel = uy * cols + ux
                            let wp = w.baseAddress! + pixel * taps
                            let corner = p + cellRow[uy] * paddedWidth + cellColumn[ux]
                            for ky in 0..<side {
                                let row = corner + ky * paddedWidth, wr = wp + ky * side, mr = m + ky * side
                                for kx in 0..<side { mr[kx] = wr[kx] * row[kx] }
                            }
                            var top = -Float.infinity
                            for t in 0..<taps { top = max(top, c * m[t]) }
                            let cp = coef.baseAddress! + (area * fullPlane + pixel) * taps
                            for t in 0..<taps { cp[t] = FastExp.exp(c * m[t] - top) }
                            var total: Float = 0
                            for t in 0..<taps { total += cp[t] }
                            let inverse = 1 / total
                            var smax: Float = 0
                            for t in 0..<taps {
                                cp[t] *= inverse
                                smax += m[t] * cp[t]
                            }
                            out[area * fullPlane + pixel] = min(max(smax, 0), 1)
                            // PyTorch's clamp passes the gradient where 0 ≤ x ≤ 1.
                            let pass: Float = smax >= 0 && smax <= 1 ? 1 : 0
                            for t in 0..<taps { cp[t] = pass * cp[t] * (1 + c * (m[t] - smax)) * wp[t] }
                        }
                    }
                }
            }
        }
        let fullTensor = Tensor(shape: [k, 1, fullHeight, fullWidth], storage: full)
        _ = (pH, pW)
        return Output(cropped: crop(fullTensor), full: fullTensor, coefficients: coefficients)
    }

    /// The K parameter grids with `padding` zeros on every side, and the padded width.
    func paddedParameters(_ parameters: [Float], count k: Int) -> ([Float], Int) {
        let pH = parameterHeight, pW = parameterWidth
        let height = pH + 2 * padding, width = pW + 2 * padding
        var padded = [Float](repeating: 0, count: k * height * width)
        for area in 0..<k {
            for y in 0..<pH {
                for x in 0..<pW { padded[(area * height + y + padding) * width + x + padding] = parameters[(area * pH + y) * pW + x] }
            }
        }
        return (padded, width)
    }

    /// The H×W window of the full mask that lies over the input (offset round(margin)).
    public func crop(_ full: Tensor) -> Tensor {
        let k = full.shape[0], m = Int(margin.rounded(.toNearestOrEven))
        let out = TensorStorage(count: k * height * width)
        full.withUnsafeBufferPointer { src in
            for area in 0..<k {
                for y in 0..<height {
                    let s = src.baseAddress! + (area * fullHeight + y + m) * fullWidth + m
                    (out.pointer + (area * height + y) * width).update(from: s, count: width)
                }
            }
        }
        return Tensor(shape: [k, 1, height, width], storage: out)
    }

    /// ∂L/∂parameters (K×pH×pW) from ∂L/∂full (K×fullH×fullW) and ∂L/∂cropped (K×H×W, added to the window).
    public func backward(_ output: Output, fullGradient: [Float], croppedGradient: [Float], count k: Int) -> [Float] {
        let taps = taps, side = 2 * radius + 1, pH = parameterHeight, pW = parameterWidth
        let rows = fullHeight, cols = fullWidth, fullPlane = rows * cols, pad = padding
        let m = Int(margin.rounded(.toNearestOrEven)), h = height, w = width
        let threads = max(1, min(OpenBLASSetup.threads, rows))
        var partial = [Float](repeating: 0, count: threads * k * pH * pW)
        partial.withUnsafeMutableBufferPointer { part in
            output.coefficients.withUnsafeBufferPointer { coef in
                fullGradient.withUnsafeBufferPointer { gf in
                    croppedGradient.withUnsafeBufferPointer { gc in
                        nonisolated(unsafe) let part = part, coef = coef, gf = gf, gc = gc
                        engineParallelFor(threads) { thread in
                            let acc = part.baseAddress! + thread * k * pH * pW
                            for area in 0..<k {
                                let grad = acc + area * pH * pW
                                for uy in (rows * thread / threads)..<(rows * (thread + 1) / threads) {
                                    let cy = cellRow[uy] - pad
                                    for ux in 0..<cols {
                                        var g = gf[area * fullPlane + uy * cols + ux]
                                        let y = uy - m, x = ux - m
                                        if y >= 0 && y < h && x >= 0 && x < w { g += gc[(area * h + y) * w + x] }
                                        if g == 0 { continue }
                                        let cp = coef.baseAddress! + (area * fullPlane + uy * cols + ux) * taps
                                        let cx = cellColumn[ux] - pad
                                        for ky in 0..<side {
                                            let py = cy + ky
                                            if py < 0 || py >= pH { continue }
                                            for kx in 0..<side {
                                                let px = cx + kx
                                                if px < 0 || px >= pW { continue }
                                                grad[py * pW + px] += g * cp[ky * side + kx]
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var total = [Float](repeating: 0, count: k * pH * pW)
        for t in 0..<threads {
            for i in total.indices { total[i] += partial[t * total.count + i] }
        }
        return total
    }
}

/// A branch-free float32 e^x (Cephes' `expf` polynomial, within about 1 ulp for x in [−87, 88]) that the
/// compiler can vectorise; the mask generator evaluates (2r+1)² of them per pixel and iteration.
enum FastExp {
    @inline(__always)
    static func exp(_ value: Float) -> Float {
        let x = min(max(value, -87), 88)
        // n = round(x / ln 2) by the 1.5·2²³ trick: the integer lands in the low mantissa bits.
        let shifted = x * 1.44269504 + 12_582_912
        let n = shifted - 12_582_912
        let r = x - n * 0.693359375 + n * 2.12194440e-4
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let e = p * (r * r) + r + 1
        let exponent = (shifted.bitPattern &- 0x4B40_0000) &+ 127
        return e * Float(bitPattern: exponent << 23)
    }
}
