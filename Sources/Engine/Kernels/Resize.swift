import Foundation

/// Interpolation used by `resized(height:width:mode:)` (PyTorch `F.interpolate`, align_corners=false).
public enum ResizeMode: String, Hashable, Sendable, CaseIterable {
    case bilinear, bicubic, nearest
}

/// A 1-D resampling as a sparse matrix: output i = Σ_t weights[i·taps+t] · input[indices[i·taps+t]].
/// Resizing is separable, so 2-D resizing is this map on rows and then on columns, and its gradient
/// is the transposed maps in reverse order.
struct Resampling {
    let taps: Int
    let indices: [Int]
    let weights: [Float]
    let inputCount: Int
    let outputCount: Int

    init(from n: Int, to m: Int, mode: ResizeMode) {
        inputCount = n
        outputCount = m
        // PyTorch computes the scale in the tensor's float type: in/out.
        let scale = Float(n) / Float(m)
        var idx = [Int](), wts = [Float]()
        switch mode {
        case .nearest:
            taps = 1
            for i in 0..<m {
                idx.append(Swift.min(Int((Float(i) * scale).rounded(.down)), n - 1))
                wts.append(1)
            }
        case .bilinear:
            taps = 2
            for i in 0..<m {
                let src = Swift.max(scale * (Float(i) + 0.5) - 0.5, 0)
                let i0 = Swift.min(Int(src), n - 1)
                let i1 = Swift.min(i0 + 1, n - 1)
                let lambda = Swift.min(src - Float(i0), 1)
                idx += [i0, i1]
                wts += [1 - lambda, lambda]
            }
        case .bicubic:
            taps = 4
            let a: Float = -0.75
            func near(_ x: Float) -> Float { ((a + 2) * x - (a + 3)) * x * x + 1 }
            func far(_ x: Float) -> Float { ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
            for i in 0..<m {
                let src = scale * (Float(i) + 0.5) - 0.5
                let f = src.rounded(.down)
                let t = src - f
                let i0 = Int(f)
                idx += (-1...2).map { Swift.min(Swift.max(i0 + $0, 0), n - 1) }
                wts += [far(t + 1), near(t), near(1 - t), far(2 - t)]
            }
        }
        indices = idx
        weights = wts
    }
}

/// Resamples the rows (axis H) of every plane: [planes, h, w] → [planes, m, w].
func resampleRows(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, planes: Int, w: Int, _ r: Resampling) {
    let h = r.inputCount, m = r.outputCount
    r.indices.withUnsafeBufferPointer { ip in
        r.weights.withUnsafeBufferPointer { wp in
            for p in 0..<planes {
                let s = src + p &* h &* w, d = dst + p &* m &* w
                for i in 0..<m {
                    let row = d + i &* w
                    row.update(repeating: 0, count: w)
                    for t in 0..<r.taps {
                        let k = i &* r.taps &+ t
                        let wt = wp[k], sr = s + ip[k] &* w
                        for j in 0..<w { row[j] += wt * sr[j] }
                    }
                }
            }
        }
    }
}

/// Resamples the columns (axis W) of every row: [rows, w] → [rows, m].
func resampleColumns(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, rows: Int, _ r: Resampling) {
    let w = r.inputCount, m = r.outputCount
    r.indices.withUnsafeBufferPointer { ip in
        r.weights.withUnsafeBufferPointer { wp in
            for row in 0..<rows {
                let s = src + row &* w, d = dst + row &* m
                for i in 0..<m {
                    var acc: Float = 0
                    for t in 0..<r.taps { let k = i &* r.taps &+ t; acc += wp[k] * s[ip[k]] }
                    d[i] = acc
                }
            }
        }
    }
}

/// Transposed row resampling: [planes, m, w] → [planes, h, w] (adds each output row back to its sources).
func resampleRowsTransposed(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, planes: Int, w: Int, _ r: Resampling) {
    let h = r.inputCount, m = r.outputCount
    dst.update(repeating: 0, count: planes * h * w)
    for p in 0..<planes {
        let s = src + p &* m &* w, d = dst + p &* h &* w
        for i in 0..<m {
            let row = s + i &* w
            for t in 0..<r.taps {
                let k = i &* r.taps &+ t
                let wt = r.weights[k], dr = d + r.indices[k] &* w
                for j in 0..<w { dr[j] += wt * row[j] }
            }
        }
    }
}

/// Transposed column resampling: [rows, m] → [rows, w].
func resampleColumnsTransposed(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, rows: Int, _ r: Resampling) {
    let w = r.inputCount, m = r.outputCount
    dst.update(repeating: 0, count: rows * w)
    for row in 0..<rows {
        let s = src + row &* m, d = dst + row &* w
        for i in 0..<m {
            for t in 0..<r.taps { let k = i &* r.taps &+ t; d[r.indices[k]] += r.weights[k] * s[i] }
        }
    }
}

func resizeForward(_ x: Tensor, height: Int, width: Int, _ mode: ResizeMode) -> Tensor {
    let h = x.shape[x.rank - 2], w = x.shape[x.rank - 1]
    let planes = x.count / Swift.max(h * w, 1)
    let rowMap = Resampling(from: h, to: height, mode: mode)
    let colMap = Resampling(from: w, to: width, mode: mode)
    let tmp = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(planes * height * w, 1))
    defer { tmp.deallocate() }
    resampleRows(x.pointer, tmp, planes: planes, w: w, rowMap)
    let out = Tensor.uninitialized(Array(x.shape.dropLast(2)) + [height, width])
    resampleColumns(tmp, out.pointer, rows: planes * height, colMap)
    return out
}

func resizeInputGradient(_ g: Tensor, inputShape: [Int], _ mode: ResizeMode) -> Tensor {
    let h = inputShape[inputShape.count - 2], w = inputShape[inputShape.count - 1]
    let height = g.shape[g.rank - 2], width = g.shape[g.rank - 1]
    let planes = elementCount(inputShape) / Swift.max(h * w, 1)
    let rowMap = Resampling(from: h, to: height, mode: mode)
    let colMap = Resampling(from: w, to: width, mode: mode)
    let tmp = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(planes * height * w, 1))
    defer { tmp.deallocate() }
    resampleColumnsTransposed(g.pointer, tmp, rows: planes * height, colMap)
    let gx = Tensor.uninitialized(inputShape)
    resampleRowsTransposed(tmp, gx.pointer, planes: planes, w: w, rowMap)
    return gx
}
