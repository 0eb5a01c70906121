import Engine
import Testing

/// SplitMix64: reproducible random tensors for tests.
struct TestRandom {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [lo, hi).
    mutating func uniform(_ lo: Float = -1, _ hi: Float = 1) -> Float {
        lo + (hi - lo) * Float(Double(next() >> 11) * 0x1p-53)
    }
    mutating func tensor(_ shape: [Int], _ lo: Float = -1, _ hi: Float = 1) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in uniform(lo, hi) })
    }
    /// Values bounded away from 0 (|x| ≥ 0.2), so kinks at 0 are not crossed by finite differences.
    mutating func awayFromZero(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in
            let v = uniform(0.2, 1.5)
            return next() & 1 == 0 ? v : -v
        })
    }
    /// Distinct values (a shuffled ramp), so max ties are not crossed by finite differences.
    mutating func distinct(_ shape: [Int]) -> Tensor {
        let n = shape.reduce(1, *)
        var values = (0..<n).map { Float($0) * 0.1 - Float(n) * 0.05 }
        for i in stride(from: n - 1, to: 0, by: -1) { values.swapAt(i, Int(next() % UInt64(i + 1))) }
        return Tensor(shape: shape, scalars: values)
    }
}

/// Largest |a - b| relative to max(1, |b|).
func maxRelativeError(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    return zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
}

func expectClose(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, sourceLocation: sourceLocation)
    guard a.count == b.count else { return }
    let err = maxRelativeError(a, b)
    #expect(err <= tolerance, "max relative error \(err) > \(tolerance)\n got \(a.prefix(8))\n want \(b.prefix(8))", sourceLocation: sourceLocation)
}

/// Checks the autograd input gradient of `f` at `x` against central finite differences of Σ seed·f(x).
func checkGradient(
    _ x: Tensor, step: Float = 1e-2, tolerance: Float = 1e-2, seed seedValue: UInt64 = 7,
    sourceLocation: SourceLocation = #_sourceLocation, _ f: (Tensor) -> Tensor
) {
    let leaf = x.requiringGrad()
    let y = f(leaf)
    var rng = TestRandom(seedValue)
    let seed = rng.tensor(y.shape)
    let analytic = gradients(of: y, seed: seed, wrt: [leaf])[0].scalars
    func objective(_ values: [Float]) -> Double {
        let out = f(Tensor(shape: x.shape, scalars: values)).scalars
        return zip(out, seed.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
    var values = x.scalars
    var numeric = [Float](repeating: 0, count: values.count)
    for i in values.indices {
        let v = values[i]
        values[i] = v + step
        let up = objective(values)
        values[i] = v - step
        let down = objective(values)
        values[i] = v
        numeric[i] = Float((up - down) / (2 * Double(step)))
    }
    let scale = max(numeric.map { abs($0) }.max() ?? 1, 1e-3)
    let err = zip(analytic, numeric).map { abs($0 - $1) }.max() ?? 0
    #expect(err / scale <= tolerance, "gradient mismatch: max |Δ| \(err) (scale \(scale))\n analytic \(analytic.prefix(8))\n numeric  \(numeric.prefix(8))",
            sourceLocation: sourceLocation)
}

/// Direct-loop convolution used as the reference for the BLAS path.
func naiveConv2d(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride: (Int, Int), padding: Padding2D,
                 dilation: (Int, Int), groups: Int) -> Tensor {
    let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (o, cg, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
    let oh = (h + padding.top + padding.bottom - dilation.0 * (kh - 1) - 1) / stride.0 + 1
    let ow = (wd + padding.left + padding.right - dilation.1 * (kw - 1) - 1) / stride.1 + 1
    let xs = x.scalars, ws = w.scalars, bs = b?.scalars
    var out = [Float](repeating: 0, count: n * o * oh * ow)
    let og = o / groups
    _ = c
    for i in 0..<n { for oc in 0..<o { for y in 0..<oh { for xx in 0..<ow {
        let grp = oc / og
        var s: Float = bs?[oc] ?? 0
        for ic in 0..<cg { for ki in 0..<kh { for kj in 0..<kw {
            let iy = y * stride.0 - padding.top + ki * dilation.0
            let ix = xx * stride.1 - padding.left + kj * dilation.1
            if iy < 0 || iy >= h || ix < 0 || ix >= wd { continue }
            s += xs[((i * x.shape[1] + grp * cg + ic) * h + iy) * wd + ix] * ws[((oc * cg + ic) * kh + ki) * kw + kj]
        } } }
        out[((i * o + oc) * oh + y) * ow + xx] = s
    } } } }
    return Tensor(shape: [n, o, oh, ow], scalars: out)
}
