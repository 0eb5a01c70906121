// Shape changes, slicing, concatenation and padding.

/// How `padded` fills the border.
public enum PadMode: Hashable, Sendable {
    /// A constant value.
    case constant(Float)
    /// Mirror without repeating the edge (PyTorch "reflect").
    case reflect
    /// Repeat the edge value.
    case replicate
}

extension Tensor {
    /// The same elements with a new shape; one entry may be -1 (inferred).
    public func reshaped(_ newShape: [Int], file: StaticString = #file, line: UInt = #line) -> Tensor {
        var target = newShape
        if let hole = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != hole }.reduce(1) { $0 * $1.element }
            guard known > 0, count % known == 0 else {
                fail("reshaped: cannot infer -1 in \(newShape) for \(count) elements (shape \(shape))", file: file, line: line)
            }
            target[hole] = count / known
        }
        guard target.allSatisfy({ $0 >= 0 }), elementCount(target) == count else {
            fail("reshaped: shape \(newShape) does not hold the \(count) elements of shape \(shape)", file: file, line: line)
        }
        return Tensor.recording(.reshape, [self], Tensor(shape: target, storage: storage, node: nil))
    }

    /// Merges axes `startAxis...` into one (PyTorch `flatten(start_dim)`).
    public func flattened(startAxis: Int = 1, file: StaticString = #file, line: UInt = #line) -> Tensor {
        if rank == 0 { return reshaped([1]) }
        let a = normalizedAxis(startAxis, rank: rank, "flattened", file: file, line: line)
        return reshaped(Array(shape[..<a]) + [elementCount(Array(shape[a...]))], file: file, line: line)
    }

    /// The `i`-th slice along the first axis (rank drops by one).
    public subscript(_ i: Int) -> Tensor {
        guard rank >= 1, i >= 0, i < shape[0] else {
            fatalError("subscript: index \(i) is out of range for shape \(shape)")
        }
        let inner = count / shape[0]
        let out = Tensor.uninitialized(Array(shape.dropFirst()))
        out.pointer.update(from: pointer + i * inner, count: inner)
        return Tensor.recording(.slice(index: i), [self], out)
    }

    /// Joins tensors along `axis`; all other extents must agree.
    public static func concat(_ tensors: [Tensor], axis: Int = 0, file: StaticString = #file, line: UInt = #line) -> Tensor {
        guard let first = tensors.first else { fail("concat: no tensors given", file: file, line: line) }
        let a = normalizedAxis(axis, rank: first.rank, "concat", file: file, line: line)
        for t in tensors where t.rank != first.rank || t.shape.enumerated().contains(where: { $0.offset != a && $0.element != first.shape[$0.offset] }) {
            fail("concat: shape \(t.shape) does not match \(first.shape) outside axis \(a)", file: file, line: line)
        }
        var shape = first.shape
        shape[a] = tensors.reduce(0) { $0 + $1.shape[a] }
        let out = Tensor.uninitialized(shape)
        let (outer, total, inner) = splitAround(shape, axis: a)
        var offset = 0
        for t in tensors {
            let block = t.shape[a] * inner
            for o in 0..<outer {
                (out.pointer + o * total * inner + offset).update(from: t.pointer + o * block, count: block)
            }
            offset += block
        }
        return recording(.concat(axis: a), tensors, out)
    }

    /// Pads the last two axes (H, W) of an NCHW tensor.
    public func padded(
        _ mode: PadMode, top: Int, left: Int, bottom: Int, right: Int, file: StaticString = #file, line: UInt = #line
    ) -> Tensor {
        guard rank >= 2 else { fail("padded: needs at least 2 axes, got shape \(shape)", file: file, line: line) }
        let h = shape[rank - 2], w = shape[rank - 1]
        let p = Padding2D(top: top, left: left, bottom: bottom, right: right)
        guard top >= 0, left >= 0, bottom >= 0, right >= 0 else {
            fail("padded: padding \(p) must not be negative", file: file, line: line)
        }
        if mode == .reflect && (top >= h || bottom >= h || left >= w || right >= w) {
            fail("padded: reflect padding \(p) must be smaller than the input size \(h)×\(w)", file: file, line: line)
        }
        if mode != .constant(0) && mode != .reflect && (h == 0 || w == 0) {
            fail("padded: cannot replicate an empty input of shape \(shape)", file: file, line: line)
        }
        return Tensor.recording(.pad(mode, p), [self], padForward(self, mode, p))
    }
}

/// Source index along one axis for each padded position (-1 = the constant).
func padIndexMap(_ n: Int, before: Int, after: Int, _ mode: PadMode) -> [Int] {
    (0..<(n + before + after)).map { i in
        let j = i - before
        if j >= 0 && j < n { return j }
        switch mode {
        case .constant: return -1
        case .replicate: return j < 0 ? 0 : n - 1
        case .reflect: return j < 0 ? -j : 2 * (n - 1) - j
        }
    }
}

func padForward(_ x: Tensor, _ mode: PadMode, _ p: Padding2D) -> Tensor {
    let h = x.shape[x.rank - 2], w = x.shape[x.rank - 1]
    let rows = padIndexMap(h, before: p.top, after: p.bottom, mode)
    let cols = padIndexMap(w, before: p.left, after: p.right, mode)
    let fill: Float = if case .constant(let v) = mode { v } else { 0 }
    let oh = rows.count, ow = cols.count
    let out = Tensor.uninitialized(Array(x.shape.dropLast(2)) + [oh, ow])
    let planes = h * w == 0 ? out.count / max(oh * ow, 1) : x.count / (h * w)
    let xp = x.pointer, op = out.pointer
    for plane in 0..<planes {
        let src = xp + plane &* h &* w, dst = op + plane &* oh &* ow
        for (oy, iy) in rows.enumerated() {
            let d = dst + oy &* ow
            if iy < 0 { d.update(repeating: fill, count: ow); continue }
            let s = src + iy &* w
            for (ox, ix) in cols.enumerated() { d[ox] = ix < 0 ? fill : s[ix] }
        }
    }
    return out
}

/// Transpose of `padForward`: each padded position's gradient is added to its source.
func padInputGradient(_ g: Tensor, inputShape: [Int], _ mode: PadMode, _ p: Padding2D) -> Tensor {
    let h = inputShape[inputShape.count - 2], w = inputShape[inputShape.count - 1]
    let rows = padIndexMap(h, before: p.top, after: p.bottom, mode)
    let cols = padIndexMap(w, before: p.left, after: p.right, mode)
    let oh = rows.count, ow = cols.count
    let gx = Tensor.zeros(inputShape)
    let planes = h * w == 0 ? 0 : gx.count / (h * w)
    let gp = g.pointer, dp = gx.pointer
    for plane in 0..<planes {
        let src = gp + plane &* oh &* ow, dst = dp + plane &* h &* w
        for (oy, iy) in rows.enumerated() where iy >= 0 {
            let s = src + oy &* ow, d = dst + iy &* w
            for (ox, ix) in cols.enumerated() where ix >= 0 { d[ix] += s[ox] }
        }
    }
    return gx
}
