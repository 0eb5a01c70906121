// Where the two animals sit in the example photo, so lessons can measure how much of a map lies on each.
import Engine

/// An axis-aligned rectangle in the pixel coordinates of a `width × height` picture (fractional edges allowed).
///
/// A map of any resolution that covers the picture is matched cell by cell: a cell belongs to the region when its
/// centre, mapped to picture pixels, lies inside (`left ≤ x < right`, `top ≤ y < bottom`).
///
/// ```swift
/// let left = PhotoRegion(left: 0, top: 0, right: 112, bottom: 224, width: 224, height: 224)
/// print(MapComparison.share(map, in: left))   // the share of the map's mass in the left half
/// ```
public struct PhotoRegion: Sendable, Equatable, CustomStringConvertible {
    /// Left edge, in picture pixels.
    public let left: Double
    /// Top edge, in picture pixels.
    public let top: Double
    /// Right edge (exclusive), in picture pixels.
    public let right: Double
    /// Bottom edge (exclusive), in picture pixels.
    public let bottom: Double
    /// The picture's width, in pixels.
    public let width: Int
    /// The picture's height, in pixels.
    public let height: Int

    /// A region of a `width × height` picture, clipped to the picture.
    public init(left: Double, top: Double, right: Double, bottom: Double, width: Int, height: Int) {
        self.left = max(0, left)
        self.top = max(0, top)
        self.right = min(Double(width), right)
        self.bottom = min(Double(height), bottom)
        self.width = width
        self.height = height
    }

    /// The share of the picture's area the region covers (0…1).
    public var areaShare: Double {
        guard width > 0, height > 0 else { return 0 }
        return max(0, right - left) * max(0, bottom - top) / Double(width * height)
    }

    /// For each cell of an `rows × columns` grid laid over the picture (row-major): whether its centre is inside.
    public func mask(rows: Int, columns: Int) -> [Bool] {
        var inside = [Bool](repeating: false, count: max(0, rows * columns))
        guard rows > 0, columns > 0 else { return inside }
        for row in 0..<rows {
            let y = (Double(row) + 0.5) * Double(height) / Double(rows)
            guard y >= top && y < bottom else { continue }
            for column in 0..<columns {
                let x = (Double(column) + 0.5) * Double(width) / Double(columns)
                if x >= left && x < right { inside[row * columns + column] = true }
            }
        }
        return inside
    }

    /// "x 2.3–128.0, y 12.6–211.4 of 224×224".
    public var description: String {
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        return "x \(f(left))–\(f(right)), y \(f(top))–\(f(bottom)) of \(width)×\(height)"
    }
}

extension ExampleData {
    /// The square board (in pixels) the two photos were pasted on (`scripts/photos/prepare.py`).
    static let boardSide = 448.0
    /// The dog photo's panel on the board: x, y, width, height in board pixels.
    static let dogPanelOnBoard = (x: 32.0, y: 50.0, width: 220.0, height: 348.0)
    /// The cat photo's panel on the board, 12 grey pixels right of the dog's.
    static let catPanelOnBoard = (x: 264.0, y: 174.0, width: 152.0, height: 101.0)

    /// The dog photo's panel in `image` (the example is a collage of two photos on a grey board).
    public var dogPanel: PhotoRegion { Self.boardRegion(Self.dogPanelOnBoard, size: image.width) }
    /// The cat photo's panel in `image`.
    public var catPanel: PhotoRegion { Self.boardRegion(Self.catPanelOnBoard, size: image.width) }

    /// A board rectangle after the lesson's preprocessing: shorter side to `size · 8/7`, centre crop `size`.
    static func boardRegion(_ panel: (x: Double, y: Double, width: Double, height: Double), size: Int) -> PhotoRegion {
        let shorter = (Double(size) * 256 / 224).rounded()
        let scale = shorter / boardSide
        let offset = ((shorter - Double(size)) / 2).rounded(.toNearestOrEven)
        return PhotoRegion(
            left: panel.x * scale - offset, top: panel.y * scale - offset,
            right: (panel.x + panel.width) * scale - offset, bottom: (panel.y + panel.height) * scale - offset,
            width: size, height: size)
    }
}

extension MapComparison {
    /// The share of item 0's total that lies in `region` (0 for an all-zero map); negative values count with their
    /// sign, so pass a non-negative map.
    public static func share(_ map: Tensor, in region: PhotoRegion) -> Float {
        guard let plane = plane(of: map) else { return 0 }
        let inside = region.mask(rows: plane.rows, columns: plane.columns)
        var total: Double = 0, within: Double = 0
        for (i, value) in plane.values.enumerated() {
            total += Double(value)
            if inside[i] { within += Double(value) }
        }
        return total != 0 ? Float(within / total) : 0
    }

    /// The mean of item 0 over the cells in `region`, divided by the map's maximum (0…1 for a non-negative map):
    /// how dense the map is there, independent of the region's size.
    public static func density(_ map: Tensor, in region: PhotoRegion) -> Float {
        guard let plane = plane(of: map), let top = plane.values.max(), top > 0 else { return 0 }
        let inside = region.mask(rows: plane.rows, columns: plane.columns)
        var sum: Double = 0, count = 0
        for (i, value) in plane.values.enumerated() where inside[i] {
            sum += Double(value)
            count += 1
        }
        return count > 0 ? Float(sum / Double(count) / Double(top)) : 0
    }

    /// The share of item 0's top `fraction` cells (the brightest 5 % by default) whose centres lie in `region`.
    public static func topShare(_ map: Tensor, in region: PhotoRegion, fraction: Double = 0.05) -> Float {
        guard let plane = plane(of: map), !plane.values.isEmpty else { return 0 }
        let values = plane.values
        let k = max(1, Int((Double(values.count) * fraction).rounded()))
        let inside = region.mask(rows: plane.rows, columns: plane.columns)
        let top = values.indices.sorted { values[$0] > values[$1] }.prefix(k)
        return Float(top.filter { inside[$0] }.count) / Float(k)
    }

    /// Item 0 of an N×C×h×w map (its first channel) as h, w and values.
    static func plane(of map: Tensor) -> (rows: Int, columns: Int, values: [Float])? {
        guard map.rank == 4, map.shape[0] >= 1, map.shape[1] >= 1 else { return nil }
        let (rows, columns) = (map.shape[2], map.shape[3])
        return (rows, columns, Array(map.scalars.prefix(rows * columns)))
    }
}
