import Engine

/// Element-wise helpers for backward rules: rules transform gradients, which never need a graph,
/// so these loop over raw buffers instead of recording ops.
enum Elementwise {
    /// `f(a[i])` for every element; the result has `a`'s shape.
    static func map(_ a: Tensor, _ f: (Float) -> Float) -> Tensor {
        let storage = TensorStorage(count: a.count)
        let out = storage.pointer
        a.withUnsafeBufferPointer { src in
            for i in 0..<src.count { out[i] = f(src[i]) }
        }
        return Tensor(shape: a.shape, storage: storage)
    }

    /// `f(a[i], b[i])` for every element; `a` and `b` must have the same shape.
    static func zip(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        guard a.shape == b.shape else {
            fatalError("backward rule: gradient shape \(a.shape) differs from input shape \(b.shape)")
        }
        let storage = TensorStorage(count: a.count)
        let out = storage.pointer
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                for i in 0..<pa.count { out[i] = f(pa[i], pb[i]) }
            }
        }
        return Tensor(shape: a.shape, storage: storage)
    }
}
