import Course
import Engine
import Imaging
import Testing

@Suite("Figures, photo regions and region measures")
struct FigureTests {
    @Test("valueTable colours each cell by its row's scale: 0 white, positive red, negative blue")
    func valueTableColours() {
        let table = valueTable(rows: [("a", [-2, 0, 2]), ("b", [0.5, 0, -0.25])], cellWidth: 40, cellHeight: 20)
        #expect(table.channels == 3)
        // Sample a cell corner away from the printed number: cells start after the label column.
        func corner(row: Int, column: Int) -> [UInt8] {
            let left = table.width - 6 - 3 * 40
            return table.pixel(x: left + column * 40 + 2, y: 6 + row * 20 + 2)
        }
        #expect(corner(row: 0, column: 1) == [255, 255, 255])
        let negative = corner(row: 0, column: 0), positive = corner(row: 0, column: 2)
        #expect(negative[2] > negative[0] && positive[0] > positive[2])
        // Row b's largest |value| (0.5) gets full colour although it is smaller than row a's.
        #expect(corner(row: 1, column: 0) == positive)
    }

    @Test("valueTable is wide enough for its title and handles an empty table")
    func valueTableTitle() {
        let title = "A rather long title for three numbers"
        let table = valueTable(rows: [("x", [1, 2, 3])], title: title)
        #expect(table.width >= BitmapFont.size(of: title, scale: 2).width)
        #expect(valueTable(rows: []).width > 0)
    }

    @Test("functionPlot draws each curve in its colour where the function is")
    func functionPlotDrawsCurves() {
        let red: [UInt8] = [214, 39, 40]
        let plot = functionPlot([PlotCurve("one", color: red) { _ in 1 }], x: -1...1, y: -1...2, width: 100, height: 60)
        // y = 1 lies a third of the way down the 60-pixel plot area, which starts 28 pixels from the top.
        let row = 28 + 60 - 40
        let hits = (28..<(28 + 100)).filter { x in
            (row - 2...row + 1).contains { plot.pixel(x: x, y: $0) == red }
        }
        #expect(hits.count > 90, "the line y = 1 should run across the plot; \(hits.count) columns hit")
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
