/// Depthwise convolution (groups == channels, each output channel reads one input channel): a direct
/// kernel. Interior output pixels are computed eight at a time in SIMD registers over all taps, so each
/// output is written once; border pixels take a scalar path with bounds checks. The input gradient of a
/// stride-1 depthwise conv is itself a depthwise conv of the upstream gradient with the taps flipped, so
/// it reuses the same kernel; other strides scatter row by row.

/// One plane's geometry for `depthwisePlane`.
struct PlaneConv {
    var h, w, oh, ow: Int
    var kh, kw, sh, sw, dh, dw: Int
    var padTop, padLeft: Int
}

/// dst[oy, ox] (= or +=) bias + Σ taps[ki, kj] · src[oy·sh − padTop + ki·dh, ox·sw − padLeft + kj·dw].
@inline(__always)
func depthwisePlane(
    _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ taps: UnsafePointer<Float>,
    _ p: PlaneConv, bias: Float, accumulate: Bool
) {
    // Output columns whose every tap lies inside the row: ox·sw − padLeft ≥ 0 and
    // ox·sw − padLeft + (kw − 1)·dw ≤ w − 1.
    let first = p.padLeft <= 0 ? 0 : (p.padLeft + p.sw - 1) / p.sw
    // A stride-2 step loads 16 floats for 15 used ones: keep the 16th inside the row too.
    let lastStart = p.w - 1 - (p.kw - 1) * p.dw + p.padLeft - (p.sw == 2 ? 1 : 0)
    let end = lastStart < 0 ? 0 : min(p.ow, lastStart / p.sw + 1)
    let interiorLo = min(first, p.ow), interiorHi = max(end, interiorLo)
    let vectorHi = interiorLo + (interiorHi - interiorLo) / 8 * 8
    let raw = UnsafeRawPointer(src)
    for oy in 0..<p.oh {
        let d = dst + oy &* p.ow
        // Scalar pass for every column, restricted to valid taps; the SIMD pass then overwrites the interior.
        if accumulate {
            if bias != 0 { for ox in 0..<p.ow { d[ox] += bias } }
        } else {
            d.update(repeating: bias, count: p.ow)
        }
        for ki in 0..<p.kh {
            let iy = oy &* p.sh &- p.padTop &+ ki &* p.dh
            if iy < 0 || iy >= p.h { continue }
            let row = src + iy &* p.w
            for kj in 0..<p.kw {
                let wv = taps[ki &* p.kw &+ kj]
                let offset = kj &* p.dw &- p.padLeft
                let (lo, hi) = validRange(offset: offset, stride: p.sw, count: p.ow, limit: p.w)
                let r = row + offset
                // Only the columns outside [interiorLo, vectorHi) need the scalar path.
                var ox = lo
                let stop1 = min(hi, interiorLo)
                while ox < stop1 { d[ox] += wv * r[ox &* p.sw]; ox &+= 1 }
                ox = max(lo, vectorHi)
                while ox < hi { d[ox] += wv * r[ox &* p.sw]; ox &+= 1 }
            }
        }
        // SIMD interior: eight outputs per step, all taps in registers.
        var ox = interiorLo
        while ox < vectorHi {
            var acc = UnsafeRawPointer(d + ox).loadUnaligned(as: SIMD8<Float>.self)
            for ki in 0..<p.kh {
                let iy = oy &* p.sh &- p.padTop &+ ki &* p.dh
                if iy < 0 || iy >= p.h { continue }
                let rowStart = (iy &* p.w &+ ox &* p.sw &- p.padLeft) &* 4
                for kj in 0..<p.kw {
                    let wv = SIMD8<Float>(repeating: taps[ki &* p.kw &+ kj])
                    let at = rowStart &+ kj &* p.dw &* 4
                    let v: SIMD8<Float>
                    if p.sw == 1 {
                        v = raw.loadUnaligned(fromByteOffset: at, as: SIMD8<Float>.self)
                    } else if p.sw == 2 {
                        v = raw.loadUnaligned(fromByteOffset: at, as: SIMD16<Float>.self).evenHalf
                    } else {
                        var g = SIMD8<Float>()
                        for l in 0..<8 { g[l] = raw.load(fromByteOffset: at &+ l &* p.sw &* 4, as: Float.self) }
                        v = g
                    }
                    acc += wv * v
                }
            }
            UnsafeMutableRawPointer(d + ox).storeBytes(of: acc, as: SIMD8<Float>.self)
            ox &+= 8
        }
    }
}

/// Forward depthwise convolution.
func depthwiseForward(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, _ g: ConvGeometry) -> Tensor {
    let out = Tensor.uninitialized(g.outputShape)
    let multiplier = g.o / g.c
    let xp = x.pointer, wp = weight.pointer, op = out.pointer
    let bp = bias?.pointer
    let planeIn = g.h &* g.w, planeOut = g.oh &* g.ow
    let p = PlaneConv(h: g.h, w: g.w, oh: g.oh, ow: g.ow, kh: g.kh, kw: g.kw, sh: g.sh, sw: g.sw, dh: g.dh, dw: g.dw,
                      padTop: g.pad.top, padLeft: g.pad.left)
    parallelFor(g.n * g.o) { job in
        let n = job / g.o, oc = job % g.o
        let ic = oc / multiplier
        depthwisePlane(xp + (n &* g.c &+ ic) &* planeIn, op + job &* planeOut, wp + oc &* g.kh &* g.kw, p,
                       bias: bp?[oc] ?? 0, accumulate: false)
    }
    return out
}

/// Gradient of the depthwise convolution with respect to its input.
func depthwiseInputGradient(_ upstream: Tensor, _ weight: Tensor, _ g: ConvGeometry) -> Tensor {
    let multiplier = g.o / g.c
    let gp = upstream.pointer, wp = weight.pointer
    let planeIn = g.h &* g.w, planeOut = g.oh &* g.ow
    let k = g.kh &* g.kw
    if g.sh == 1 && g.sw == 1 {
        // gx = depthwise conv of g with flipped taps and padding dilation·(k − 1) − pad.
        let gx = Tensor.uninitialized([g.n, g.c, g.h, g.w])
        let xp = gx.pointer
        let flipped = UnsafeMutablePointer<Float>.allocate(capacity: g.o * k)
        defer { flipped.deallocate() }
        for i in 0..<(g.o * k) { flipped[i] = wp[i - i % k + (k - 1 - i % k)] }
        let p = PlaneConv(h: g.oh, w: g.ow, oh: g.h, ow: g.w, kh: g.kh, kw: g.kw, sh: 1, sw: 1, dh: g.dh, dw: g.dw,
                          padTop: g.dh * (g.kh - 1) - g.pad.top, padLeft: g.dw * (g.kw - 1) - g.pad.left)
        parallelFor(g.n * g.c) { job in
            let n = job / g.c, ic = job % g.c
            for m in 0..<multiplier {
                let oc = ic &* multiplier &+ m
                depthwisePlane(gp + (n &* g.o &+ oc) &* planeOut, xp + job &* planeIn, flipped + oc &* k, p,
                               bias: 0, accumulate: m > 0)
            }
        }
        return gx
    }
    let gx = Tensor.zeros([g.n, g.c, g.h, g.w])
    let xp = gx.pointer
    // One job per input channel so that no two jobs write the same plane.
    parallelFor(g.n * g.c) { job in
        let n = job / g.c, ic = job % g.c
        let dst = xp + job &* planeIn
        for m in 0..<multiplier {
            let oc = ic &* multiplier &+ m
            let src = gp + (n &* g.o &+ oc) &* planeOut
            let taps = wp + oc &* k
            for oy in 0..<g.oh {
                let s = src + oy &* g.ow
                for ki in 0..<g.kh {
                    let iy = oy &* g.sh &- g.pad.top &+ ki &* g.dh
                    if iy < 0 || iy >= g.h { continue }
                    let dstRow = dst + iy &* g.w
                    for kj in 0..<g.kw {
                        let wv = taps[ki &* g.kw &+ kj]
                        let xOffset = kj &* g.dw &- g.pad.left
                        let (lo, hi) = validRange(offset: xOffset, stride: g.sw, count: g.ow, limit: g.w)
                        if lo >= hi { continue }
                        let d = dstRow + xOffset
                        var ox = lo
                        if g.sw == 2 {
                            while ox < hi { d[ox &<< 1] += wv * s[ox]; ox &+= 1 }
                        } else {
                            while ox < hi { d[ox &* g.sw] += wv * s[ox]; ox &+= 1 }
                        }
                    }
                }
            }
        }
    }
    return gx
}
