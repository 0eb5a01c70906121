import Foundation

// Reductions along axes, softmax and norms. Axes may be negative (counted from the end).

extension Tensor {
    private func reductionAxes(_ axes: [Int]?, _ op: String, file: StaticString, line: UInt) -> [Int] {
        guard let axes else { return Array(0..<rank) }
        return Array(Set(axes.map { normalizedAxis($0, rank: rank, op, file: file, line: line) })).sorted()
    }

    private func reducedShape(_ axes: [Int], keepDims: Bool) -> [Int] {
        keepDims ? shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
                 : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
    }

    /// Sum over `axes` (all axes when nil).
    public func sum(axes: [Int]? = nil, keepDims: Bool = false, file: StaticString = #file, line: UInt = #line) -> Tensor {
        let ax = reductionAxes(axes, "sum", file: file, line: line)
        let kept = sumToShape(self, reducedShape(ax, keepDims: true))
        let result = Tensor(shape: reducedShape(ax, keepDims: keepDims), storage: kept.storage, node: nil)
        return Tensor.recording(.sum(axes: ax), [self], result)
    }

    /// Mean over `axes` (all axes when nil).
    public func mean(axes: [Int]? = nil, keepDims: Bool = false, file: StaticString = #file, line: UInt = #line) -> Tensor {
        let ax = reductionAxes(axes, "mean", file: file, line: line)
        let n = Float(ax.reduce(1) { $0 * shape[$1] })
        let kept = sumToShape(self, reducedShape(ax, keepDims: true))
        let kp = kept.pointer
        for i in 0..<kept.count { kp[i] /= n }
        let result = Tensor(shape: reducedShape(ax, keepDims: keepDims), storage: kept.storage, node: nil)
        return Tensor.recording(.mean(axes: ax), [self], result)
    }

    /// Maximum along `axis`; the gradient goes to the first maximum.
    public func max(axis: Int, keepDims: Bool = false, file: StaticString = #file, line: UInt = #line) -> Tensor {
        let a = normalizedAxis(axis, rank: rank, "max", file: file, line: line)
        let (outer, n, inner) = splitAround(shape, axis: a)
        guard n > 0 else { fail("max: axis \(axis) of shape \(shape) is empty", file: file, line: line) }
        let result = Tensor.uninitialized(reducedShape([a], keepDims: keepDims))
        let xp = pointer, op = result.pointer
        for o in 0..<outer {
            for i in 0..<inner {
                let base = xp + (o &* n &* inner &+ i)
                op[o &* inner &+ i] = base[firstArgmax(base, n, inner)]
            }
        }
        return Tensor.recording(.max(axis: a), [self], result)
    }

    /// Flat (row-major) index of the first largest element.
    public func argmax() -> Int { count == 0 ? -1 : firstArgmax(pointer, count, 1) }

    /// Index of the first largest element along `axis`, as Int values (shape without that axis).
    public func argmax(axis: Int, file: StaticString = #file, line: UInt = #line) -> [Int] {
        let a = normalizedAxis(axis, rank: rank, "argmax", file: file, line: line)
        let (outer, n, inner) = splitAround(shape, axis: a)
        var out = [Int]()
        out.reserveCapacity(outer * inner)
        for o in 0..<outer {
            for i in 0..<inner { out.append(firstArgmax(pointer + (o &* n &* inner &+ i), n, inner) / inner) }
        }
        return out
    }

    /// Euclidean (L2) norm along `axis`.
    public func norm(axis: Int, keepDims: Bool = false, file: StaticString = #file, line: UInt = #line) -> Tensor {
        let a = normalizedAxis(axis, rank: rank, "norm", file: file, line: line)
        let (outer, n, inner) = splitAround(shape, axis: a)
        let result = Tensor.uninitialized(reducedShape([a], keepDims: keepDims))
        let xp = pointer, op = result.pointer
        for o in 0..<outer {
            for i in 0..<inner {
                var s: Float = 0
                let base = xp + (o &* n &* inner &+ i)
                for k in 0..<n { let v = base[k &* inner]; s += v * v }
                op[o &* inner &+ i] = s.squareRoot()
            }
        }
        return Tensor.recording(.norm(axis: a), [self], result)
    }

    /// Softmax along `axis` (max-subtracted for stability).
    public func softmax(axis: Int, file: StaticString = #file, line: UInt = #line) -> Tensor {
        let a = normalizedAxis(axis, rank: rank, "softmax", file: file, line: line)
        let (outer, n, inner) = splitAround(shape, axis: a)
        let result = Tensor.uninitialized(shape)
        let xp = pointer, op = result.pointer
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o &* n &* inner &+ i
                var m = -Float.infinity
                for k in 0..<n { m = Swift.max(m, xp[base &+ k &* inner]) }
                var s: Float = 0
                for k in 0..<n { let e = Foundation.exp(xp[base &+ k &* inner] - m); op[base &+ k &* inner] = e; s += e }
                for k in 0..<n { op[base &+ k &* inner] /= s }
            }
        }
        return Tensor.recording(.softmax(axis: a), [self], result)
    }
}

/// Offset (in units of `stride`, times stride) of the first maximum of `n` values spaced `stride` apart.
@inline(__always)
func firstArgmax(_ p: UnsafePointer<Float>, _ n: Int, _ stride: Int) -> Int {
    var best = p[0], index = 0
    if best.isNaN { return 0 }
    for k in 1..<Swift.max(n, 1) {
        let v = p[k &* stride]
        if v > best || v.isNaN {
            best = v
            index = k
            if v.isNaN { break }
        }
    }
    return index &* stride
}
