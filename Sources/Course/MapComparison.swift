import Attribution
import Engine

/// Numbers for comparing two saliency maps of the same shape: how alike they are and where their peaks sit.
///
/// Lessons use these to say "your map matches the built-in one" or "the dog's and the cat's maps are 0.9 correlated";
/// checks use them to accept any sensible reduction rather than one exact formula.
///
/// ```swift
/// print(MapComparison.rankCorrelation(mine, builtIn))     // 1 when they rank the pixels alike
/// print(MapComparison.topOverlap(mine, builtIn, fraction: 0.05))
/// ```
public enum MapComparison {
    /// ‖a − b‖ / ‖b‖ over all elements (0 when both are zero); b is the reference.
    public static func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
        let x = a.scalars, y = b.scalars
        guard x.count == y.count else { return .infinity }
        var difference: Double = 0, reference: Double = 0
        for i in x.indices {
            let d = Double(x[i]) - Double(y[i])
            difference += d * d
            reference += Double(y[i]) * Double(y[i])
        }
        if reference == 0 { return difference == 0 ? 0 : .infinity }
        return Float((difference / reference).squareRoot())
    }

    /// The largest |a − b| over all elements.
    public static func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
        let x = a.scalars, y = b.scalars
        guard x.count == y.count else { return .infinity }
        var worst: Float = 0
        for i in x.indices { worst = max(worst, abs(x[i] - y[i])) }
        return worst
    }

    /// Pearson correlation of the elements of `a` and `b` (0 when either is constant).
    public static func correlation(_ a: Tensor, _ b: Tensor) -> Float {
        pearson(a.scalars.map(Double.init), b.scalars.map(Double.init))
    }

    /// Spearman rank correlation: Pearson correlation of the ranks (ties get their mean rank), so any
    /// monotonic rescaling of a map leaves it unchanged.
    public static func rankCorrelation(_ a: Tensor, _ b: Tensor) -> Float {
        pearson(MapSimilarity.ranks(a.scalars), MapSimilarity.ranks(b.scalars))
    }

    /// The share of `a`'s top `fraction` elements that are also among `b`'s top `fraction` (1 = same peaks).
    public static func topOverlap(_ a: Tensor, _ b: Tensor, fraction: Double = 0.05) -> Float {
        let x = a.scalars, y = b.scalars
        guard x.count == y.count, !x.isEmpty else { return 0 }
        let k = max(1, Int((Double(x.count) * fraction).rounded()))
        let topA = Set(MapSimilarity.order(x, descending: true).prefix(k))
        let topB = Set(MapSimilarity.order(y, descending: true).prefix(k))
        return Float(topA.intersection(topB).count) / Float(k)
    }

    /// The share of item 0's total that lies in the left half of an N×1×h×w map (the middle column of an odd width
    /// counts half); the course's photo has the dog on the left and the cat on the right. 0 for an all-zero map.
    public static func leftHalfShare(_ map: Tensor) -> Float {
        guard map.rank == 4, map.shape[2] > 0, map.shape[3] > 0 else { return 0 }
        let (h, w) = (map.shape[2], map.shape[3])
        let values = map.scalars
        var left: Double = 0, total: Double = 0
        for y in 0..<h {
            for x in 0..<w {
                let v = Double(values[y * w + x])
                total += v
                if 2 * x + 1 < w { left += v } else if 2 * x + 1 == w { left += v / 2 }
            }
        }
        return total != 0 ? Float(left / total) : 0
    }

    static func pearson(_ x: [Double], _ y: [Double]) -> Float {
        guard x.count == y.count, x.count > 1 else { return 0 }
        let n = Double(x.count)
        let meanX = x.reduce(0, +) / n, meanY = y.reduce(0, +) / n
        var sxy: Double = 0, sxx: Double = 0, syy: Double = 0
        for i in x.indices {
            let dx = x[i] - meanX, dy = y[i] - meanY
            sxy += dx * dy
            sxx += dx * dx
            syy += dy * dy
        }
        guard sxx > 0, syy > 0 else { return 0 }
        return Float(sxy / (sxx * syy).squareRoot())
    }

}
