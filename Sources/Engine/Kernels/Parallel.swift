import Dispatch
import Foundation

/// Runs `body(i)` for i in 0..<count, split over the engine's threads in contiguous chunks.
/// Small counts run inline: thread start-up costs more than they save.
@inline(__always)
func parallelFor(_ count: Int, minimumPerThread: Int = 1, _ body: (Int) -> Void) {
    let threads = min(EngineThreads.count, count / max(minimumPerThread, 1))
    if threads <= 1 {
        for i in 0..<count { body(i) }
        return
    }
    withoutActuallyEscaping(body) { body in
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let start = count * t / threads, end = count * (t + 1) / threads
            for i in start..<end { body(i) }
        }
    }
}

/// Runs `body(range)` over contiguous pieces of 0..<count, in parallel when `count` is large enough to
/// pay for the threads (element-wise loops over activations are memory-bound; two cores read faster).
@inline(__always)
func parallelChunks(_ count: Int, minimumChunk: Int = 1 << 16, _ body: (Range<Int>) -> Void) {
    let pieces = min(EngineThreads.count, count / max(minimumChunk, 1))
    if pieces <= 1 {
        body(0..<count)
        return
    }
    parallelFor(pieces) { t in body((count * t / pieces)..<(count * (t + 1) / pieces)) }
}

/// The number of threads the engine computes with (its own loops and its split GEMMs; OpenBLAS itself
/// runs single-threaded). Read from OPENBLAS_NUM_THREADS (or OMP_NUM_THREADS), else all cores; set it
/// with `OpenBLASSetup.configureThreads` before starting work.
enum EngineThreads {
    nonisolated(unsafe) static var count: Int = {
        let env = ProcessInfo.processInfo.environment
        if let s = env["OPENBLAS_NUM_THREADS"] ?? env["OMP_NUM_THREADS"], let n = Int(s), n > 0 { return n }
        return ProcessInfo.processInfo.activeProcessorCount
    }()
}
