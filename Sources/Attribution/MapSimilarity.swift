import Engine
import Foundation

/// Similarity measures between two saliency maps of the same shape, as the sanity-check paper uses them
/// (Adebayo et al. 2018): rank correlation, SSIM of normalised maps, and overlap of the top pixels.
public enum MapSimilarity {
    /// Spearman's rank correlation of the values (ties get their average rank); NaN when either map is constant.
    public static func spearman(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count, "MapSimilarity.spearman: \(a.count) and \(b.count) values")
        return pearson(ranks(a), ranks(b))
    }

    /// Pearson correlation; NaN when either side has zero variance.
    public static func pearson(_ a: [Double], _ b: [Double]) -> Double {
        let n = Double(a.count)
        guard a.count > 1 else { return .nan }
        let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for i in a.indices {
            let da = a[i] - ma, db = b[i] - mb
            sab += da * db
            saa += da * da
            sbb += db * db
        }
        guard saa > 0, sbb > 0 else { return .nan }
        return sab / (saa * sbb).squareRoot()
    }

    /// 1-based ranks with ties averaged (equal values share the mean of their positions; -0 equals 0).
    public static func ranks(_ values: [Float]) -> [Double] {
        let sorted = order(values)
        var ranks = [Double](repeating: 0, count: values.count)
        var i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count && values[sorted[j + 1]] == values[sorted[i]] { j += 1 }
            let rank = Double(i + j) / 2 + 1
            for k in i...j { ranks[sorted[k]] = rank }
            i = j + 1
        }
        return ranks
    }

    /// The indices of `values` in value order, equal values by index (what a stable sort by value gives), -0 equal
    /// to 0. A radix sort of the values' order-preserving bits, eight at a time: a 224 × 224 map sorts in well under
    /// a millisecond, where sorting indices with a comparing closure took most of a rank correlation.
    public static func order(_ values: [Float], descending: Bool = false) -> [Int] {
        let count = values.count
        var keys = [UInt32](repeating: 0, count: count)
        for (i, value) in values.enumerated() {
            let bits = (value == 0 ? 0 : value).bitPattern
            // Negative numbers: all bits flipped; positive: the sign bit set. Unsigned order is then value order.
            let ordered = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
            keys[i] = descending ? ~ordered : ordered
        }
        var order = Array(0..<count)
        var nextKeys = [UInt32](repeating: 0, count: count)
        var nextOrder = [Int](repeating: 0, count: count)
        for shift: UInt32 in [0, 8, 16, 24] {
            var starts = [Int](repeating: 0, count: 257)
            for key in keys { starts[Int((key >> shift) & 0xFF) &+ 1] &+= 1 }
            if starts.contains(count) { continue }  // every key has the same byte here: nothing moves
            for bucket in 1...256 { starts[bucket] &+= starts[bucket - 1] }
            // Stable: equal bytes keep their order from the previous pass, so equal values stay in index order.
            for i in 0..<count {
                let bucket = Int((keys[i] >> shift) & 0xFF)
                let to = starts[bucket]
                starts[bucket] = to &+ 1
                nextKeys[to] = keys[i]
                nextOrder[to] = order[i]
            }
            swap(&keys, &nextKeys)
            swap(&order, &nextOrder)
        }
        return order
    }

    /// Mean SSIM (Wang et al. 2004; Gaussian window σ = 1.5, K₁ = 0.01, K₂ = 0.03) of the two 2-D maps after
    /// min–max normalising each to [0, 1]; a constant map normalises to zeros. `a` and `b` are H×W, row-major.
    public static func ssim(_ a: [Float], _ b: [Float], height: Int, width: Int) -> Double {
        precondition(a.count == height * width && b.count == a.count, "MapSimilarity.ssim: maps must be \(height)×\(width)")
        let x = normalised(a), y = normalised(b)
        func blur(_ v: [Float]) -> [Float] {
            Tensor(shape: [1, 1, height, width], scalars: v).gaussianSmoothed(sigma: 1.5, padding: .replicate).scalars
        }
        let mx = blur(x), my = blur(y)
        let xx = blur(zip(x, x).map(*)), yy = blur(zip(y, y).map(*)), xy = blur(zip(x, y).map(*))
        let c1 = 0.01 * 0.01, c2 = 0.03 * 0.03
        var total = 0.0
        for i in 0..<a.count {
            let ux = Double(mx[i]), uy = Double(my[i])
            let vx = Double(xx[i]) - ux * ux, vy = Double(yy[i]) - uy * uy, cxy = Double(xy[i]) - ux * uy
            total += ((2 * ux * uy + c1) * (2 * cxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2))
        }
        return total / Double(a.count)
    }

    /// |top-k(a) ∩ top-k(b)| / k for the k = ⌈fraction · n⌉ largest values (ties broken by position).
    public static func topKOverlap(_ a: [Float], _ b: [Float], fraction: Double = 0.1) -> Double {
        precondition(a.count == b.count && !a.isEmpty, "MapSimilarity.topKOverlap: maps must have the same, non-zero size")
        let k = max(1, Int((fraction * Double(a.count)).rounded(.up)))
        func top(_ v: [Float]) -> Set<Int> { Set(order(v, descending: true).prefix(k)) }
        return Double(top(a).intersection(top(b)).count) / Double(k)
    }

    static func normalised(_ v: [Float]) -> [Float] {
        let lo = v.min() ?? 0, hi = v.max() ?? 0
        guard hi > lo else { return [Float](repeating: 0, count: v.count) }
        return v.map { ($0 - lo) / (hi - lo) }
    }
}
