import Foundation
import Testing
import Tutor

/// Charts and colour bars drawn as SVG from the JSON a lesson program writes (`show(chart:)`, `show(heatmap:)`).
@Suite("figures as SVG")
struct FigureTests {
    private func svg(_ json: String, id: String = "f") throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("figure-\(getpid())-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try Figures.svg(contentsOf: url, id: id)
    }

    private func error(_ json: String) -> String {
        do {
            _ = try svg(json)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test("a line chart has its title, axis labels, ticks and legend as text, and one path per series")
    func lineChart() throws {
        let out = try svg("""
        {"figure":"chart","kind":"line","title":"Deletion curve","xLabel":"fraction deleted","yLabel":"probability",
         "series":[{"name":"deletion","x":[0,0.5,1],"y":[0.9,0.4,0.1]},{"name":"insertion","x":[0,0.5,1],"y":[0.1,0.5,0.8]}],
         "yMin":0,"yMax":1}
        """)
        #expect(out.hasPrefix("<svg class=\"chart\""))
        for text in ["Deletion curve", "fraction deleted", "probability", ">deletion<", ">insertion<", ">0.0<", ">1.0<", ">0.4<"] {
            #expect(out.contains(text), "missing \(text)")
        }
        #expect(out.components(separatedBy: "<path d=\"M").count - 1 == 2)
        #expect(out.contains("fill=\"currentColor\""), "text takes the page's colour, so it reads in both themes")
        #expect(out.contains("<title id=\"f-title\">"))
    }

    @Test("a bar chart draws one bar per category and series, from 0")
    func barChart() throws {
        let out = try svg("""
        {"figure":"chart","kind":"bar","title":"Pointing game","categories":["gradient","guided","Grad-CAM"],
         "yLabel":"accuracy","series":[{"name":"VGG16","y":[0.76,0.75,0.86]},{"name":"ResNet50","y":[0.72,0.77,0.9]}]}
        """)
        #expect(out.components(separatedBy: "<rect ").count - 1 == 6 + 2, "six bars and two legend swatches")
        for text in [">gradient<", ">guided<", ">Grad-CAM<", ">VGG16<", ">ResNet50<", ">0.0<"] {
            #expect(out.contains(text), "missing \(text)")
        }
    }

    @Test("text from the lesson program is escaped; non-finite values break the line")
    func hostileText() throws {
        let out = try svg("""
        {"figure":"chart","kind":"line","title":"<script>alert(1)</script>","series":[{"name":"a\\"b","y":[1,"nan",3,4]}]}
        """)
        #expect(!out.contains("<script>"))
        #expect(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(out.contains("a&quot;b"))
        #expect(out.components(separatedBy: "M").count - 1 >= 2, "a NaN starts a new segment")
        #expect(!out.contains("NaN") && !out.contains("nan"))
    }

    @Test("bad chart descriptions are refused with a reason")
    func badCharts() {
        #expect(error(#"{"figure":"chart","kind":"line","series":[]}"#).contains("no series"))
        #expect(error(#"{"figure":"chart","kind":"bar","categories":["a"],"series":[{"name":"s","y":[1,2]}]}"#).contains("one value per category"))
        #expect(error(#"{"figure":"chart","kind":"line","series":[{"name":"s","x":[1],"y":[1,2]}]}"#).contains("1 x values but 2 y values"))
        let many = (0..<17).map { #"{"name":"s\#($0)","y":[1]}"# }.joined(separator: ",")
        #expect(error(#"{"figure":"chart","kind":"line","series":[\#(many)]}"#).contains("17 series"))
        #expect(error(#"{"figure":"chart","kind":"line","yMin":2,"yMax":1,"series":[{"name":"s","y":[1]}]}"#).contains("y range"))
        #expect(error(#"{"figure":"pie"}"#).contains("unknown figure kind"))
        #expect(error("not json").contains("not a figure description"))
    }

    @Test("a colour bar is a gradient with its value labels as text")
    func colorbar() throws {
        let out = try svg("""
        {"figure":"colorbar","colormap":"coolwarm","stops":["#3b4cc0","#dddddd","#b40426"],
         "ticks":[{"at":0,"label":"-0.5"},{"at":0.5,"label":"0"},{"at":1,"label":"0.5"}]}
        """, id: "bar1")
        #expect(out.contains("<linearGradient id=\"bar1-g\""))
        #expect(out.components(separatedBy: "<stop ").count - 1 == 3)
        for label in [">-0.5<", ">0<", ">0.5<"] { #expect(out.contains(label)) }
        #expect(error(##"{"figure":"colorbar","colormap":"x","stops":["red;x","#000000"],"ticks":[]}"##).contains("#rrggbb"))
        #expect(error(##"{"figure":"colorbar","colormap":"x","stops":["#000000","#ffffff"],"ticks":[{"at":2,"label":"a"}]}"##).contains("0…1"))
    }

    @Test("axis ticks are round numbers covering the range")
    func ticks() {
        let unit = Figures.ticks(from: 0, to: 1)
        #expect(unit.count == 6 && zip(unit, [0, 0.2, 0.4, 0.6, 0.8, 1]).allSatisfy { abs($0 - $1) < 1e-9 }, "\(unit)")
        #expect(Figures.ticks(from: 0, to: 37) == [0, 10, 20, 30])
        #expect(Figures.ticks(from: -3, to: 3) == [-2, 0, 2])
        #expect(Figures.ticks(from: -3, to: 3, count: 6) == [-3, -2, -1, 0, 1, 2, 3])
        #expect(Figures.ticks(from: 0, to: 0.004).count >= 4)
    }
}
