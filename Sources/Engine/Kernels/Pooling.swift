/// Max, average and adaptive-average pooling over NCHW planes, forward and input gradient.

/// Geometry of one pooling call.
struct PoolGeometry {
    let planes, h, w, oh, ow: Int
    let a: PoolAttributes

    init(input: [Int], _ a: PoolAttributes, op: String, file: StaticString, line: UInt) {
        guard input.count == 4 else { fail("\(op): input must be NCHW (rank 4), got shape \(input)", file: file, line: line) }
        guard a.kernel.0 >= 1, a.kernel.1 >= 1, a.stride.0 >= 1, a.stride.1 >= 1, a.dilation.0 >= 1, a.dilation.1 >= 1 else {
            fail("\(op): kernel, stride and dilation must be ≥ 1, got kernel \(a.kernel), stride \(a.stride)",
                 file: file, line: line)
        }
        guard a.padding.0 >= 0, a.padding.1 >= 0, a.padding.0 * 2 <= a.kernel.0, a.padding.1 * 2 <= a.kernel.1 else {
            fail("\(op): padding \(a.padding) must be between 0 and half the kernel \(a.kernel)", file: file, line: line)
        }
        planes = input[0] * input[1]
        (h, w) = (input[2], input[3])
        self.a = a
        oh = pooledExtent(input: h, kernel: a.kernel.0, stride: a.stride.0, padBefore: a.padding.0,
                          padAfter: a.padding.0, dilation: a.dilation.0, ceilMode: a.ceilMode)
        ow = pooledExtent(input: w, kernel: a.kernel.1, stride: a.stride.1, padBefore: a.padding.1,
                          padAfter: a.padding.1, dilation: a.dilation.1, ceilMode: a.ceilMode)
        guard oh > 0, ow > 0 else {
            fail("\(op): input \(input) is smaller than the kernel \(a.kernel)", file: file, line: line)
        }
    }
}

/// Max pooling of one output row, one window tap at a time over the whole row (so the inner loop
/// is a strided max the compiler can vectorise). Fills `best` with the maxima and, when `index` is
/// given, the in-plane index of each window's first maximum (row-major window order, as PyTorch).
/// With `index`, NaN wins and stays, as in PyTorch; without it the fast comparison ignores NaN and
/// the function returns false when it saw one, so the caller can redo the row with `index`.
@inline(__always)
@discardableResult
private func maxPoolRow(
    _ src: UnsafePointer<Float>, _ g: PoolGeometry, oy: Int,
    _ best: UnsafeMutablePointer<Float>, _ index: UnsafeMutablePointer<Int32>?
) -> Bool {
    let (kh, kw) = g.a.kernel
    let (sh, sw) = g.a.stride
    let (ph, pw) = g.a.padding
    let (dh, dw) = g.a.dilation
    best.update(repeating: -.infinity, count: g.ow)
    index?.update(repeating: -1, count: g.ow)
    var sawNaN = false
    for ki in 0..<kh {
        let iy = oy &* sh &- ph &+ ki &* dh
        if iy < 0 || iy >= g.h { continue }
        let row = src + iy &* g.w
        for kj in 0..<kw {
            let offset = kj &* dw &- pw
            let (lo, hi) = validRange(offset: offset, stride: sw, count: g.ow, limit: g.w)
            if lo >= hi { continue }
            let r = row + offset
            if let index {
                let base = Int32(iy &* g.w &+ offset)
                var ox = lo
                while ox < hi {
                    let v = r[ox &* sw]
                    let m = best[ox]
                    if v > m || (v.isNaN && !m.isNaN) || index[ox] < 0 {
                        best[ox] = v
                        index[ox] = base &+ Int32(ox &* sw)
                    }
                    ox &+= 1
                }
            } else if sw == 1 {
                var ox = lo
                while ox < hi { let v = r[ox], m = best[ox]; best[ox] = v > m ? v : m; sawNaN = sawNaN || v != v; ox &+= 1 }
            } else {
                var ox = lo
                while ox < hi { let v = r[ox &* sw], m = best[ox]; best[ox] = v > m ? v : m; sawNaN = sawNaN || v != v; ox &+= 1 }
            }
        }
    }
    return !sawNaN
}

func maxPoolForward(_ x: Tensor, _ g: PoolGeometry) -> Tensor {
    let out = Tensor.uninitialized([x.shape[0], x.shape[1], g.oh, g.ow])
    let xp = x.pointer, op = out.pointer
    let planeIn = g.h &* g.w, planeOut = g.oh &* g.ow
    parallelFor(g.planes, minimumPerThread: 8) { p in
        let src = xp + p &* planeIn, dst = op + p &* planeOut
        var index: UnsafeMutablePointer<Int32>? = nil
        defer { index?.deallocate() }
        for oy in 0..<g.oh {
            if !maxPoolRow(src, g, oy: oy, dst + oy &* g.ow, nil) {
                // A NaN in the windows: redo the row with PyTorch's NaN-propagating comparisons.
                if index == nil { index = .allocate(capacity: g.ow) }
                _ = maxPoolRow(src, g, oy: oy, dst + oy &* g.ow, index)
            }
        }
    }
    return out
}

/// Routes each output gradient to the first maximum of its window (recomputed from x).
func maxPoolInputGradient(_ upstream: Tensor, _ x: Tensor, _ g: PoolGeometry) -> Tensor {
    let gx = Tensor.zeros(x.shape)
    let xp = x.pointer, gp = upstream.pointer, dp = gx.pointer
    let planeIn = g.h &* g.w, planeOut = g.oh &* g.ow
    parallelFor(g.planes, minimumPerThread: 8) { p in
        let best = UnsafeMutablePointer<Float>.allocate(capacity: g.ow)
        let index = UnsafeMutablePointer<Int32>.allocate(capacity: g.ow)
        defer { best.deallocate(); index.deallocate() }
        let src = xp + p &* planeIn, dst = dp + p &* planeIn, up = gp + p &* planeOut
        for oy in 0..<g.oh {
            _ = maxPoolRow(src, g, oy: oy, best, index)
            let u = up + oy &* g.ow
            for ox in 0..<g.ow { dst[Int(index[ox])] += u[ox] }
        }
    }
    return gx
}

/// Window bounds of average pooling and its divisor (PyTorch: the padded extent is clipped at
/// input + padding before counting, then at the input itself).
@inline(__always)
private func avgWindow(_ g: PoolGeometry, _ oy: Int, _ ox: Int) -> (y0: Int, y1: Int, x0: Int, x1: Int, divisor: Float) {
    var y0 = oy &* g.a.stride.0 &- g.a.padding.0
    var x0 = ox &* g.a.stride.1 &- g.a.padding.1
    var y1 = min(y0 &+ g.a.kernel.0, g.h &+ g.a.padding.0)
    var x1 = min(x0 &+ g.a.kernel.1, g.w &+ g.a.padding.1)
    let padded = (y1 &- y0) &* (x1 &- x0)
    y0 = max(y0, 0); x0 = max(x0, 0); y1 = min(y1, g.h); x1 = min(x1, g.w)
    let divisor = g.a.countIncludePad ? padded : (y1 &- y0) &* (x1 &- x0)
    return (y0, y1, x0, x1, Float(max(divisor, 1)))
}

func avgPoolForward(_ x: Tensor, _ g: PoolGeometry) -> Tensor {
    let out = Tensor.uninitialized([x.shape[0], x.shape[1], g.oh, g.ow])
    let xp = x.pointer, op = out.pointer
    let planeIn = g.h &* g.w, planeOut = g.oh &* g.ow
    parallelFor(g.planes, minimumPerThread: 8) { p in
        let src = xp + p &* planeIn, dst = op + p &* planeOut
        for oy in 0..<g.oh {
            for ox in 0..<g.ow {
                let win = avgWindow(g, oy, ox)
                var s: Float = 0
                for iy in win.y0..<max(win.y0, win.y1) {
                    let row = src + iy &* g.w
                    for ix in win.x0..<max(win.x0, win.x1) { s += row[ix] }
                }
                dst[oy &* g.ow &+ ox] = s / win.divisor
            }
        }
    }
    return out
}

func avgPoolInputGradient(_ upstream: Tensor, inputShape: [Int], _ g: PoolGeometry) -> Tensor {
    let gx = Tensor.zeros(inputShape)
    let gp = upstream.pointer, dp = gx.pointer
    let planeIn = g.h &* g.w, planeOut = g.oh &* g.ow
    parallelFor(g.planes, minimumPerThread: 8) { p in
        let dst = dp + p &* planeIn, up = gp + p &* planeOut
        for oy in 0..<g.oh {
            for ox in 0..<g.ow {
                let win = avgWindow(g, oy, ox)
                let v = up[oy &* g.ow &+ ox] / win.divisor
                for iy in win.y0..<max(win.y0, win.y1) {
                    let row = dst + iy &* g.w
                    for ix in win.x0..<max(win.x0, win.x1) { row[ix] += v }
                }
            }
        }
    }
    return gx
}

/// PyTorch's adaptive bin i of n over `size`: [floor(i·size/n), ceil((i+1)·size/n)).
@inline(__always)
private func adaptiveBin(_ i: Int, _ n: Int, _ size: Int) -> (Int, Int) {
    (i * size / n, ((i + 1) * size + n - 1) / n)
}

func adaptiveAvgPoolForward(_ x: Tensor, oh: Int, ow: Int) -> Tensor {
    let (h, w) = (x.shape[2], x.shape[3])
    let planes = x.shape[0] * x.shape[1]
    let out = Tensor.uninitialized([x.shape[0], x.shape[1], oh, ow])
    let xp = x.pointer, op = out.pointer
    parallelFor(planes, minimumPerThread: 8) { p in
        let src = xp + p &* h &* w, dst = op + p &* oh &* ow
        for oy in 0..<oh {
            let (y0, y1) = adaptiveBin(oy, oh, h)
            for ox in 0..<ow {
                let (x0, x1) = adaptiveBin(ox, ow, w)
                var s: Float = 0
                for iy in y0..<y1 {
                    let row = src + iy &* w
                    for ix in x0..<x1 { s += row[ix] }
                }
                dst[oy &* ow &+ ox] = s / Float((y1 - y0) * (x1 - x0))
            }
        }
    }
    return out
}

func adaptiveAvgPoolInputGradient(_ upstream: Tensor, inputShape: [Int]) -> Tensor {
    let (h, w) = (inputShape[2], inputShape[3])
    let (oh, ow) = (upstream.shape[2], upstream.shape[3])
    let planes = inputShape[0] * inputShape[1]
    let gx = Tensor.zeros(inputShape)
    let gp = upstream.pointer, dp = gx.pointer
    parallelFor(planes, minimumPerThread: 8) { p in
        let dst = dp + p &* h &* w, up = gp + p &* oh &* ow
        for oy in 0..<oh {
            let (y0, y1) = adaptiveBin(oy, oh, h)
            for ox in 0..<ow {
                let (x0, x1) = adaptiveBin(ox, ow, w)
                let v = up[oy &* ow &+ ox] / Float((y1 - y0) * (x1 - x0))
                for iy in y0..<y1 {
                    let row = dst + iy &* w
                    for ix in x0..<x1 { row[ix] += v }
                }
            }
        }
    }
    return gx
}
