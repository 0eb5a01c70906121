/// Depthwise convolution (groups == channels, each output channel reads one input channel): a direct
/// kernel. Each plane is first copied into a zero-bordered scratch buffer, so the inner loops need no
/// bounds checks; outputs are then computed eight at a time in SIMD registers over all taps.
/// The input gradient is the same kernel run on the upstream gradient with the taps flipped, the
/// gradient spread out by the stride (zeros in between) and the padding mirrored.

/// One plane's convolution in padded coordinates.
struct PlaneConv {
    /// Source plane extent and how far apart its samples are placed in the scratch buffer.
    var h, w, upsampleH, upsampleW: Int
    /// Where source sample (0, 0) lands in the scratch buffer (may be negative: cropped).
    var padTop, padLeft: Int
    /// Output extent, kernel, stride and dilation of the convolution over the scratch buffer.
    var oh, ow, kh, kw, sh, sw, dh, dw: Int

    /// Scratch rows and columns the convolution reads (a stride-2 SIMD step reads one column more).
    var scratchHeight: Int { (oh - 1) * sh + (kh - 1) * dh + 1 }
    var scratchWidth: Int { (ow - 1) * sw + (kw - 1) * dw + 1 + (sw == 2 ? 1 : 0) }
    var scratchCount: Int { scratchHeight * scratchWidth }
}

/// dst[oy, ox] (= or +=) bias + Σ taps[ki, kj] · P[oy·sh + ki·dh, ox·sw + kj·dw] where P is `src` placed in a
/// zero buffer (`scratch`, at least `p.scratchCount` floats) as `PlaneConv` describes.
@inline(__always)
func depthwisePlane(
    _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ taps: UnsafePointer<Float>,
    _ p: PlaneConv, bias: Float, accumulate: Bool, scratch: UnsafeMutablePointer<Float>
) {
    let hp = p.scratchHeight, wp = p.scratchWidth
    scratch.update(repeating: 0, count: hp &* wp)
    for i in 0..<p.h {
        let r = i &* p.upsampleH &+ p.padTop
        if r < 0 || r >= hp { continue }
        let s = src + i &* p.w, d = scratch + r &* wp
        if p.upsampleW == 1 {
            let j0 = max(0, -p.padLeft), j1 = min(p.w, wp - p.padLeft)
            if j1 > j0 { (d + p.padLeft + j0).update(from: s + j0, count: j1 - j0) }
        } else {
            for j in 0..<p.w {
                let c = j &* p.upsampleW &+ p.padLeft
                if c >= 0 && c < wp { d[c] = s[j] }
            }
        }
    }
    let raw = UnsafeRawPointer(scratch)
    let vectorEnd = p.ow / 8 * 8
    let initial = SIMD8<Float>(repeating: bias)
    for oy in 0..<p.oh {
        let d = dst + oy &* p.ow
        let top = oy &* p.sh
        var ox = 0
        while ox < vectorEnd {
            var acc = accumulate ? UnsafeRawPointer(d + ox).loadUnaligned(as: SIMD8<Float>.self) + initial : initial
            for ki in 0..<p.kh {
                let rowStart = ((top &+ ki &* p.dh) &* wp &+ ox &* p.sw) &* 4
                let t = taps + ki &* p.kw
                for kj in 0..<p.kw {
                    let at = rowStart &+ kj &* p.dw &* 4
                    let v: SIMD8<Float>
                    if p.sw == 1 {
                        v = raw.loadUnaligned(fromByteOffset: at, as: SIMD8<Float>.self)
                    } else if p.sw == 2 {
                        let pair = raw.loadUnaligned(fromByteOffset: at, as: SIMD16<Float>.self)
                        v = SIMD8(pair[0], pair[2], pair[4], pair[6], pair[8], pair[10], pair[12], pair[14])
                    } else {
                        var g = SIMD8<Float>()
                        for l in 0..<8 { g[l] = raw.load(fromByteOffset: at &+ l &* p.sw &* 4, as: Float.self) }
                        v = g
                    }
                    acc += SIMD8<Float>(repeating: t[kj]) * v
                }
            }
            UnsafeMutableRawPointer(d + ox).storeBytes(of: acc, as: SIMD8<Float>.self)
            ox &+= 8
        }
        if ox &+ 4 <= p.ow {
            // One four-wide step for the remainder (7×7 and 14×14 maps would otherwise be mostly scalar).
            let initial4 = SIMD4<Float>(repeating: bias)
            var acc = accumulate ? UnsafeRawPointer(d + ox).loadUnaligned(as: SIMD4<Float>.self) + initial4 : initial4
            for ki in 0..<p.kh {
                let row = scratch + ((top &+ ki &* p.dh) &* wp &+ ox &* p.sw)
                let t = taps + ki &* p.kw
                for kj in 0..<p.kw {
                    let r = row + kj &* p.dw
                    let v = p.sw == 1 ? UnsafeRawPointer(r).loadUnaligned(as: SIMD4<Float>.self)
                                      : SIMD4(r[0], r[p.sw], r[2 &* p.sw], r[3 &* p.sw])
                    acc += SIMD4<Float>(repeating: t[kj]) * v
                }
            }
            UnsafeMutableRawPointer(d + ox).storeBytes(of: acc, as: SIMD4<Float>.self)
            ox &+= 4
        }
        while ox < p.ow {
            var acc = accumulate ? d[ox] + bias : bias
            for ki in 0..<p.kh {
                let row = scratch + ((top &+ ki &* p.dh) &* wp &+ ox &* p.sw)
                let t = taps + ki &* p.kw
                for kj in 0..<p.kw { acc += t[kj] * row[kj &* p.dw] }
            }
            d[ox] = acc
            ox &+= 1
        }
    }
}

/// Runs `body(job, scratch)` for every job, with one scratch buffer of `scratchCount` floats per thread.
@inline(__always)
private func forEachPlane(_ jobs: Int, scratchCount: Int, _ body: (Int, UnsafeMutablePointer<Float>) -> Void) {
    parallelChunks(jobs, minimumChunk: 1) { range in
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(scratchCount, 1))
        defer { scratch.deallocate() }
        for job in range { body(job, scratch) }
    }
}

/// Forward depthwise convolution.
func depthwiseForward(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, _ g: ConvGeometry) -> Tensor {
    let out = Tensor.uninitialized(g.outputShape)
    let multiplier = g.o / g.c
    let xp = x.pointer, wp = weight.pointer, op = out.pointer
    let bp = bias?.pointer
    let planeIn = g.h &* g.w, planeOut = g.oh &* g.ow
    let p = PlaneConv(h: g.h, w: g.w, upsampleH: 1, upsampleW: 1, padTop: g.pad.top, padLeft: g.pad.left,
                      oh: g.oh, ow: g.ow, kh: g.kh, kw: g.kw, sh: g.sh, sw: g.sw, dh: g.dh, dw: g.dw)
    forEachPlane(g.n * g.o, scratchCount: p.scratchCount) { job, scratch in
        let n = job / g.o, oc = job % g.o
        let ic = oc / multiplier
        depthwisePlane(xp + (n &* g.c &+ ic) &* planeIn, op + job &* planeOut, wp + oc &* g.kh &* g.kw, p,
                       bias: bp?[oc] ?? 0, accumulate: false, scratch: scratch)
    }
    return out
}

/// Gradient of the depthwise convolution with respect to its input: the upstream gradient, spread by the
/// stride, convolved (stride 1) with the flipped taps and padding dilation·(k − 1) − pad.
func depthwiseInputGradient(_ upstream: Tensor, _ weight: Tensor, _ g: ConvGeometry) -> Tensor {
    let multiplier = g.o / g.c
    let gp = upstream.pointer, wp = weight.pointer
    let planeIn = g.h &* g.w, planeOut = g.oh &* g.ow
    let k = g.kh &* g.kw
    if g.sh == 2 && g.sw == 2 && g.dh == 1 && g.dw == 1 {
        return depthwiseInputGradientStride2(upstream, weight, g)
    }
    let gx = Tensor.uninitialized([g.n, g.c, g.h, g.w])
    let xp = gx.pointer
    let flipped = UnsafeMutablePointer<Float>.allocate(capacity: g.o * k)
    defer { flipped.deallocate() }
    for i in 0..<(g.o * k) { flipped[i] = wp[i - i % k + (k - 1 - i % k)] }
    let p = PlaneConv(h: g.oh, w: g.ow, upsampleH: g.sh, upsampleW: g.sw,
                      padTop: g.dh * (g.kh - 1) - g.pad.top, padLeft: g.dw * (g.kw - 1) - g.pad.left,
                      oh: g.h, ow: g.w, kh: g.kh, kw: g.kw, sh: 1, sw: 1, dh: g.dh, dw: g.dw)
    forEachPlane(g.n * g.c, scratchCount: p.scratchCount) { job, scratch in
        let n = job / g.c, ic = job % g.c
        for m in 0..<multiplier {
            let oc = ic &* multiplier &+ m
            depthwisePlane(gp + (n &* g.o &+ oc) &* planeOut, xp + job &* planeIn, flipped + oc &* k, p,
                           bias: 0, accumulate: m > 0, scratch: scratch)
        }
    }
    return gx
}

/// Stride-2 input gradient by phases: input pixels of one row/column parity receive only the taps of
/// matching parity, from consecutive upstream pixels, so each of the four phases is a stride-1 depthwise
/// conv of the upstream gradient with a sub-kernel (no multiplications by the zeros a stride-spread
/// gradient would hold).
private func depthwiseInputGradientStride2(_ upstream: Tensor, _ weight: Tensor, _ g: ConvGeometry) -> Tensor {
    let multiplier = g.o / g.c
    let gp = upstream.pointer, wp = weight.pointer
    let planeIn = g.h &* g.w, planeOut = g.oh &* g.ow
    let gx = Tensor.uninitialized([g.n, g.c, g.h, g.w])
    let xp = gx.pointer

    /// Taps of one axis for output parity `phase`: kernel indices in descending order (so upstream offsets
    /// ascend) and the smallest upstream offset.
    func axisTaps(phase: Int, pad: Int, kernel: Int) -> (indices: [Int], first: Int) {
        let indices = stride(from: kernel - 1, through: 0, by: -1).filter { (phase + pad - $0) & 1 == 0 }
        return (indices, indices.first.map { (phase + pad - $0) / 2 } ?? 0)
    }
    struct Phase {
        var py, px, rows, cols: Int
        var taps: [Int]  // flattened kernel indices ki·kw + kj of the sub-kernel, row-major
        var conv: PlaneConv
    }
    var phases = [Phase]()
    for py in 0..<2 {
        for px in 0..<2 {
            let rows = (g.h - py + 1) / 2, cols = (g.w - px + 1) / 2
            if rows <= 0 || cols <= 0 { continue }
            let ty = axisTaps(phase: py, pad: g.pad.top, kernel: g.kh)
            let tx = axisTaps(phase: px, pad: g.pad.left, kernel: g.kw)
            let taps = ty.indices.flatMap { ki in tx.indices.map { kj in ki * g.kw + kj } }
            let conv = PlaneConv(h: g.oh, w: g.ow, upsampleH: 1, upsampleW: 1, padTop: -ty.first, padLeft: -tx.first,
                                 oh: rows, ow: cols, kh: max(ty.indices.count, 1), kw: max(tx.indices.count, 1),
                                 sh: 1, sw: 1, dh: 1, dw: 1)
            phases.append(Phase(py: py, px: px, rows: rows, cols: cols, taps: taps, conv: conv))
        }
    }
    let scratchCount = phases.map(\.conv.scratchCount).max() ?? 1
    let phaseCount = phases.map { $0.rows * $0.cols }.max() ?? 1
    parallelChunks(g.n * g.c, minimumChunk: 1) { range in
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchCount)
        let phaseOut = UnsafeMutablePointer<Float>.allocate(capacity: phaseCount)
        let subTaps = UnsafeMutablePointer<Float>.allocate(capacity: g.kh * g.kw)
        defer { scratch.deallocate(); phaseOut.deallocate(); subTaps.deallocate() }
        for job in range {
            let n = job / g.c, ic = job % g.c
            let dst = xp + job &* planeIn
            for phase in phases {
                if phase.taps.isEmpty {
                    phaseOut.update(repeating: 0, count: phase.rows * phase.cols)
                } else {
                    for m in 0..<multiplier {
                        let oc = ic &* multiplier &+ m
                        let taps = wp + oc &* g.kh &* g.kw
                        for (t, index) in phase.taps.enumerated() { subTaps[t] = taps[index] }
                        depthwisePlane(gp + (n &* g.o &+ oc) &* planeOut, phaseOut, subTaps, phase.conv,
                                       bias: 0, accumulate: m > 0, scratch: scratch)
                    }
                }
                for a in 0..<phase.rows {
                    let row = dst + ((2 &* a &+ phase.py) &* g.w &+ phase.px)
                    let src = phaseOut + a &* phase.cols
                    for b in 0..<phase.cols { row[2 &* b] = src[b] }
                }
            }
        }
    }
    return gx
}
