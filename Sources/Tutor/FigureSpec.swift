import Foundation

/// A figure a lesson program described as JSON instead of drawing it (`show(chart:)`, heatmap colour bars): the
/// report draws it as SVG with real text. The file comes from the lesson program, so everything is checked and capped.
enum FigureSpec {
    case chart(ChartSpec)
    case colorbar(ColorbarSpec)
    case table(TableSpec)

    /// Limits that keep a hostile or runaway figure from bloating a page.
    static let maxBytes = 4 << 20
    static let maxSeries = 16
    static let maxPoints = 5000
    static let maxCategories = 100
    static let maxText = 200

    /// Reads and validates a figure file; the error says what is wrong with it.
    static func load(_ url: URL) throws -> FigureSpec {
        guard let data = SafeFiles.readRegularFile(in: url.deletingLastPathComponent(), name: url.lastPathComponent,
                                                   limit: maxBytes) else {
            throw FigureError("the figure file is missing, not a plain file or larger than \(maxBytes >> 20) MB")
        }
        return try decode(data)
    }

    /// Decodes a figure description read by the caller.
    static func decode(_ data: Data) throws -> FigureSpec {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        struct Kind: Decodable { var figure: String }
        guard let kind = try? decoder.decode(Kind.self, from: data) else { throw FigureError("the figure file is not a figure description") }
        do {
            switch kind.figure {
            case "chart": return .chart(try decoder.decode(ChartSpec.self, from: data).validated())
            case "colorbar": return .colorbar(try decoder.decode(ColorbarSpec.self, from: data).validated())
            case "table": return .table(try decoder.decode(TableSpec.self, from: data).validated())
            default: throw FigureError("unknown figure kind \"\(kind.figure.prefix(40))\"")
            }
        } catch let error as FigureError {
            throw error
        } catch {
            throw FigureError("the \(kind.figure.prefix(40)) description does not decode: \(error)")
        }
    }
}

/// Why a figure could not be drawn.
struct FigureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The JSON form of LessonRuntime's `Chart`.
struct ChartSpec: Decodable {
    enum Kind: String, Decodable { case line, bar }
    struct Series: Decodable {
        var name: String
        var x: [Double]?
        var y: [Double]
        /// "#rrggbb", or nil for the palette's next colour.
        var color: String?
    }

    var kind: Kind
    var title: String?
    var xLabel: String?
    var yLabel: String?
    var categories: [String]?
    var series: [Series]
    var yMin: Double?
    var yMax: Double?
    var alt: String?

    func validated() throws -> ChartSpec {
        guard !series.isEmpty else { throw FigureError("the chart has no series") }
        guard series.count <= FigureSpec.maxSeries else { throw FigureError("the chart has \(series.count) series (at most \(FigureSpec.maxSeries))") }
        for s in series {
            guard s.y.count <= FigureSpec.maxPoints else { throw FigureError("a series has \(s.y.count) points (at most \(FigureSpec.maxPoints))") }
            if let x = s.x, x.count != s.y.count { throw FigureError("series \"\(s.name.prefix(40))\" has \(x.count) x values but \(s.y.count) y values") }
            if let color = s.color, !ColorbarSpec.isColour(color) { throw FigureError("a series colour is not written #rrggbb") }
        }
        if kind == .bar {
            let categories = categories ?? []
            guard !categories.isEmpty, categories.count <= FigureSpec.maxCategories else {
                throw FigureError("a bar chart needs 1 to \(FigureSpec.maxCategories) categories")
            }
            guard series.allSatisfy({ $0.y.count == categories.count }) else { throw FigureError("every series needs one value per category") }
        }
        if let yMin, let yMax, !(yMin.isFinite && yMax.isFinite && yMin < yMax) { throw FigureError("the y range is empty") }
        return self
    }
}

/// The JSON form of a heatmap's colour bar (LessonRuntime's `ColorbarFigure`).
struct ColorbarSpec: Decodable {
    struct Tick: Decodable {
        var at: Double
        var label: String
    }

    var colormap: String
    var stops: [String]
    var ticks: [Tick]

    func validated() throws -> ColorbarSpec {
        guard (2...256).contains(stops.count), stops.allSatisfy(Self.isColour) else {
            throw FigureError("the colour bar needs 2 to 256 stops written #rrggbb")
        }
        guard ticks.count <= 16, ticks.allSatisfy({ $0.at.isFinite && (0...1).contains($0.at) }) else {
            throw FigureError("the colour bar's ticks must lie in 0…1 (at most 16)")
        }
        return self
    }

    static func isColour(_ text: String) -> Bool {
        text.count == 7 && text.first == "#" && text.dropFirst().allSatisfy(\.isHexDigit)
    }
}

/// The JSON form of Course's `ValueTable`: labelled rows of cells, each a number as text and a fill colour.
struct TableSpec: Decodable {
    struct Cell: Decodable {
        var text: String
        var fill: String
    }
    struct Row: Decodable {
        var label: String
        var cells: [Cell]
    }

    var title: String?
    var columnLabels: [String]
    var rows: [Row]

    static let maxRows = 64
    static let maxColumns = 64

    func validated() throws -> TableSpec {
        guard rows.count <= Self.maxRows, rows.allSatisfy({ $0.cells.count <= Self.maxColumns }), columnLabels.count <= Self.maxColumns else {
            throw FigureError("a table may have at most \(Self.maxRows) rows of \(Self.maxColumns) cells")
        }
        guard rows.allSatisfy({ $0.cells.allSatisfy { ColorbarSpec.isColour($0.fill) } }) else {
            throw FigureError("a table cell's fill is not written #rrggbb")
        }
        return self
    }
}

/// Figure descriptions (`show(chart:)`, heatmap colour bars) drawn as SVG, for pages other than the built-in reports.
public enum Figures {
    /// The SVG for a figure description file; throws a message naming what is wrong with the file.
    public static func svg(contentsOf url: URL, id: String, alt: String = "figure") throws -> String {
        let safeID = FigureRenderer.safeName(id)
        switch try FigureSpec.load(url) {
        case .chart(let chart): return FigureSVG.chart(chart, id: safeID, alt: chart.alt ?? alt)
        case .colorbar(let bar): return FigureSVG.colorbar(bar, id: safeID, alt: alt)
        case .table(let table): return FigureSVG.table(table)
        }
    }

    /// "Nice" axis ticks (steps of 1, 2 or 5 × 10ᵏ) covering `low`…`high`, about `count` of them.
    public static func ticks(from low: Double, to high: Double, count: Int = 5) -> [Double] {
        FigureSVG.niceTicks(low, high, count: count).ticks
    }
}
