import Dispatch
import Foundation

/// Runs `body(i)` for i in 0..<count, split over the engine's threads in contiguous chunks.
/// Small counts run inline: thread start-up costs more than they save.
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

/// The number of threads the engine's own kernels use (OpenBLAS keeps its own count).
enum EngineThreads {
    static let count: Int = {
        let env = ProcessInfo.processInfo.environment
        if let s = env["OPENBLAS_NUM_THREADS"] ?? env["OMP_NUM_THREADS"], let n = Int(s), n > 0 { return n }
        return ProcessInfo.processInfo.activeProcessorCount
    }()
}
