// Raw matrix products for methods that aggregate many forward passes outside the autograd graph
// (RISE sums score-weighted masks): thin public entry points to the engine's split GEMM.

/// C (m×n) ← aᵀ·b + beta·C, where a is k×m and b is k×n, all row-major and contiguous (not differentiable).
///
/// The product is split over the engine's threads like every other GEMM of the engine.
public func addTransposedProduct(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
    m: Int, n: Int, k: Int, beta: Float = 1
) {
    guard m > 0, n > 0, k > 0 else { return }
    parallelSgemm(transA: true, m: m, n: n, k: k, a: a, lda: m, b: b, ldb: n, beta: beta, c: c, ldc: n)
}

/// Runs `body(i)` for i in 0..<count over the engine's threads in contiguous chunks (inline when small).
/// For kernels outside Engine that must not oversubscribe the cores the engine already uses.
public func engineParallelFor(_ count: Int, minimumPerThread: Int = 1, _ body: (Int) -> Void) {
    parallelFor(count, minimumPerThread: minimumPerThread, body)
}
