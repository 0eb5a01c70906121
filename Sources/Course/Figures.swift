// Small teaching figures as data the report draws with real text: a colour-coded table of numbers and a plot of
// one-variable functions.
import Foundation
import Imaging

/// A table of numbers whose cells are coloured by value on a diverging scale (0 white, negative blue, positive
/// red; full colour at ±max|value| of the cell's row, so a row of small gradients is as readable as a row of large
/// inputs), each cell showing its number; rows are labelled on the left. The report draws it as an HTML table.
///
/// ```swift
/// show(image: valueTable(rows: [("x", [-2, 0, 3]), ("g", [1, -1, 2])], title: "Three numbers"))
/// ```
public func valueTable(
    rows: [(label: String, values: [Float])], columnLabels: [String] = [], title: String? = nil
) -> ValueTable {
    ValueTable(title: title, columnLabels: columnLabels, rows: rows.map { ValueTable.Row(label: $0.label, values: $0.values) })
}

/// The table `valueTable` builds: labelled rows of numbers with a fill colour per cell.
public struct ValueTable: Sendable {
    /// One labelled row.
    public struct Row: Sendable {
        public var label: String
        public var values: [Float]
    }

    /// Text above the table (nil: none).
    public var title: String?
    /// Column headings (may be empty).
    public var columnLabels: [String]
    public var rows: [Row]

    /// The most cells any row has.
    public var columnCount: Int { rows.map(\.values.count).max() ?? 0 }

    /// Cell (`row`, `column`)'s fill: white at 0, blue for negative and red for positive values, full colour at the
    /// row's largest |value|.
    public func color(row: Int, column: Int) -> FigureColor {
        let values = rows[row].values
        let largest = values.filter(\.isFinite).map { Swift.abs($0) }.max() ?? 0
        return divergingColor(values[column], largest: largest)
    }

    /// Cell (`row`, `column`)'s number as shown: "3", "-0.5", "1e+06".
    public func text(row: Int, column: Int) -> String { numberLabel(rows[row].values[column]) }
}

/// One curve of `functionPlot`: a name for the legend, a colour and the function.
///
/// ```swift
/// let relu = PlotCurve("ReLU(x)") { max($0, 0) }
/// let slope = PlotCurve("its derivative", color: [214, 39, 40]) { $0 > 0 ? 1 : 0 }
/// show(image: functionPlot([relu, slope], x: -3...3))
/// ```
public struct PlotCurve {
    /// The legend entry, e.g. "ReLU6(x)".
    public let name: String
    /// RGB line colour (0…255 each).
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

/// Plots functions of one variable over `x` (and `y`, or the curves' own range) as a line chart with a legend:
/// the picture of an activation function and its derivative. The report draws it as SVG with real text.
///
/// ```swift
/// show(image: functionPlot([PlotCurve("ReLU(x)") { max($0, 0) }], x: -3...3, title: "ReLU"), title: "ReLU")
/// ```
public func functionPlot(
    _ curves: [PlotCurve], x: ClosedRange<Float>, y: ClosedRange<Float>? = nil, title: String? = nil, samples: Int = 361
) -> Chart {
    let count = Swift.max(2, samples)
    let xs = (0..<count).map { Double(x.lowerBound) + Double(x.upperBound - x.lowerBound) * Double($0) / Double(count - 1) }
    let series = curves.map { curve in
        Chart.Series(curve.name, x: xs, y: xs.map { Double(curve.function(Float($0))) }, color: hexColor(curve.color))
    }
    let yRange = y.map { Double($0.lowerBound)...Double($0.upperBound) }
    return .line(title: title, x: "x", series: series, yRange: yRange)
}

/// "#1f77b4" for [31, 119, 180]; nil unless three bytes.
func hexColor(_ rgb: [UInt8]) -> String? {
    rgb.count == 3 ? "#" + rgb.map { String(format: "%02x", $0) }.joined() : nil
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

