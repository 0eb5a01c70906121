import Foundation

/// Shows a chart under the current step (inline SVG in the report; see `Chart`).
///
/// ```swift
/// show(chart: .line(title: "Energy", x: "iteration", y: "energy", series: [.init("energy", y: history)]))
/// ```
public func show(chart: Chart, file: StaticString = #file, line: UInt = #line) {
    let problems = chart.problems
    if !problems.isEmpty {
        fatalError("show(chart:): " + problems.joined(separator: "; "), file: file, line: line)
    }
    recordChart(chart, caption: chart.title, alt: chart.alt ?? chartDescription(chart))
}

/// Shows a chart a figure helper built (`functionPlot`), as `show(chart:)` does, with `title` as its caption.
///
/// ```swift
/// show(image: functionPlot([PlotCurve("ReLU(x)") { max($0, 0) }], x: -3...3), title: "ReLU")
/// ```
public func show(image chart: Chart, title: String? = nil, alt: String? = nil, file: StaticString = #file, line: UInt = #line) {
    let problems = chart.problems
    if !problems.isEmpty {
        fatalError("show(image:): the chart: " + problems.joined(separator: "; "), file: file, line: line)
    }
    recordChart(chart, caption: title, alt: alt ?? chart.alt, altDefault: chartDescription(chart))
}

/// Writes the chart's description; without `alt` the step's `alt` option describes it, else `altDefault`.
private func recordChart(_ chart: Chart, caption: String?, alt description: String?, altDefault: String? = nil) {
    recordImage({ url in
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try encoder.encode(chart).write(to: url)
    }, role: "chart", title: caption, alt: description, fileExtension: "json",
       extra: altDefault.map { ["altDefault": $0] } ?? [:])
}

/// "Line chart of energy against iteration: energy" — the default alt text.
func chartDescription(_ chart: Chart) -> String {
    let what = chart.kind == .line ? "Line chart" : "Bar chart"
    var text = what + (chart.title.map { " “\($0)”" } ?? "")
    if let y = chart.yLabel { text += " of \(y)" }
    if let x = chart.xLabel { text += " against \(x)" }
    return text + "; series: " + chart.series.map(\.name).joined(separator: ", ")
}
