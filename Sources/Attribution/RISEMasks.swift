import Engine

/// Where RISE's random masks come from.
public enum RISEMaskSource: Sendable {
    /// TorchRay's recipe: a `cells`×`cells` grid whose cells are 1 with probability `probability`, bilinearly
    /// up-sampled (reflect-padded) to (H + cell)×(W + cell) and cropped at a random shift in [0, cell),
    /// cell = ⌈H / cells⌉. Drawn from the engine's `SplitMix64(seed:)`, so the same seed gives the same masks
    /// on every machine (not the same as PyTorch's generator: pass `.given` for TorchRay's exact masks).
    case random(count: Int = 8000, cells: Int = 7, probability: Float = 0.5, seed: UInt64 = 0)
    /// Masks supplied by the caller: an M×1×H×W tensor (H×W of the input), e.g. TorchRay's `filter_masks`.
    case given(Tensor)

    /// The number of masks.
    public var count: Int {
        switch self {
        case .random(let count, _, _, _): count
        case .given(let masks): masks.rank == 4 ? masks.shape[0] : 0
        }
    }
}

/// Streams RISE masks chunk by chunk: never more than one chunk of masks is in memory.
struct RISEMaskStream {
    let source: RISEMaskSource
    let height: Int
    let width: Int
    private var rng: SplitMix64
    private var produced = 0

    /// Checks the source against an input of `height`×`width`.
    init(_ source: RISEMaskSource, height: Int, width: Int) throws {
        self.source = source
        self.height = height
        self.width = width
        switch source {
        case .random(let count, let cells, let probability, let seed):
            guard count >= 1 else { throw PerturbationError(.numMasks, "must be at least 1, got \(count)") }
            guard cells >= 2, cells <= min(height, width) else {
                throw PerturbationError(.numCells, "must be in 2…\(min(height, width)) for a \(height)×\(width) input, got \(cells)")
            }
            guard probability >= 0, probability <= 1 else {
                throw PerturbationError(.probability, "must be in [0, 1], got \(probability)")
            }
            rng = SplitMix64(seed: seed)
        case .given(let masks):
            guard masks.rank == 4, masks.shape[0] >= 1, masks.shape[1] == 1, masks.shape[2] == height, masks.shape[3] == width else {
                throw PerturbationError(.masks, "masks have shape \(masks.shape); expected M×1×\(height)×\(width) (M ≥ 1 masks "
                    + "of the input's height and width)")
            }
            rng = SplitMix64(seed: 0)
        }
    }

    /// Writes the next `count` masks (count×H×W) into `buffer`.
    mutating func fill(_ buffer: UnsafeMutablePointer<Float>, count: Int) {
        let plane = height * width
        switch source {
        case .given(let masks):
            masks.withUnsafeBufferPointer { src in
                buffer.update(from: src.baseAddress! + produced * plane, count: count * plane)
            }
        case .random(_, let cells, let probability, _):
            for i in 0..<count {
                let mask = RISEMaskRecipe.randomMask(cells: cells, probability: probability, height: height, width: width, rng: &rng)
                (buffer + i * plane).update(from: mask, count: plane)
            }
        }
        produced += count
    }
}

/// TorchRay's RISE mask geometry (`rise.py`), written from its description.
///
/// ```swift
/// var generator = SplitMix64(seed: 1)
/// let mask = RISEMaskRecipe.randomMask(cells: 7, probability: 0.5, height: 112, width: 112, rng: &generator)
/// ```
public enum RISEMaskRecipe {
    /// One mask: a grid of cells (1 with probability p, drawn row-major), up-sampled, then a random shift
    /// (rows first, then columns, each uniform in [0, cell)) and an H×W crop.
    public static func randomMask(cells: Int, probability: Float, height: Int, width: Int, rng: inout SplitMix64) -> [Float] {
        var grid = [Float](repeating: 0, count: cells * cells)
        for i in grid.indices { grid[i] = rng.nextUnitFloat() < probability ? 1 : 0 }
        let cellH = (height + cells - 1) / cells, cellW = (width + cells - 1) / cells
        let upH = height + cellH, upW = width + cellW
        let shiftY = rng.nextInt(below: cellH), shiftX = rng.nextInt(below: cellW)
        let up = upsampleReflect(grid, cells: cells, height: upH, width: upW)
        var mask = [Float](repeating: 0, count: height * width)
        for y in 0..<height {
            let src = (y &+ shiftY) &* upW &+ shiftX, dst = y &* width
            for x in 0..<width { mask[dst &+ x] = up[src &+ x] }
        }
        return mask
    }

    /// TorchRay's `_upsample_reflect`: reflect-pad the grid by one cell, bilinear (align_corners=false) to
    /// (cells + 2)·c with c = ⌈size / cells⌉ per axis, and crop `height`×`width` starting at c.
    public static func upsampleReflect(_ grid: [Float], cells: Int, height: Int, width: Int) -> [Float] {
        let padded = cells + 2
        // Reflect without repeating the edge: index -1 → 1, cells → cells - 2.
        func source(_ i: Int) -> Int { i < 0 ? -i : (i >= cells ? 2 * (cells - 1) - i : i) }
        let rows = BilinearAxis(inputCount: padded, outputCount: padded * ((height + cells - 1) / cells),
                                offset: (height + cells - 1) / cells, count: height)
        let cols = BilinearAxis(inputCount: padded, outputCount: padded * ((width + cells - 1) / cells),
                                offset: (width + cells - 1) / cells, count: width)
        // Columns first (padded rows × width), then rows, as PyTorch's separable weights combine.
        var out = [Float](repeating: 0, count: height * width)
        for y in 0..<height {
            let r0 = source(rows.low[y] - 1), r1 = source(rows.high[y] - 1)
            let a = rows.lowWeight[y], b = rows.highWeight[y]
            for x in 0..<width {
                let c0 = source(cols.low[x] - 1), c1 = source(cols.high[x] - 1)
                let p = cols.lowWeight[x], q = cols.highWeight[x]
                out[y &* width &+ x] = a * (p * grid[r0 * cells + c0] + q * grid[r0 * cells + c1])
                    + b * (p * grid[r1 * cells + c0] + q * grid[r1 * cells + c1])
            }
        }
        return out
    }
}

/// PyTorch's bilinear source indices and weights (align_corners=false) for output positions
/// offset..<offset+count of an `inputCount` → `outputCount` resize.
struct BilinearAxis {
    var low: [Int] = [], high: [Int] = []
    var lowWeight: [Float] = [], highWeight: [Float] = []

    init(inputCount: Int, outputCount: Int, offset: Int, count: Int) {
        let scale = Float(inputCount) / Float(outputCount)
        for i in offset..<(offset + count) {
            let src = max(scale * (Float(i) + 0.5) - 0.5, 0)
            let i0 = min(Int(src), inputCount - 1)
            let i1 = min(i0 + 1, inputCount - 1)
            let lambda = src - Float(i0)
            low.append(i0)
            high.append(i1)
            lowWeight.append(1 - lambda)
            highWeight.append(lambda)
        }
    }
}
