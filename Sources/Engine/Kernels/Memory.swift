/// glibc's `mallopt` (its header, malloc.h, is not part of the Glibc module).
@_silgen_name("mallopt")
private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32

/// Keeps glibc from returning large freed blocks to the kernel after every op: tensors of a few MB are
/// allocated and freed per layer, and with the default mmap threshold each one page-faults afresh
/// (measured: ~10% of a conv-heavy forward in page faults). Evaluated once, on the first allocation.
let allocatorTuned: Bool = {
    #if os(Linux)
    _ = mallopt(-3, 32 << 20)  // M_MMAP_THRESHOLD (32 MB is glibc's maximum): smaller blocks come from the heap
    _ = mallopt(-1, 512 << 20)  // M_TRIM_THRESHOLD: keep up to 512 MB of freed heap for reuse
    #endif
    return true
}()
