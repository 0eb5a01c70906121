/// Dense (and grouped) 2-D convolution through im2col + sgemm; depthwise goes to `Depthwise.swift`.

/// Geometry of one convolution, computed once per call.
struct ConvGeometry {
    let n, c, h, w: Int          // input
    let o, cg, kh, kw: Int       // weight [o, cg, kh, kw]
    let groups: Int
    let sh, sw, dh, dw: Int
    let pad: Padding2D
    let oh, ow: Int

    init(input: [Int], weight: [Int], _ a: ConvAttributes, file: StaticString, line: UInt) {
        guard input.count == 4 else { fail("conv2d: input must be NCHW (rank 4), got shape \(input)", file: file, line: line) }
        guard weight.count == 4 else {
            fail("conv2d: weight must be [out, in/groups, kh, kw], got shape \(weight)", file: file, line: line)
        }
        (n, c, h, w) = (input[0], input[1], input[2], input[3])
        (o, cg, kh, kw) = (weight[0], weight[1], weight[2], weight[3])
        groups = a.groups
        guard groups >= 1, c % groups == 0, o % groups == 0, cg * groups == c else {
            fail("conv2d: input has \(c) channels but weight \(weight) with groups=\(groups) expects \(cg * groups)",
                 file: file, line: line)
        }
        (sh, sw, dh, dw) = (a.stride.0, a.stride.1, a.dilation.0, a.dilation.1)
        guard sh >= 1, sw >= 1, dh >= 1, dw >= 1 else {
            fail("conv2d: stride and dilation must be ≥ 1, got stride \(a.stride), dilation \(a.dilation)",
                 file: file, line: line)
        }
        pad = a.padding
        oh = pooledExtent(input: h, kernel: kh, stride: sh, padBefore: pad.top, padAfter: pad.bottom, dilation: dh, ceilMode: false)
        ow = pooledExtent(input: w, kernel: kw, stride: sw, padBefore: pad.left, padAfter: pad.right, dilation: dw, ceilMode: false)
        guard oh > 0, ow > 0 else {
            fail("conv2d: input \(input) is smaller than the kernel \(kh)×\(kw) (after padding \(pad))", file: file, line: line)
        }
    }

    var isDepthwise: Bool { groups == c && cg == 1 && (groups > 1 || o == 1) }
    /// A 1×1, stride-1, unpadded conv reads the NCHW buffer directly as the GEMM operand.
    var isPointwise: Bool { kh == 1 && kw == 1 && sh == 1 && sw == 1 && pad == .zero }
    var outputShape: [Int] { [n, o, oh, ow] }
}

/// Copies the receptive fields of output rows `rows` of one image's `cg` channels into `col`
/// ([cg·kh·kw, rows.count·ow]); channels are split over the engine's threads.
func im2col(_ src: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, _ g: ConvGeometry, rows: Range<Int>) {
    let plane = rows.count &* g.ow
    parallelFor(g.cg, minimumPerThread: 4) { ch in
        let image = src + ch &* g.h &* g.w
        for ki in 0..<g.kh {
            for kj in 0..<g.kw {
                let row = col + ((ch &* g.kh &+ ki) &* g.kw &+ kj) &* plane
                let xOffset = kj &* g.dw &- g.pad.left
                let (lo, hi) = validRange(offset: xOffset, stride: g.sw, count: g.ow, limit: g.w)
                for oy in rows {
                    let dst = row + (oy &- rows.lowerBound) &* g.ow
                    let iy = oy &* g.sh &- g.pad.top &+ ki &* g.dh
                    if iy < 0 || iy >= g.h || lo >= hi {
                        dst.update(repeating: 0, count: g.ow)
                        continue
                    }
                    let srcRow = image + (iy &* g.w &+ xOffset)
                    if lo > 0 { dst.update(repeating: 0, count: lo) }
                    if g.sw == 1 {
                        (dst + lo).update(from: srcRow + lo, count: hi &- lo)
                    } else {
                        var ox = lo
                        while ox < hi { dst[ox] = srcRow[ox &* g.sw]; ox &+= 1 }
                    }
                    if hi < g.ow { (dst + hi).update(repeating: 0, count: g.ow &- hi) }
                }
            }
        }
    }
}

/// Adds the columns of `col` (output rows `rows`) back onto one image's `cg` channels (the transpose of `im2col`).
func col2imAdd(_ col: UnsafePointer<Float>, _ dstImage: UnsafeMutablePointer<Float>, _ g: ConvGeometry, rows: Range<Int>) {
    let plane = rows.count &* g.ow
    parallelFor(g.cg, minimumPerThread: 4) { ch in
        let image = dstImage + ch &* g.h &* g.w
        for ki in 0..<g.kh {
            for kj in 0..<g.kw {
                let row = col + ((ch &* g.kh &+ ki) &* g.kw &+ kj) &* plane
                let xOffset = kj &* g.dw &- g.pad.left
                let (lo, hi) = validRange(offset: xOffset, stride: g.sw, count: g.ow, limit: g.w)
                if lo >= hi { continue }
                for oy in rows {
                    let iy = oy &* g.sh &- g.pad.top &+ ki &* g.dh
                    if iy < 0 || iy >= g.h { continue }
                    let src = row + (oy &- rows.lowerBound) &* g.ow
                    let dstRow = image + (iy &* g.w &+ xOffset)
                    var ox = lo
                    if g.sw == 1 {
                        while ox < hi { dstRow[ox] += src[ox]; ox &+= 1 }
                    } else {
                        while ox < hi { dstRow[ox &* g.sw] += src[ox]; ox &+= 1 }
                    }
                }
            }
        }
    }
}

/// The output positions `lo..<hi` whose input column `o·stride + offset` lies in `0..<limit`.
@inline(__always)
func validRange(offset: Int, stride: Int, count: Int, limit: Int) -> (Int, Int) {
    // smallest o with o*stride + offset >= 0
    let lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride
    // largest o with o*stride + offset <= limit-1
    let last = limit - 1 - offset
    let hi = last < 0 ? 0 : min(count, last / stride + 1)
    return (min(lo, count), max(hi, min(lo, count)))
}

/// Output rows per im2col chunk. Small chunks keep the column buffer in cache, but every sgemm call
/// re-packs the weights, so a chunk spans at least 2048 output pixels; otherwise about 8 MB of columns.
/// (A single 115 MB buffer for a 224×224 3×3 conv page-faulted and ran 2× slower.)
func chunkRows(_ g: ConvGeometry) -> Int {
    let k = g.cg * g.kh * g.kw
    let byPixels = (2048 + g.ow - 1) / max(g.ow, 1)
    let byBytes = (1 << 21) / max(k * g.ow, 1)
    return max(1, min(g.oh, max(byPixels, byBytes)))
}

/// Forward convolution; returns [n, o, oh, ow].
func conv2dForward(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, _ g: ConvGeometry) -> Tensor {
    if g.isDepthwise { return depthwiseForward(x, weight, bias, g) }
    let out = Tensor.uninitialized(g.outputShape)
    if winogradApplies(g) {
        let kernels = winogradKernels(of: weight, o: g.o, c: g.c, transposedFlipped: false)
        winogradConv3x3(x.pointer, n: g.n, c: g.c, h: g.h, w: g.w, kernels: kernels, o: g.o, bias: bias?.pointer,
                        padTop: g.pad.top, padLeft: g.pad.left, oh: g.oh, ow: g.ow, out: out.pointer)
        return out
    }
    let og = g.o / g.groups
    let k = g.cg * g.kh * g.kw
    let plane = g.oh * g.ow
    let xp = x.pointer, wp = weight.pointer, op = out.pointer
    let step = chunkRows(g)
    let col: UnsafeMutablePointer<Float>? = g.isPointwise ? nil : .allocate(capacity: k * step * g.ow)
    defer { col?.deallocate() }
    // With a bias the output starts as the bias and the GEMM adds to it (beta = 1): one pass over the
    // output instead of OpenBLAS zeroing it and a second pass adding the bias.
    let beta: Float = bias == nil ? 0 : 1
    if let bias { fillChannels(out, bias) }
    for n in 0..<g.n {
        for grp in 0..<g.groups {
            let src = xp + (n * g.c + grp * g.cg) * g.h * g.w
            let dst = op + (n * g.o + grp * og) * plane
            guard let col else {
                parallelSgemm(m: og, n: plane, k: k, a: wp + grp * og * k, lda: k, b: src, ldb: plane, beta: beta,
                              c: dst, ldc: plane)
                continue
            }
            for start in stride(from: 0, to: g.oh, by: step) {
                let rows = start..<min(g.oh, start + step)
                let width = rows.count * g.ow
                im2col(src, col, g, rows: rows)
                parallelSgemm(m: og, n: width, k: k, a: wp + grp * og * k, lda: k, b: col, ldb: width, beta: beta,
                              c: dst + start * g.ow, ldc: plane)
            }
        }
    }
    return out
}

/// Gradient of the convolution with respect to its input: Wᵀ·g then col2im (direct for pointwise).
func conv2dInputGradient(_ upstream: Tensor, _ weight: Tensor, _ g: ConvGeometry) -> Tensor {
    if g.isDepthwise { return depthwiseInputGradient(upstream, weight, g) }
    if winogradApplies(g) {
        // A 3×3 stride-1 conv's input gradient is a 3×3 stride-1 conv of the upstream gradient with
        // W'[c, o] = W[o, c] flipped, padded by 2 − pad.
        let gx = Tensor.uninitialized([g.n, g.c, g.h, g.w])
        let kernels = winogradKernels(of: weight, o: g.c, c: g.o, transposedFlipped: true)
        winogradConv3x3(upstream.pointer, n: g.n, c: g.o, h: g.oh, w: g.ow, kernels: kernels, o: g.c, bias: nil,
                        padTop: 2 - g.pad.top, padLeft: 2 - g.pad.left, oh: g.h, ow: g.w, out: gx.pointer)
        return gx
    }
    let og = g.o / g.groups
    let k = g.cg * g.kh * g.kw
    let plane = g.oh * g.ow
    let gx = g.isPointwise ? Tensor.uninitialized([g.n, g.c, g.h, g.w]) : Tensor.zeros([g.n, g.c, g.h, g.w])
    let gp = upstream.pointer, wp = weight.pointer, xp = gx.pointer
    let step = chunkRows(g)
    let col: UnsafeMutablePointer<Float>? = g.isPointwise ? nil : .allocate(capacity: k * step * g.ow)
    defer { col?.deallocate() }
    for n in 0..<g.n {
        for grp in 0..<g.groups {
            let dst = xp + (n * g.c + grp * g.cg) * g.h * g.w
            let up = gp + (n * g.o + grp * og) * plane
            guard let col else {
                parallelSgemm(transA: true, m: k, n: plane, k: og, a: wp + grp * og * k, lda: k, b: up, ldb: plane, c: dst, ldc: plane)
                continue
            }
            for start in stride(from: 0, to: g.oh, by: step) {
                let rows = start..<min(g.oh, start + step)
                let width = rows.count * g.ow
                parallelSgemm(transA: true, m: k, n: width, k: og, a: wp + grp * og * k, lda: k, b: up + start * g.ow, ldb: plane,
                      c: col, ldc: width)
                col2imAdd(col, dst, g, rows: rows)
            }
        }
    }
    return gx
}

/// Sets every element of channel c of an [n, c, …] tensor to `values[c]` (in place; `out` is fresh).
func fillChannels(_ out: Tensor, _ values: Tensor) {
    let n = out.shape[0], c = out.shape[1]
    let plane = out.count / max(n * c, 1)
    let op = out.pointer, vp = values.pointer
    parallelFor(n * c, minimumPerThread: max(1, (1 << 16) / max(plane, 1))) { job in
        (op + job &* plane).update(repeating: vp[job % c], count: plane)
    }
}

/// Fully connected layer y = x·Wᵀ + b over the last axis.
func linearForward(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?) -> Tensor {
    let inF = weight.shape[1], outF = weight.shape[0]
    let rows = x.count / inF
    let out = Tensor.uninitialized(Array(x.shape.dropLast()) + [outF])
    if rows <= 4 {
        // sgemm would pack the whole weight matrix for a handful of rows (411 MB for VGG's fc6).
        for r in 0..<rows {
            parallelSgemv(m: outF, n: inF, a: weight.pointer, lda: inF, x: x.pointer + r * inF, y: out.pointer + r * outF)
        }
    } else {
        parallelSgemm(transB: true, m: rows, n: outF, k: inF, a: x.pointer, lda: inF, b: weight.pointer, ldb: inF,
              c: out.pointer, ldc: outF)
    }
    if let bias {
        let op = out.pointer, bp = bias.pointer
        for r in 0..<rows {
            let row = op + r &* outF
            for j in 0..<outF { row[j] += bp[j] }
        }
    }
    return out
}

/// Gradient of the linear layer with respect to x: g·W.
func linearInputGradient(_ upstream: Tensor, _ weight: Tensor, inputShape: [Int]) -> Tensor {
    let inF = weight.shape[1], outF = weight.shape[0]
    let rows = upstream.count / outF
    let gx = Tensor.uninitialized(inputShape)
    if rows <= 4 {
        for r in 0..<rows {
            parallelSgemv(trans: true, m: outF, n: inF, a: weight.pointer, lda: inF, x: upstream.pointer + r * outF,
                  y: gx.pointer + r * inF)
        }
    } else {
        parallelSgemm(m: rows, n: inF, k: outF, a: upstream.pointer, lda: outF, b: weight.pointer, ldb: inF,
              c: gx.pointer, ldc: inF)
    }
    return gx
}
