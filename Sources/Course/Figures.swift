// Small teaching figures drawn as bitmaps: a colour-coded table of numbers and a plot of one-variable functions.
import Imaging

/// A table of numbers whose cells are coloured by value on a diverging scale (0 white, negative blue, positive
/// red; full colour at ±max|value| of the cell's row, so a row of small gradients is as readable as a row of large
/// inputs), each cell showing its number; rows are labelled on the left.
///
/// ```swift
/// show(image: valueTable(rows: [("x", [-2, 0, 3]), ("g", [1, -1, 2])], title: "Three numbers"))
/// ```
public func valueTable(
    rows: [(label: String, values: [Float])], columnLabels: [String] = [], title: String? = nil,
    cellWidth: Int = 52, cellHeight: Int = 26
) -> Image {
    let columns = rows.map(\.values.count).max() ?? 0
    guard columns > 0 else { return BitmapFont.render(title ?? "(empty table)") }
    let labelWidth = (rows.map { BitmapFont.size(of: $0.label).width }.max() ?? 0) + 10
    let headerHeight = columnLabels.isEmpty ? 0 : BitmapFont.lineHeight + 4
    let titleHeight = title == nil ? 0 : BitmapFont.lineHeight * 2 + 6
    let margin = 6
    let titleWidth = title.map { BitmapFont.size(of: $0, scale: 2).width } ?? 0
    let width = margin * 2 + Swift.max(labelWidth + columns * cellWidth, titleWidth)
    let height = margin * 2 + titleHeight + headerHeight + rows.count * cellHeight
    var board = Image(width: width, height: height, channels: 3, fill: [255])
    if let title {
        BitmapFont.draw(title, into: &board, x: margin, y: margin, color: [0, 0, 0], scale: 2)
    }
    let top = margin + titleHeight + headerHeight
    let left = margin + labelWidth
    for (column, label) in columnLabels.prefix(columns).enumerated() {
        let w = BitmapFont.size(of: label).width
        BitmapFont.draw(label, into: &board, x: left + column * cellWidth + (cellWidth - w) / 2,
                        y: margin + titleHeight, color: [90, 90, 90])
    }
    for (r, row) in rows.enumerated() {
        let y = top + r * cellHeight
        let largest = row.values.filter(\.isFinite).map { Swift.abs($0) }.max() ?? 0
        BitmapFont.draw(row.label, into: &board, x: margin, y: y + (cellHeight - BitmapFont.glyphHeight) / 2,
                        color: [0, 0, 0])
        for (c, value) in row.values.enumerated() {
            let x = left + c * cellWidth
            let fill = divergingColor(value, largest: largest)
            FigureCanvas.fill(&board, x: x, y: y, width: cellWidth, height: cellHeight, color: fill)
            FigureCanvas.frame(&board, x: x, y: y, width: cellWidth, height: cellHeight, color: [200, 200, 200])
            let text = numberLabel(value)
            let size = BitmapFont.size(of: text)
            let luminance = 0.3 * Float(fill[0]) + 0.59 * Float(fill[1]) + 0.11 * Float(fill[2])
            BitmapFont.draw(text, into: &board, x: x + (cellWidth - size.width) / 2, y: y + (cellHeight - size.height) / 2,
                            color: luminance < 110 ? [255, 255, 255] : [0, 0, 0])
        }
    }
    return board
}

/// One curve of `functionPlot`: a name for the legend, a colour and the function.
public struct PlotCurve {
    /// The legend entry, e.g. "ReLU6(x)".
    public let name: String
    /// RGB line colour.
    public let color: [UInt8]
    /// The plotted function.
    public let function: (Float) -> Float

    /// A named curve in `color`.
    public init(_ name: String, color: [UInt8] = [31, 119, 180], _ function: @escaping (Float) -> Float) {
        self.name = name
        self.color = color
        self.function = function
    }
}

/// Plots functions of one variable over `x` (and `y`, or the curves' own range) with axes through 0, a unit grid
/// at integer values and a legend: the picture of an activation function and its derivative.
public func functionPlot(
    _ curves: [PlotCurve], x: ClosedRange<Float>, y: ClosedRange<Float>? = nil, title: String? = nil,
    width: Int = 360, height: Int = 240
) -> Image {
    let samples = (0...width).map { x.lowerBound + (x.upperBound - x.lowerBound) * Float($0) / Float(width) }
    let values = curves.map { curve in samples.map(curve.function) }
    let yRange = y ?? {
        let all = values.flatMap { $0 }.filter(\.isFinite)
        let low = Swift.min(0, all.min() ?? 0), high = Swift.max(1, all.max() ?? 1)
        return (low - 0.05 * (high - low))...(high + 0.05 * (high - low))
    }()
    let margin = 28
    let titleHeight = title == nil ? 0 : BitmapFont.lineHeight * 2 + 6
    let legendHeight = curves.count * (BitmapFont.lineHeight + 2) + 4
    var board = Image(width: width + 2 * margin, height: height + 2 * margin + titleHeight + legendHeight, channels: 3,
                      fill: [255])
    if let title { BitmapFont.draw(title, into: &board, x: margin, y: 6, color: [0, 0, 0], scale: 2) }
    let area = FigureCanvas.PlotArea(left: margin, top: margin + titleHeight, width: width, height: height,
                                     x: x, y: yRange)
    FigureCanvas.grid(&board, area)
    for (curve, points) in zip(curves, values) {
        FigureCanvas.polyline(&board, area, xs: samples, ys: points, color: curve.color)
    }
    var legendY = area.top + height + margin - 4
    for curve in curves {
        FigureCanvas.fill(&board, x: area.left, y: legendY + 3, width: 16, height: 3, color: curve.color)
        BitmapFont.draw(curve.name, into: &board, x: area.left + 22, y: legendY, color: [0, 0, 0])
        legendY += BitmapFont.lineHeight + 2
    }
    return board
}

/// White at 0, blue for negative and red for positive values, full colour at ±`largest`.
func divergingColor(_ value: Float, largest: Float) -> [UInt8] {
    guard value.isFinite, largest > 0 else { return [255, 255, 255] }
    let t = Swift.min(1, Swift.abs(value) / largest)
    let full: [Float] = value < 0 ? [59, 76, 192] : [180, 4, 38]
    return full.map { UInt8((255 + (Float($0) - 255) * t).rounded()) }
}

/// "3", "-0.5", "1e+06": integers without a decimal point, others with up to three significant digits.
func numberLabel(_ value: Float) -> String {
    if value == value.rounded() && Swift.abs(value) < 1e5 { return String(Int(value)) }
    return String(format: "%.3g", Double(value))
}

/// Pixel drawing for the figures.
enum FigureCanvas {
    /// Where data coordinates land on the board.
    struct PlotArea {
        let left: Int, top: Int, width: Int, height: Int
        let x: ClosedRange<Float>, y: ClosedRange<Float>

        func px(_ v: Float) -> Int { left + Int(((v - x.lowerBound) / (x.upperBound - x.lowerBound) * Float(width)).rounded()) }
        func py(_ v: Float) -> Int {
            top + height - Int(((v - y.lowerBound) / (y.upperBound - y.lowerBound) * Float(height)).rounded())
        }
    }

    static func fill(_ image: inout Image, x: Int, y: Int, width: Int, height: Int, color: [UInt8]) {
        for row in Swift.max(0, y)..<Swift.min(image.height, y + height) {
            for column in Swift.max(0, x)..<Swift.min(image.width, x + width) {
                let o = (row &* image.width &+ column) &* 3
                image.pixels[o] = color[0]
                image.pixels[o &+ 1] = color[1]
                image.pixels[o &+ 2] = color[2]
            }
        }
    }

    static func frame(_ image: inout Image, x: Int, y: Int, width: Int, height: Int, color: [UInt8]) {
        fill(&image, x: x, y: y, width: width, height: 1, color: color)
        fill(&image, x: x, y: y + height - 1, width: width, height: 1, color: color)
        fill(&image, x: x, y: y, width: 1, height: height, color: color)
        fill(&image, x: x + width - 1, y: y, width: 1, height: height, color: color)
    }

    /// Grid lines at integer values (axes through 0 darker) with their numbers.
    static func grid(_ image: inout Image, _ area: PlotArea) {
        frame(&image, x: area.left, y: area.top, width: area.width + 1, height: area.height + 1, color: [180, 180, 180])
        for v in Int(area.x.lowerBound.rounded(.up))...Int(area.x.upperBound.rounded(.down)) {
            let x = area.px(Float(v))
            fill(&image, x: x, y: area.top, width: 1, height: area.height, color: v == 0 ? [90, 90, 90] : [232, 232, 232])
            let label = String(v)
            BitmapFont.draw(label, into: &image, x: x - BitmapFont.size(of: label).width / 2, y: area.top + area.height + 4,
                            color: [60, 60, 60])
        }
        for v in Int(area.y.lowerBound.rounded(.up))...Int(area.y.upperBound.rounded(.down)) {
            let y = area.py(Float(v))
            fill(&image, x: area.left, y: y, width: area.width, height: 1, color: v == 0 ? [90, 90, 90] : [232, 232, 232])
            let label = String(v)
            BitmapFont.draw(label, into: &image, x: area.left - BitmapFont.size(of: label).width - 4,
                            y: y - BitmapFont.glyphHeight / 2, color: [60, 60, 60])
        }
    }

    /// A 2-pixel line through the points, clipped to the plot area; vertical jumps are drawn as vertical strokes.
    static func polyline(_ image: inout Image, _ area: PlotArea, xs: [Float], ys: [Float], color: [UInt8]) {
        let clampY = { (v: Float) -> Int in Swift.min(area.top + area.height, Swift.max(area.top, area.py(v))) }
        for i in 1..<Swift.min(xs.count, ys.count) where ys[i].isFinite && ys[i - 1].isFinite {
            let x0 = area.px(xs[i - 1]), x1 = area.px(xs[i])
            let y0 = clampY(ys[i - 1]), y1 = clampY(ys[i])
            let low = Swift.min(y0, y1), high = Swift.max(y0, y1)
            for x in Swift.min(x0, x1)...Swift.max(x0, x1) {
                fill(&image, x: x - 1, y: low - 1, width: 2, height: high - low + 2, color: color)
            }
        }
    }
}
