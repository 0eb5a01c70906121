// A chart as data (Course, so that figure helpers such as functionPlot can return one); LessonRuntime shows it.

/// A line or bar chart that a lesson step shows with `show(chart:)`; the report draws it as inline SVG with axes,
/// ticks and a legend, in the page's colours (so it reads in light and dark themes).
///
/// ```swift
/// // Energy of extremal perturbation per iteration, one line:
/// show(chart: .line(title: "EP energy", x: "iteration", y: "energy",
///                   series: [.init("energy", y: energies)]))
/// // Deletion and insertion curves over the fraction of pixels changed:
/// show(chart: .line(title: "Deletion / insertion", x: "fraction of pixels", y: "class probability",
///                   series: [.init("deletion", x: fractions, y: deletion), .init("insertion", x: fractions, y: insertion)],
///                   yRange: 0...1))
/// // Pointing-game accuracy per method:
/// show(chart: .bar(title: "Pointing game", categories: ["gradient", "guided", "Grad-CAM"], y: "accuracy",
///                  series: [.init("VGG16", y: [0.76, 0.75, 0.86])], yRange: 0...1))
/// ```
public struct Chart: Sendable, Codable, Equatable {
    /// Line charts join points in x order; bar charts group one bar per series over each category.
    public enum Kind: String, Sendable, Codable { case line, bar }

    /// One named set of values (a line, or one bar per category).
    public struct Series: Sendable, Codable, Equatable {
        /// The legend entry.
        public var name: String
        /// X values of a line (nil: 0, 1, 2, …); unused by bar charts.
        public var x: [Double]?
        /// Y values: one per point of a line, or one per category of a bar chart.
        public var y: [Double]
        /// The series' colour as "#rrggbb" (nil: the next colour of the report's colour-blind-safe palette).
        public var color: String?

        /// A series; leave `x` out for 0, 1, 2, … (e.g. iterations).
        public init(_ name: String, x: [Double]? = nil, y: [Double], color: String? = nil) {
            self.name = name
            self.x = x
            self.y = y
            self.color = color
        }

        /// A series from Float values (what tensors hold).
        public init(_ name: String, x: [Float]? = nil, y: [Float], color: String? = nil) {
            self.init(name, x: x.map { $0.map(Double.init) }, y: y.map(Double.init), color: color)
        }
    }

    /// Always "chart": tells the report what the JSON file describes.
    public var figure = "chart"
    public var kind: Kind
    public var title: String?
    /// The x-axis label (the category axis of a bar chart).
    public var xLabel: String?
    /// The y-axis label.
    public var yLabel: String?
    /// Bar-chart category names, in order.
    public var categories: [String]?
    public var series: [Series]
    /// Fixed y-axis limits (default: from the data, including 0 for bar charts).
    public var yMin: Double?
    public var yMax: Double?
    /// Text for screen readers (default: the title and what the axes show).
    public var alt: String?

    /// A line chart: each series is a line through its points in x order.
    public static func line(
        title: String? = nil, x: String? = nil, y: String? = nil, series: [Series], yRange: ClosedRange<Double>? = nil,
        alt: String? = nil
    ) -> Chart {
        Chart(kind: .line, title: title, xLabel: x, yLabel: y, categories: nil, series: series,
              yMin: yRange?.lowerBound, yMax: yRange?.upperBound, alt: alt)
    }

    /// A bar chart: for each category one bar per series, side by side.
    public static func bar(
        title: String? = nil, categories: [String], x: String? = nil, y: String? = nil, series: [Series],
        yRange: ClosedRange<Double>? = nil, alt: String? = nil
    ) -> Chart {
        Chart(kind: .bar, title: title, xLabel: x, yLabel: y, categories: categories, series: series,
              yMin: yRange?.lowerBound, yMax: yRange?.upperBound, alt: alt)
    }

    /// Problems that would make the chart unreadable, one sentence each (empty when it can be drawn).
    public var problems: [String] {
        var found: [String] = []
        if series.isEmpty { found.append("the chart has no series") }
        if let yMin, let yMax, !(yMin < yMax) { found.append("yRange \(yMin)…\(yMax) is empty") }
        for s in series {
            if let color = s.color, !(color.count == 7 && color.first == "#" && color.dropFirst().allSatisfy(\.isHexDigit)) {
                found.append("series \"\(s.name)\" has colour \"\(color)\"; write it as #rrggbb")
            }
            if let x = s.x, x.count != s.y.count {
                found.append("series \"\(s.name)\" has \(x.count) x values but \(s.y.count) y values")
            }
            if kind == .bar, let categories, s.y.count != categories.count {
                found.append("series \"\(s.name)\" has \(s.y.count) values for \(categories.count) categories")
            }
        }
        return found
    }
}

