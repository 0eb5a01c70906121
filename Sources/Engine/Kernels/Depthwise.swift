/// Depthwise convolution (groups == channels): a direct kernel, one tap at a time over whole rows so the
/// inner loop is a contiguous multiply-add the compiler vectorises.

/// Forward depthwise convolution.
func depthwiseForward(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, _ g: ConvGeometry) -> Tensor {
    let out = Tensor.uninitialized(g.outputShape)
    let multiplier = g.o / g.c
    let xp = x.pointer, wp = weight.pointer, op = out.pointer
    let bp = bias?.pointer
    let planeIn = g.h &* g.w, planeOut = g.oh &* g.ow
    parallelFor(g.n * g.o) { job in
        let n = job / g.o, oc = job % g.o
        let ic = oc / multiplier
        let src = xp + (n &* g.c &+ ic) &* planeIn
        let dst = op + (n &* g.o &+ oc) &* planeOut
        let taps = wp + oc &* g.kh &* g.kw
        let b = bp?[oc] ?? 0
        // Row by row, all taps at once, so the output row stays in L1 while the taps accumulate.
        for oy in 0..<g.oh {
            let d = dst + oy &* g.ow
            d.update(repeating: b, count: g.ow)
            for ki in 0..<g.kh {
                let iy = oy &* g.sh &- g.pad.top &+ ki &* g.dh
                if iy < 0 || iy >= g.h { continue }
                let srcRow = src + iy &* g.w
                for kj in 0..<g.kw {
                    let wv = taps[ki &* g.kw &+ kj]
                    let xOffset = kj &* g.dw &- g.pad.left
                    let (lo, hi) = validRange(offset: xOffset, stride: g.sw, count: g.ow, limit: g.w)
                    if lo >= hi { continue }
                    let s = srcRow + xOffset
                    var ox = lo
                    if g.sw == 1 {
                        while ox < hi { d[ox] += wv * s[ox]; ox &+= 1 }
                    } else if g.sw == 2 {
                        while ox < hi { d[ox] += wv * s[ox &<< 1]; ox &+= 1 }
                    } else {
                        while ox < hi { d[ox] += wv * s[ox &* g.sw]; ox &+= 1 }
                    }
                }
            }
        }
    }
    return out
}

/// Gradient of the depthwise convolution with respect to its input.
func depthwiseInputGradient(_ upstream: Tensor, _ weight: Tensor, _ g: ConvGeometry) -> Tensor {
    let gx = Tensor.zeros([g.n, g.c, g.h, g.w])
    let multiplier = g.o / g.c
    let gp = upstream.pointer, wp = weight.pointer, xp = gx.pointer
    let planeIn = g.h &* g.w, planeOut = g.oh &* g.ow
    // One job per input channel so that no two jobs write the same plane.
    parallelFor(g.n * g.c) { job in
        let n = job / g.c, ic = job % g.c
        let dst = xp + (n &* g.c &+ ic) &* planeIn
        for m in 0..<multiplier {
            let oc = ic &* multiplier &+ m
            let src = gp + (n &* g.o &+ oc) &* planeOut
            let taps = wp + oc &* g.kh &* g.kw
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
                        if g.sw == 1 {
                            while ox < hi { d[ox] += wv * s[ox]; ox &+= 1 }
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
