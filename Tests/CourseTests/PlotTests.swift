import Course
import Engine
import Imaging
import Testing

@Suite("Plots and map comparison")
struct PlotTests {
    let photo = Image(width: 32, height: 24, channels: 3, fill: [200, 100, 50])

    @Test("plotExample puts the photo and the map side by side under a title")
    func plotExample() {
        let map = Tensor(shape: [1, 1, 4, 4], scalars: (0..<16).map(Float.init))
        let board = Course.plotExample(image: photo, saliency: map, method: "gradient", classID: 285)
        #expect(board.channels == 3)
        #expect(board.width >= 2 * 32)
        #expect(board.height > 24)
    }

    @Test("heatmapImage min-max scales: the smallest value gets the colormap's first colour, the largest its last")
    func heatmapScaling() {
        let map = Tensor(shape: [1, 1, 1, 2], scalars: [-3, 5])
        let image = heatmapImage(map, width: 2, height: 1, colormap: .grayscale)
        #expect(image.pixel(x: 0, y: 0) == [0, 0, 0])
        #expect(image.pixel(x: 1, y: 0) == [255, 255, 255])
        // A constant map does not divide by zero.
        let flat = heatmapImage(Tensor(shape: [1, 1, 2, 2], scalars: [1, 1, 1, 1]), width: 4, height: 4)
        #expect(flat.width == 4)
    }

    @Test("rgbPicture maps 0 to mid-grey and ±max to the ends, per channel")
    func rgbPicture() {
        let g = Tensor(shape: [1, 3, 1, 2], scalars: [0, 2, -1, 1, 0, -4])
        let image = Course.rgbPicture(of: g)
        #expect(image.pixel(x: 0, y: 0) == [128, 0, 128])
        #expect(image.pixel(x: 1, y: 0) == [255, 255, 0])
    }

    @Test("plotMaps wraps into rows and keeps every panel")
    func rows() {
        let maps = (0..<5).map { _ in Tensor(shape: [1, 1, 2, 2], scalars: [0, 1, 2, 3]) }
        let one = plotMaps(maps, titles: [], image: photo)
        let wrapped = plotMaps(maps, titles: [], image: photo, columns: 3)
        #expect(wrapped.height > one.height)
        #expect(wrapped.width < one.width)
    }

    @Test("map comparison numbers")
    func comparison() {
        let a = Tensor([1, 2, 3, 4])
        let b = Tensor([10, 20, 30, 40])
        let reversed = Tensor([4, 3, 2, 1])
        #expect(abs(MapComparison.correlation(a, b) - 1) < 1e-6)
        #expect(abs(MapComparison.rankCorrelation(a, reversed) + 1) < 1e-6)
        #expect(MapComparison.rankCorrelation(a, Tensor([1, 1, 1, 1])) == 0)
        #expect(abs(MapComparison.relativeError(b, a) - 9) < 1e-5)
        #expect(MapComparison.maxAbsDifference(a, reversed) == 3)
        #expect(MapComparison.topOverlap(a, b, fraction: 0.5) == 1)
        #expect(MapComparison.topOverlap(a, reversed, fraction: 0.5) == 0)
        // Columns 0 | 1 (middle, half) | 2 of a 1×3 map: (1 + 2/2) / (1 + 2 + 4).
        let share = MapComparison.leftHalfShare(Tensor(shape: [1, 1, 1, 3], scalars: [1, 2, 4]))
        #expect(abs(share - 2.0 / 7) < 1e-6)
    }
}
