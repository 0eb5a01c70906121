// The only file that imports the C BLAS module.
internal import CBLAS

/// Row-major single-precision GEMM: C = alpha · op(A) · op(B) + beta · C, with op(A) m×k and op(B) k×n.
@inline(__always)
func sgemm(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    cblas_sgemm(
        CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// The kernel family OpenBLAS picked at load time (e.g. "SkylakeX", or "Prescott" when it fell back).
func blasCoreName() -> String {
    guard let name = openblas_get_corename() else { return "unknown" }
    return String(cString: name)
}


/// Makes OpenBLAS single-threaded and stops the workers it started at load time, which would otherwise spin for
/// ~0.1 s and take a core from the engine's loops (or the compiler) at the start of every process.
func stopBLASWorkers() {
    openblas_set_num_threads(1)
    _ = blas_thread_shutdown_()
}

/// Row-major single-precision matrix-vector product: y = alpha · op(A) · x + beta · y, A m×n.
@inline(__always)
func sgemv(
    trans: Bool = false, m: Int, n: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    x: UnsafePointer<Float>, beta: Float = 0, y: UnsafeMutablePointer<Float>
) {
    cblas_sgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), alpha, a, Int32(lda),
                x, 1, beta, y, 1)
}

// The engine splits GEMMs over its own threads and runs OpenBLAS single-threaded. OpenBLAS's own
// worker threads spin (sched_yield) between calls, which took ~20% of the samples of a Lite0
// gradient and starved the engine's own parallel loops (depthwise, im2col, element-wise).

/// Makes OpenBLAS single-threaded once, before the first engine GEMM.
let blasSingleThreaded: Bool = {
    stopBLASWorkers()
    return true
}()

/// `sgemm` split over the engine's threads: along n when it is wide, else along m, else one call.
func parallelSgemm(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    _ = blasSingleThreaded
    let threads = EngineThreads.count
    let work = m * n * k
    if threads > 1 && work >= 1 << 20 && n >= 128 * threads {
        parallelFor(threads) { t in
            let j0 = n * t / threads / 16 * 16
            let j1 = t == threads - 1 ? n : n * (t + 1) / threads / 16 * 16
            if j1 <= j0 { return }
            sgemm(transA: transA, transB: transB, m: m, n: j1 - j0, k: k, a: a, lda: lda,
                  b: transB ? b + j0 * ldb : b + j0, ldb: ldb, beta: beta, c: c + j0, ldc: ldc)
        }
    } else if threads > 1 && work >= 1 << 20 && m >= 32 * threads {
        parallelFor(threads) { t in
            let i0 = m * t / threads / 16 * 16
            let i1 = t == threads - 1 ? m : m * (t + 1) / threads / 16 * 16
            if i1 <= i0 { return }
            sgemm(transA: transA, transB: transB, m: i1 - i0, n: n, k: k, a: transA ? a + i0 : a + i0 * lda, lda: lda,
                  b: b, ldb: ldb, beta: beta, c: c + i0 * ldc, ldc: ldc)
        }
    } else {
        sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}

/// `sgemv` (y = op(A)·x, A m×n row-major) split over the engine's threads along the output.
func parallelSgemv(
    trans: Bool = false, m: Int, n: Int, a: UnsafePointer<Float>, lda: Int,
    x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>
) {
    _ = blasSingleThreaded
    let threads = EngineThreads.count
    let outputs = trans ? n : m
    guard threads > 1, m * n >= 1 << 16, outputs >= 64 * threads else {
        sgemv(trans: trans, m: m, n: n, a: a, lda: lda, x: x, y: y)
        return
    }
    parallelFor(threads) { t in
        let o0 = outputs * t / threads / 16 * 16
        let o1 = t == threads - 1 ? outputs : outputs * (t + 1) / threads / 16 * 16
        if o1 <= o0 { return }
        if trans {
            sgemv(trans: true, m: m, n: o1 - o0, a: a + o0, lda: lda, x: x, y: y + o0)
        } else {
            sgemv(m: o1 - o0, n: n, a: a + o0 * lda, lda: lda, x: x, y: y + o0)
        }
    }
}
