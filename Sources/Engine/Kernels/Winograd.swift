import Foundation

/// 3×3 stride-1 convolution by Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray, CVPR 2016,
/// https://arxiv.org/abs/1509.09308): each 2×2 output tile costs 16 multiplies per channel pair instead
/// of 36, done as 16 GEMMs over all tiles. Used for dense 3×3 stride-1 convs (VGG, ResNet), forward and
/// for the input gradient (itself a 3×3 stride-1 conv with transposed, flipped weights).

/// Kernel transform U = G·g·Gᵀ for every (out, in) pair: 16 matrices [o, c], element ξ = 4·row + col.
/// Pairs are transformed 64 at a time into a small ξ-major block and copied out as 16 contiguous runs:
/// writing the 16 matrices element by element (16 streams exactly o·c floats apart) hit 4K-aliasing and
/// made the transform cost more than the GEMMs for 512-channel layers.
/// With `transposedFlipped`, `weight` is the forward weight [c, o, 3, 3] and the transform is of
/// W'[out, in] = W[in, out] rotated by 180° (the input-gradient conv), without materialising W'.
private func winogradKernels(
    _ weight: UnsafePointer<Float>, o: Int, c: Int, transposedFlipped: Bool = false,
    into u: UnsafeMutablePointer<Float>
) {
    let oc = o * c
    let blockSize = 64
    parallelChunks(o, minimumChunk: 8) { outs in
        let block = UnsafeMutablePointer<Float>.allocate(capacity: 16 * blockSize)
        defer { block.deallocate() }
        for out in outs {
            for i0 in stride(from: 0, to: c, by: blockSize) {
                let count = min(blockSize, c - i0)
                for j in 0..<count {
                    let c0: SIMD4<Float>, c1: SIMD4<Float>, c2: SIMD4<Float>
                    if transposedFlipped {
                        let g = weight + ((i0 &+ j) &* o &+ out) &* 9
                        (c0, c1, c2) = (SIMD4(g[8], g[7], g[6], 0), SIMD4(g[5], g[4], g[3], 0), SIMD4(g[2], g[1], g[0], 0))
                    } else {
                        let g = weight + (out &* c &+ i0 &+ j) &* 9
                        (c0, c1, c2) = (SIMD4(g[0], g[1], g[2], 0), SIMD4(g[3], g[4], g[5], 0), SIMD4(g[6], g[7], g[8], 0))
                    }
                    // G·g (4×3), one column of g at a time: g0, (g0+g1+g2)/2, (g0−g1+g2)/2, g2.
                    let r0 = c0, r1 = 0.5 * (c0 + c1 + c2), r2 = 0.5 * (c0 - c1 + c2), r3 = c2
                    @inline(__always) func store(_ i: Int, _ r: SIMD4<Float>) {
                        let k = i &* 4
                        block[k &* blockSize &+ j] = r[0]
                        block[(k &+ 1) &* blockSize &+ j] = 0.5 * (r[0] + r[1] + r[2])
                        block[(k &+ 2) &* blockSize &+ j] = 0.5 * (r[0] - r[1] + r[2])
                        block[(k &+ 3) &* blockSize &+ j] = r[2]
                    }
                    store(0, r0); store(1, r1); store(2, r2); store(3, r3)
                }
                for xi in 0..<16 {
                    (u + (xi &* oc &+ out &* c &+ i0)).update(from: block + xi &* blockSize, count: count)
                }
            }
        }
    }
}

/// The kernel transform of `weight`, computed on first use and kept with the weight's storage: weights
/// do not change between calls, and the transform was ≈ 4 % of a ResNet50 forward pass.
func winogradKernels(of weight: Tensor, o: Int, c: Int, transposedFlipped: Bool) -> UnsafePointer<Float> {
    weight.storage.derived(transposedFlipped ? 1 : 0, count: 16 * o * c) { u in
        winogradKernels(UnsafePointer(weight.pointer), o: o, c: c, transposedFlipped: transposedFlipped, into: u)
    }
}

/// Whether a conv goes through `winogradConv3x3`: dense 3×3 stride-1 convs with at least 16 channels in
/// and out and an output of at least 8×8 (measured against im2col + sgemm on VGG/ResNet shapes: 10–40 %
/// less CPU from 14×14 up to 224×224; at 7×7 the two are even). `SALIENCY_ENGINE_WINOGRAD=0` or `=1`
/// forces it off or on (for benchmarks and tests).
func winogradApplies(_ g: ConvGeometry) -> Bool {
    guard g.kh == 3 && g.kw == 3 && g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 && g.groups == 1 else {
        return false
    }
    switch WinogradSetting.mode {
    case "0": return false
    case "1": return true
    default: return g.c >= 16 && g.o >= 16 && g.oh * g.ow >= 64
    }
}

enum WinogradSetting {
    static let mode: String = ProcessInfo.processInfo.environment["SALIENCY_ENGINE_WINOGRAD"] ?? ""
}

/// out[n, o, oh, ow] = conv3×3(x, weight) + bias with top/left padding `padTop`/`padLeft` (the output
/// extent fixes the bottom/right padding), where `kernels` is the weight's transform from
/// `winogradKernels(of:o:c:transposedFlipped:)` (transposed and flipped for an input gradient).
func winogradConv3x3(
    _ x: UnsafePointer<Float>, n: Int, c: Int, h: Int, w: Int,
    kernels u: UnsafePointer<Float>, o: Int, bias: UnsafePointer<Float>?,
    padTop: Int, padLeft: Int, oh: Int, ow: Int, out: UnsafeMutablePointer<Float>
) {
    _ = blasSingleThreaded
    let tilesH = (oh + 1) / 2, tilesW = (ow + 1) / 2
    // Tiles are processed four at a time (SIMD lanes = tiles), so rows of tiles are rounded up to 4.
    let tilesW4 = (tilesW + 3) / 4 * 4
    // Tile rows per chunk: the transformed input (16·c·T) and products (16·o·T) stay near 8 MB.
    let rowsPerChunk = max(1, min(tilesH, (1 << 21) / max(16 * max(c, o) * tilesW4, 1)))
    let ld = rowsPerChunk * tilesW4  // row stride of every V_ξ and M_ξ matrix
    let v = UnsafeMutablePointer<Float>.allocate(capacity: 16 * c * ld)
    let m = UnsafeMutablePointer<Float>.allocate(capacity: 16 * o * ld)
    defer { v.deallocate(); m.deallocate() }
    let scratchW = 2 * tilesW4 + 8
    let scratchH = 2 * rowsPerChunk + 2
    for image in 0..<n {
        let src = x + image * c * h * w
        let dst = out + image * o * oh * ow
        for tr0 in stride(from: 0, to: tilesH, by: rowsPerChunk) {
            let tr1 = min(tilesH, tr0 + rowsPerChunk)
            let rows = tr1 - tr0
            let tiles = rows * tilesW4
            let cld = c * ld, old = o * ld
            // Input transform V = Bᵀ·d·B for each channel, four tiles per step, from a zero-bordered copy.
            parallelChunks(c, minimumChunk: 4) { channels in
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchH * scratchW)
                defer { scratch.deallocate() }
                let raw = UnsafeRawPointer(scratch)
                for ch in channels {
                    let plane = src + ch &* h &* w
                    // Copy the rows this chunk reads, zeroing only what the copy does not cover.
                    let iyBase = 2 &* tr0 &- padTop
                    let j0 = max(0, -padLeft), j1 = max(j0, min(w, scratchW - padLeft))
                    let copyStart = padLeft &+ j0, copyEnd = copyStart &+ (j1 &- j0)
                    for r in 0..<(2 &* rows &+ 2) {
                        let iy = iyBase &+ r
                        let row = scratch + r &* scratchW
                        if iy < 0 || iy >= h || j1 <= j0 {
                            row.update(repeating: 0, count: scratchW)
                            continue
                        }
                        if copyStart > 0 { row.update(repeating: 0, count: copyStart) }
                        (row + copyStart).update(from: plane + (iy &* w &+ j0), count: j1 &- j0)
                        if copyEnd < scratchW { (row + copyEnd).update(repeating: 0, count: scratchW &- copyEnd) }
                    }
                    let out = v + ch &* ld
                    for ty in 0..<rows {
                        for tx in stride(from: 0, to: tilesW4, by: 4) {
                            // d(r, k) for four tiles: even/odd lanes of 8 columns at 2·tx and 2·tx + 2.
                            @inline(__always) func load(_ r: Int) -> (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) {
                                let at = ((2 &* ty &+ r) &* scratchW &+ 2 &* tx) &* 4
                                let a = raw.loadUnaligned(fromByteOffset: at, as: SIMD8<Float>.self)
                                let b = raw.loadUnaligned(fromByteOffset: at &+ 8, as: SIMD8<Float>.self)
                                return (a.evenHalf, a.oddHalf, b.evenHalf, b.oddHalf)
                            }
                            let d0 = load(0), d1 = load(1), d2 = load(2), d3 = load(3)
                            // Bᵀ·d over rows: (d0 − d2, d1 + d2, d2 − d1, d1 − d3), element-wise per column.
                            let r0 = (d0.0 - d2.0, d0.1 - d2.1, d0.2 - d2.2, d0.3 - d2.3)
                            let r1 = (d1.0 + d2.0, d1.1 + d2.1, d1.2 + d2.2, d1.3 + d2.3)
                            let r2 = (d2.0 - d1.0, d2.1 - d1.1, d2.2 - d1.2, d2.3 - d1.3)
                            let r3 = (d1.0 - d3.0, d1.1 - d3.1, d1.2 - d3.2, d1.3 - d3.3)
                            let t = ty &* tilesW4 &+ tx
                            @inline(__always) func store(_ i: Int, _ q: (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>)) {
                                let k = i &* 4
                                UnsafeMutableRawPointer(out + (k &* cld &+ t)).storeBytes(of: q.0 - q.2, as: SIMD4<Float>.self)
                                UnsafeMutableRawPointer(out + ((k &+ 1) &* cld &+ t)).storeBytes(of: q.1 + q.2, as: SIMD4<Float>.self)
                                UnsafeMutableRawPointer(out + ((k &+ 2) &* cld &+ t)).storeBytes(of: q.2 - q.1, as: SIMD4<Float>.self)
                                UnsafeMutableRawPointer(out + ((k &+ 3) &* cld &+ t)).storeBytes(of: q.1 - q.3, as: SIMD4<Float>.self)
                            }
                            store(0, r0); store(1, r1); store(2, r2); store(3, r3)
                        }
                    }
                }
            }
            // 16 independent GEMMs, shared out over the threads: M_ξ [o, T] = U_ξ [o, c] · V_ξ [c, T].
            parallelFor(16) { xi in
                sgemm(m: o, n: tiles, k: c, a: u + xi * o * c, lda: c, b: v + xi * cld, ldb: ld,
                      c: m + xi * old, ldc: ld)
            }
            // Output transform Y = Aᵀ·M·A per output channel, four tiles per step, plus bias.
            parallelFor(o, minimumPerThread: 4) { oc in
                let b = SIMD4<Float>(repeating: bias?[oc] ?? 0)
                let plane = dst + oc &* oh &* ow
                let mm = m + oc &* ld
                for ty in 0..<rows {
                    let oy = 2 &* (tr0 &+ ty)
                    for tx in stride(from: 0, to: tilesW, by: 4) {
                        let t = ty &* tilesW4 &+ tx
                        @inline(__always) func q(_ k: Int) -> SIMD4<Float> {
                            UnsafeRawPointer(mm + (k &* old &+ t)).loadUnaligned(as: SIMD4<Float>.self)
                        }
                        // Aᵀ·M over rows (rows 0..3 of the tile are matrices 4i + j).
                        let s00 = q(0) + q(4) + q(8), s01 = q(1) + q(5) + q(9)
                        let s02 = q(2) + q(6) + q(10), s03 = q(3) + q(7) + q(11)
                        let s10 = q(4) - q(8) - q(12), s11 = q(5) - q(9) - q(13)
                        let s12 = q(6) - q(10) - q(14), s13 = q(7) - q(11) - q(15)
                        let y00 = s00 + s01 + s02 + b, y01 = s01 - s02 - s03 + b
                        let y10 = s10 + s11 + s12 + b, y11 = s11 - s12 - s13 + b
                        let ox = 2 &* tx
                        let row0 = plane + oy &* ow
                        let lanes = min(4, tilesW &- tx)
                        if lanes == 4 && ox &+ 8 <= ow {
                            let top = SIMD8(y00[0], y01[0], y00[1], y01[1], y00[2], y01[2], y00[3], y01[3])
                            UnsafeMutableRawPointer(row0 + ox).storeBytes(of: top, as: SIMD8<Float>.self)
                            if oy &+ 1 < oh {
                                let bottom = SIMD8(y10[0], y11[0], y10[1], y11[1], y10[2], y11[2], y10[3], y11[3])
                                UnsafeMutableRawPointer(row0 + (ow &+ ox)).storeBytes(of: bottom, as: SIMD8<Float>.self)
                            }
                        } else {
                            for l in 0..<lanes {
                                let x0 = ox &+ 2 &* l
                                row0[x0] = y00[l]
                                if x0 &+ 1 < ow { row0[x0 &+ 1] = y01[l] }
                                if oy &+ 1 < oh {
                                    row0[ow &+ x0] = y10[l]
                                    if x0 &+ 1 < ow { row0[ow &+ x0 &+ 1] = y11[l] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
