import Engine

/// A point in image pixels: `x` to the right, `y` down, pixel (i, j) at integer coordinates (i, j).
///
/// ```swift
/// let point = ImagePoint(x: 112, y: 40)
/// let hit = PointingGame().isHit(point, boxes: [BoundingBox(x0: 100, y0: 20, x1: 180, y1: 90)], width: 224, height: 224)
/// ```
public struct ImagePoint: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Column coordinate.
    public var x: Double
    /// Row coordinate.
    public var y: Double

    /// A point at column `x`, row `y`.
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    /// "(x, y)".
    public var description: String { "(\(x.compactText), \(y.compactText))" }
}

/// An axis-aligned object box `[x0, y0, x1, y1]` in pixels of the image file.
///
/// Edges are continuous coordinates: pixel i covers [i, i + 1), so the box holds the pixels whose centre
/// (i + 0.5, j + 0.5) lies inside it — for whole-number edges, columns x0..<x1 and rows y0..<y1.
///
/// ```swift
/// let box = BoundingBox(x0: 40, y0: 60, x1: 100, y1: 90)   // columns 40..<100, rows 60..<90
/// ```
public struct BoundingBox: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Left edge.
    public var x0: Double
    /// Top edge.
    public var y0: Double
    /// Right edge.
    public var x1: Double
    /// Bottom edge.
    public var y1: Double

    /// A box from its left, top, right and bottom edges.
    public init(x0: Double, y0: Double, x1: Double, y1: Double) {
        self.x0 = x0
        self.y0 = y0
        self.x1 = x1
        self.y1 = y1
    }

    /// "[x0, y0, x1, y1]".
    public var description: String { "[\(x0.compactText), \(y0.compactText), \(x1.compactText), \(y1.compactText)]" }

    /// The pixel indices (first...last) whose centres lie in [low, high], clipped to 0..<size; nil when none.
    static func pixelRange(low: Double, high: Double, size: Int) -> ClosedRange<Int>? {
        // Clamp in Double first: a hostile 1e300 edge must not reach Int(_:), and NaN covers no pixel.
        guard low.isFinite || low == -.infinity, high.isFinite || high == .infinity, size > 0 else { return nil }
        let first = max(0, (low - 0.5).rounded(.up)), last = min(Double(size - 1), (high - 0.5).rounded(.down))
        return first <= last ? Int(first)...Int(last) : nil
    }
}

/// TorchRay's pointing game (`PointingGame.evaluate`): a hit when the point lies strictly closer than
/// `tolerance` pixels to a pixel of an object of the class.
///
/// The object mask is the union of the class's boxes (several objects per class), rasterised on the
/// image's pixel grid; the distance is measured from the point to pixel indices, as TorchRay's
/// `meshgrid` of `arange` does, and compared with `<` (TorchRay's code; its docs say ≤).
/// - Paper: https://arxiv.org/abs/1608.00507 (Zhang et al., "Top-down neural attention by excitation backprop")
///
/// ```swift
/// let game = PointingGame(tolerance: 15)
/// let hit = game.isHit(ImagePoint(x: 50, y: 70), boxes: [BoundingBox(x0: 40, y0: 60, x1: 100, y1: 90)], width: 224, height: 224)
/// ```
public struct PointingGame: Sendable, Equatable {
    /// The hit radius in pixels (TorchRay: 15).
    public var tolerance: Double

    /// A game with the given tolerance (default 15 px, TorchRay's).
    public init(tolerance: Double = 15) {
        self.tolerance = tolerance
    }

    /// Whether `point` is a hit for an object made of `boxes` on a `width`×`height` image.
    public func isHit(_ point: ImagePoint, boxes: [BoundingBox], width: Int, height: Int) -> Bool {
        guard let distance = squaredDistance(from: point, to: boxes, width: width, height: height) else { return false }
        return distance < tolerance * tolerance
    }

    /// The squared distance from `point` to the nearest mask pixel of `boxes`, nil when the mask is empty.
    ///
    /// Squared distance to a rectangle of integer pixel indices separates into the nearest column and the
    /// nearest row, so this is exact without building the H×W mask TorchRay builds.
    public func squaredDistance(from point: ImagePoint, to boxes: [BoundingBox], width: Int, height: Int) -> Double? {
        var best: Double?
        for box in boxes {
            guard let columns = BoundingBox.pixelRange(low: box.x0, high: box.x1, size: width),
                  let rows = BoundingBox.pixelRange(low: box.y0, high: box.y1, size: height) else { continue }
            let dx = Self.distance(from: point.x, to: columns)
            let dy = Self.distance(from: point.y, to: rows)
            let d = dx * dx + dy * dy
            if best.map({ d < $0 }) ?? true { best = d }
        }
        return best
    }

    /// Distance from `value` to the nearest integer in `range`.
    static func distance(from value: Double, to range: ClosedRange<Int>) -> Double {
        if value <= Double(range.lowerBound) { return Double(range.lowerBound) - value }
        if value >= Double(range.upperBound) { return value - Double(range.upperBound) }
        let below = value.rounded(.down)
        return min(value - below, below + 1 - value)
    }

    /// The point of a map's maximum (TorchRay's `_saliency_to_point`): the first maximum in row-major order.
    ///
    /// Ties go to the first maximum, as `torch.argmax` does; NaN counts as larger than any number, as it
    /// does in `torch.argmax` (a map with NaN points at its first NaN).
    /// - Parameter map: an 1×1×H×W (or H×W) map; its (column, row) is the returned point.
    public static func maximumPoint(of map: Tensor) -> ImagePoint {
        let width = max(map.shape.last ?? 1, 1)
        var best = 0
        map.withUnsafeBufferPointer { values in
            guard !values.isEmpty else { return }
            var top = values[0]
            if top.isNaN { return }
            for i in 1..<values.count {
                let v = values[i]
                if v.isNaN {
                    best = i
                    return
                }
                if v > top {
                    top = v
                    best = i
                }
            }
        }
        return ImagePoint(x: Double(best % width), y: Double(best / width))
    }

    /// TorchRay's `center` baseline: (w/2, h/2) of the image.
    public static func centerPoint(width: Int, height: Int) -> ImagePoint {
        ImagePoint(x: Double(width) / 2, y: Double(height) / 2)
    }
}

/// Hits and misses per class, and the accuracies TorchRay derives from them.
public struct PointingTally: Sendable, Equatable {
    /// (hits, misses) per class index.
    public private(set) var counts: [Int: (hits: Int, misses: Int)] = [:]

    /// An empty tally.
    public init() {}

    /// Counts one (image, class) pair.
    public mutating func record(classIndex: Int, hit: Bool) {
        var entry = counts[classIndex] ?? (0, 0)
        if hit { entry.hits += 1 } else { entry.misses += 1 }
        counts[classIndex] = entry
    }

    /// hits / (hits + misses) for every class that occurred, by class index.
    public var classAccuracies: [Int: Double] {
        counts.mapValues { Double($0.hits) / Double(max($0.hits + $0.misses, 1)) }
    }

    /// The mean of the per-class accuracies over the classes that occurred (0 when none did).
    ///
    /// A documented difference: TorchRay averages over all 20 VOC (80 COCO) classes, counting a class that
    /// never occurs as 0; a dataset here has no fixed class list, so absent classes are left out.
    public var accuracy: Double {
        let values = classAccuracies.values
        return values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    public static func == (lhs: PointingTally, rhs: PointingTally) -> Bool {
        lhs.counts.count == rhs.counts.count
            && lhs.counts.allSatisfy { key, value in rhs.counts[key].map { $0 == value } ?? false }
    }
}

extension Double {
    /// Whole numbers without a fraction ("15"), others as Swift prints them ("14.9").
    var compactText: String {
        self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self)
    }
}
