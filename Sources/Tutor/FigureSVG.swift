import Foundation

/// Draws figure descriptions as inline SVG. Axes and text use `currentColor`, so a chart takes the page's text
/// colour and reads in light and dark themes; series colours are the Okabe–Ito palette (distinct for colour-blind
/// readers, legible on white and on near-black).
enum FigureSVG {
    static let palette = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#999999"]
    /// Dash patterns so series also differ without colour (and in print).
    static let dashes = ["", "6 3", "2 3", "8 3 2 3"]

    /// A chart as an `<svg>` element; `id` must be unique on the page.
    static func chart(_ spec: ChartSpec, id: String, alt: String) -> String {
        let layout = ChartLayout(spec: spec)
        var svg = "<svg class=\"chart\" id=\"\(escape(id))\" viewBox=\"0 0 \(fmt(layout.width)) \(fmt(layout.height))\" role=\"img\" aria-labelledby=\"\(escape(id))-title\" xmlns=\"http://www.w3.org/2000/svg\">"
        svg += "<title id=\"\(escape(id))-title\">\(escape(clip(alt)))</title>"
        svg += "<g fill=\"currentColor\" font-family=\"system-ui, sans-serif\" font-size=\"12\">"
        if let title = spec.title {
            svg += "<text x=\"\(fmt(layout.width / 2))\" y=\"18\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"600\">\(escape(clip(title)))</text>"
        }
        svg += legend(spec, layout: layout)
        svg += axes(spec, layout: layout)
        svg += "</g>"
        svg += spec.kind == .line ? lines(spec, layout: layout) : bars(spec, layout: layout)
        return svg + "</svg>"
    }

    /// A value table as an HTML table: numbers as text on their fill colours (dark text on light fills, white on
    /// dark ones), the title as its caption.
    static func table(_ spec: TableSpec) -> String {
        var html = "<table class=\"value-table\">"
        if let title = spec.title { html += "<caption>\(escape(clip(title)))</caption>" }
        if !spec.columnLabels.isEmpty {
            html += "<thead><tr><td></td>" + spec.columnLabels.map { "<th scope=\"col\">\(escape(clip($0)))</th>" }.joined() + "</tr></thead>"
        }
        html += "<tbody>"
        for row in spec.rows {
            html += "<tr><th scope=\"row\">\(escape(clip(row.label)))</th>"
            for cell in row.cells {
                let text = luminance(cell.fill) < 110 ? "#ffffff" : "#000000"
                html += "<td style=\"background:\(cell.fill);color:\(text)\">\(escape(clip(cell.text)))</td>"
            }
            html += "</tr>"
        }
        return html + "</tbody></table>"
    }

    /// Perceived brightness 0…255 of a "#rrggbb" colour.
    static func luminance(_ hex: String) -> Double {
        let bytes = stride(from: 1, to: 7, by: 2).map { i -> Double in
            let start = hex.index(hex.startIndex, offsetBy: i)
            return Double(UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16) ?? 0)
        }
        return 0.3 * bytes[0] + 0.59 * bytes[1] + 0.11 * bytes[2]
    }

    /// A vertical colour bar with its value labels as text.
    static func colorbar(_ spec: ColorbarSpec, id: String, alt: String) -> String {
        let barTop = 8.0, barHeight = 200.0, barWidth = 16.0
        let labelWidth = Double(spec.ticks.map { clip($0.label).count }.max() ?? 1) * 7.5 + 8
        let width = barWidth + 6 + labelWidth
        var svg = "<svg class=\"colorbar\" id=\"\(escape(id))\" viewBox=\"0 0 \(fmt(width)) \(fmt(barHeight + 2 * barTop))\" role=\"img\" aria-labelledby=\"\(escape(id))-title\" xmlns=\"http://www.w3.org/2000/svg\">"
        svg += "<title id=\"\(escape(id))-title\">\(escape(clip(alt)))</title>"
        svg += "<defs><linearGradient id=\"\(escape(id))-g\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">"
        for (i, stop) in spec.stops.enumerated() {
            svg += "<stop offset=\"\(fmt(Double(i) / Double(spec.stops.count - 1)))\" stop-color=\"\(stop)\"/>"
        }
        svg += "</linearGradient></defs>"
        svg += "<rect x=\"0.5\" y=\"\(fmt(barTop))\" width=\"\(fmt(barWidth))\" height=\"\(fmt(barHeight))\" fill=\"url(#\(escape(id))-g)\" stroke=\"currentColor\" stroke-width=\"0.5\"/>"
        svg += "<g fill=\"currentColor\" font-family=\"system-ui, sans-serif\" font-size=\"12\">"
        for tick in spec.ticks {
            let y = barTop + (1 - tick.at) * barHeight
            svg += "<line x1=\"\(fmt(barWidth))\" x2=\"\(fmt(barWidth + 4))\" y1=\"\(fmt(y))\" y2=\"\(fmt(y))\" stroke=\"currentColor\"/>"
            svg += "<text x=\"\(fmt(barWidth + 6))\" y=\"\(fmt(y + 4))\">\(escape(clip(tick.label)))</text>"
        }
        return svg + "</g></svg>"
    }

    // MARK: - Parts of a chart

    private static func legend(_ spec: ChartSpec, layout: ChartLayout) -> String {
        guard spec.series.count > 1 || spec.kind == .line else { return "" }
        var svg = "<g class=\"legend\">"
        var x = layout.plot.minX
        let y = layout.legendY
        for (i, series) in spec.series.enumerated() {
            let colour = spec.series[i].color ?? palette[i % palette.count]
            if spec.kind == .line {
                svg += "<line x1=\"\(fmt(x))\" x2=\"\(fmt(x + 18))\" y1=\"\(fmt(y - 4))\" y2=\"\(fmt(y - 4))\" stroke=\"\(colour)\" stroke-width=\"2.5\"\(dash(i))/>"
            } else {
                svg += "<rect x=\"\(fmt(x + 4))\" y=\"\(fmt(y - 10))\" width=\"10\" height=\"10\" fill=\"\(colour)\"/>"
            }
            let name = clip(series.name, 40)
            svg += "<text x=\"\(fmt(x + 22))\" y=\"\(fmt(y))\">\(escape(name))</text>"
            x += 30 + Double(name.count) * 7
        }
        return svg + "</g>"
    }

    private static func axes(_ spec: ChartSpec, layout: ChartLayout) -> String {
        let p = layout.plot
        var svg = "<g class=\"axes\" stroke=\"currentColor\" stroke-width=\"1\">"
        svg += "<line x1=\"\(fmt(p.minX))\" y1=\"\(fmt(p.maxY))\" x2=\"\(fmt(p.maxX))\" y2=\"\(fmt(p.maxY))\"/>"
        svg += "<line x1=\"\(fmt(p.minX))\" y1=\"\(fmt(p.minY))\" x2=\"\(fmt(p.minX))\" y2=\"\(fmt(p.maxY))\"/>"
        svg += "</g>"
        for tick in layout.yTicks {
            let y = layout.yPosition(tick)
            svg += "<line x1=\"\(fmt(p.minX - 4))\" x2=\"\(fmt(p.maxX))\" y1=\"\(fmt(y))\" y2=\"\(fmt(y))\" stroke=\"currentColor\" stroke-opacity=\"0.15\"/>"
            svg += "<text x=\"\(fmt(p.minX - 7))\" y=\"\(fmt(y + 4))\" text-anchor=\"end\">\(escape(tickLabel(tick, step: layout.yStep)))</text>"
        }
        if spec.kind == .line {
            for tick in layout.xTicks {
                let x = layout.xPosition(tick)
                svg += "<line x1=\"\(fmt(x))\" x2=\"\(fmt(x))\" y1=\"\(fmt(p.maxY))\" y2=\"\(fmt(p.maxY + 4))\" stroke=\"currentColor\"/>"
                svg += "<text x=\"\(fmt(x))\" y=\"\(fmt(p.maxY + 18))\" text-anchor=\"middle\">\(escape(tickLabel(tick, step: layout.xStep)))</text>"
            }
        } else if let categories = spec.categories {
            let slot = p.width / Double(categories.count)
            for (i, name) in categories.enumerated() {
                svg += "<text x=\"\(fmt(p.minX + slot * (Double(i) + 0.5)))\" y=\"\(fmt(p.maxY + 18))\" text-anchor=\"middle\">\(escape(clip(name, 24)))</text>"
            }
        }
        if let x = spec.xLabel {
            svg += "<text x=\"\(fmt(p.midX))\" y=\"\(fmt(layout.height - 8))\" text-anchor=\"middle\">\(escape(clip(x)))</text>"
        }
        if let y = spec.yLabel {
            svg += "<text transform=\"translate(14 \(fmt(p.midY))) rotate(-90)\" text-anchor=\"middle\">\(escape(clip(y)))</text>"
        }
        return svg
    }

    private static func lines(_ spec: ChartSpec, layout: ChartLayout) -> String {
        var svg = "<g fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\">"
        for (i, series) in spec.series.enumerated() {
            let colour = series.color ?? palette[i % palette.count]
            let points = layout.points(series)
            // A gap in the data (NaN, infinity) breaks the line instead of drawing to a made-up value.
            var path = ""
            var pen = false
            for point in points {
                guard let point else { pen = false; continue }
                path += (pen ? "L" : "M") + "\(fmt(layout.xPosition(point.0))) \(fmt(layout.yPosition(point.1)))"
                pen = true
            }
            svg += "<path d=\"\(path)\" stroke=\"\(colour)\"\(dash(i))/>"
            if points.count <= 40 {
                for case let point? in points {
                    svg += "<circle cx=\"\(fmt(layout.xPosition(point.0)))\" cy=\"\(fmt(layout.yPosition(point.1)))\" r=\"2.5\" fill=\"\(colour)\" stroke=\"none\"/>"
                }
            }
        }
        return svg + "</g>"
    }

    private static func bars(_ spec: ChartSpec, layout: ChartLayout) -> String {
        let p = layout.plot
        let categories = spec.categories?.count ?? 1
        let slot = p.width / Double(categories)
        let barWidth = slot * 0.8 / Double(spec.series.count)
        let base = layout.yPosition(max(layout.yMin, min(layout.yMax, 0)))
        var svg = "<g>"
        for (s, series) in spec.series.enumerated() {
            let colour = spec.series[s].color ?? palette[s % palette.count]
            for (c, value) in series.y.enumerated() where value.isFinite {
                let x = p.minX + slot * Double(c) + slot * 0.1 + barWidth * Double(s)
                let y = layout.yPosition(max(layout.yMin, min(layout.yMax, value)))
                svg += "<rect x=\"\(fmt(x))\" y=\"\(fmt(min(y, base)))\" width=\"\(fmt(barWidth * 0.92))\" height=\"\(fmt(abs(base - y)))\" fill=\"\(colour)\">"
                svg += "<title>\(escape(clip(series.name, 40))), \(escape(clip(spec.categories?[c] ?? "", 40))): \(escape(tickLabel(value, step: layout.yStep / 100)))</title></rect>"
            }
        }
        return svg + "</g>"
    }

    /// The dash attribute of series `i` (none for the first, a solid line).
    private static func dash(_ i: Int) -> String {
        let pattern = dashes[i % dashes.count]
        return pattern.isEmpty ? "" : " stroke-dasharray=\"\(pattern)\""
    }

    // MARK: - Numbers

    /// Up to 4 decimals, no trailing zeros: SVG coordinates.
    static func fmt(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        var text = String(format: "%.2f", v)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// A tick label with as many decimals as the tick step needs.
    static func tickLabel(_ v: Double, step: Double) -> String {
        let magnitude = max(abs(v), abs(step))
        if magnitude >= 1e5 || (magnitude < 1e-3 && v != 0) { return String(format: "%.2g", v) }
        let decimals = step > 0 ? max(0, min(6, Int((-log10(step)).rounded(.up)))) : 2
        let text = String(format: "%.\(decimals)f", v)
        return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
    }

    /// "Nice" tick positions (steps of 1, 2 or 5 × 10^k) covering lo…hi, about `count` of them.
    static func niceTicks(_ lo: Double, _ hi: Double, count: Int = 5) -> (ticks: [Double], step: Double) {
        guard lo.isFinite, hi.isFinite, hi > lo else { return ([lo], 1) }
        let raw = (hi - lo) / Double(max(count, 1))
        let power = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? 10 * power
        var ticks: [Double] = []
        var t = (lo / step).rounded(.up) * step
        while t <= hi + step * 1e-9 && ticks.count < 50 {
            ticks.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return (ticks, step)
    }

    static func clip(_ text: String, _ limit: Int = FigureSpec.maxText) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}

/// Where a chart's plot area sits and how data maps into it.
struct ChartLayout {
    let width = 640.0
    let height = 360.0
    let plot: CGRect
    let legendY: Double
    let xMin: Double, xMax: Double, yMin: Double, yMax: Double
    let xTicks: [Double], yTicks: [Double]
    let xStep: Double, yStep: Double

    init(spec: ChartSpec) {
        let top = (spec.title == nil ? 10.0 : 30.0) + 20
        legendY = top - 6
        let bottom = spec.xLabel == nil ? 30.0 : 48.0
        let left = spec.yLabel == nil ? 52.0 : 68.0
        plot = CGRect(x: left, y: top + 4, width: width - left - 16, height: height - top - 4 - bottom)
        let ys = spec.series.flatMap(\.y).filter(\.isFinite)
        var lo = spec.yMin ?? (ys.min() ?? 0)
        var hi = spec.yMax ?? (ys.max() ?? 1)
        if spec.kind == .bar {
            if spec.yMin == nil { lo = min(lo, 0) }
            if spec.yMax == nil { hi = max(hi, 0) }
        }
        if !(hi > lo) { (lo, hi) = (lo - 1, hi + 1) }
        var (ticks, step) = FigureSVG.niceTicks(lo, hi)
        // Data-driven limits widen to the enclosing ticks, so the top and bottom lines carry labels.
        if spec.yMin == nil { lo = min(lo, (lo / step).rounded(.down) * step) }
        if spec.yMax == nil { hi = max(hi, (hi / step).rounded(.up) * step) }
        (ticks, step) = FigureSVG.niceTicks(lo, hi)
        (yMin, yMax, yTicks, yStep) = (lo, hi, ticks, step)
        let xs = spec.series.flatMap { $0.x ?? $0.y.indices.map(Double.init) }.filter(\.isFinite)
        var xlo = xs.min() ?? 0, xhi = xs.max() ?? 1
        if !(xhi > xlo) { (xlo, xhi) = (xlo - 1, xhi + 1) }
        (xMin, xMax) = (xlo, xhi)
        (xTicks, xStep) = FigureSVG.niceTicks(xlo, xhi, count: 6)
    }

    func xPosition(_ x: Double) -> Double { plot.minX + (x - xMin) / (xMax - xMin) * plot.width }
    func yPosition(_ y: Double) -> Double { plot.maxY - (y - yMin) / (yMax - yMin) * plot.height }

    /// The series' points in x order; nil where a value is not finite (a gap).
    func points(_ series: ChartSpec.Series) -> [(Double, Double)?] {
        let xs = series.x ?? series.y.indices.map(Double.init)
        let pairs = zip(xs, series.y).map { $0.isFinite && $1.isFinite ? ($0, min(max($1, yMin), yMax)) : nil }
        // Sort finite points by x but keep gaps where they were.
        if pairs.compactMap({ $0 }).map(\.0) == pairs.compactMap({ $0 }).map(\.0).sorted() { return pairs }
        return pairs.compactMap { $0 }.sorted { $0.0 < $1.0 }
    }
}
