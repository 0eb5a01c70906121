import Course
import Engine
import Imaging
import Testing

@Suite("Figures, photo regions and region measures")
struct FigureTests {
    @Test("valueTable colours each cell by its row's scale: 0 white, positive red, negative blue")
    func valueTableColours() {
        let table = valueTable(rows: [("a", [-2, 0, 2]), ("b", [0.5, 0, -0.25])], columnLabels: ["p", "q", "r"], title: "Two rows")
        #expect(table.title == "Two rows" && table.columnLabels == ["p", "q", "r"] && table.columnCount == 3)
        #expect(table.color(row: 0, column: 1) == [255, 255, 255])
        let negative = table.color(row: 0, column: 0), positive = table.color(row: 0, column: 2)
        #expect(negative == [59, 76, 192] && positive == [180, 4, 38])
        // Row b's largest |value| (0.5) gets full colour although it is smaller than row a's.
        #expect(table.color(row: 1, column: 0) == positive)
        #expect(table.color(row: 1, column: 2)[2] > table.color(row: 1, column: 2)[0], "half strength blue")
        #expect([table.text(row: 0, column: 0), table.text(row: 1, column: 0), table.text(row: 1, column: 2)] == ["-2", "0.5", "-0.25"])
        #expect(valueTable(rows: []).columnCount == 0)
    }

    @Test("functionPlot samples each curve into a line chart with its colour, over x, with the given y range")
    func functionPlotDrawsCurves() {
        let plot = functionPlot([PlotCurve("one", color: [255, 0, 0]) { _ in 1 }, PlotCurve("x²") { $0 * $0 }],
                                x: -1...1, y: -1...2, title: "Two curves", samples: 5)
        #expect(plot.kind == .line && plot.title == "Two curves" && plot.problems.isEmpty)
        #expect(plot.series.map(\.name) == ["one", "x²"])
        #expect(plot.series[0].color == "#ff0000" && plot.series[1].color == "#1f77b4")
        #expect(plot.series[1].x == [-1, -0.5, 0, 0.5, 1] && plot.series[1].y == [1, 0.25, 0, 0.25, 1])
        #expect(plot.yMin == -1 && plot.yMax == 2)
    }

    @Test("a region's mask follows the cell centres at any resolution")
    func regionMask() {
        let left = PhotoRegion(left: 0, top: 0, right: 112, bottom: 224, width: 224, height: 224)
        #expect(left.mask(rows: 1, columns: 2) == [true, false])
        #expect(left.mask(rows: 2, columns: 3) == [true, false, false, true, false, false])
        #expect(abs(left.areaShare - 0.5) < 1e-12)
        let clipped = PhotoRegion(left: -10, top: -10, right: 500, bottom: 500, width: 4, height: 4)
        #expect(clipped.areaShare == 1)
    }

    @Test("share, density and topShare measure a map inside a region")
    func regionMeasures() {
        let map = Tensor(shape: [1, 1, 2, 2], scalars: [4, 0, 2, 2])
        let left = PhotoRegion(left: 0, top: 0, right: 1, bottom: 2, width: 2, height: 2)
        #expect(abs(MapComparison.share(map, in: left) - 0.75) < 1e-6)
        #expect(abs(MapComparison.density(map, in: left) - 0.75) < 1e-6)   // mean 3 of max 4
        #expect(MapComparison.topShare(map, in: left, fraction: 0.25) == 1)
        #expect(MapComparison.share(Tensor.zeros([1, 1, 2, 2]), in: left) == 0)
    }

    @Test("covering sets the chosen columns of every channel and clips the range")
    func coveringColumns() {
        let input = Tensor(shape: [1, 2, 1, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(covering(input, columns: 1..<9).scalars == [1, 0, 0, 4, 0, 0])
        #expect(covering(input, rows: 1..<2, columns: 0..<3).scalars == [1, 2, 3, 4, 5, 6])
    }
}
