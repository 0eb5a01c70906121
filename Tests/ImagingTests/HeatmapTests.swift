import Engine
import Imaging
import Testing

@Suite("Heatmaps")
struct HeatmapTests {
    @Test("min–max scaling matches TorchRay's imsc")
    func minMax() {
        let map = Heatmap(map: Tensor(shape: [1, 1, 1, 3], scalars: [1, 2, 3]))
        #expect(map.scaled == [0, 0.5, 1])
        #expect(map.low == 1 && map.high == 3)
        #expect(map.description == "min–max scaled: 0 = 1, 1 = 3")
        let small = Heatmap(width: 2, height: 1, values: [1.2e-5, 0.034])
        #expect(small.description == "min–max scaled: 0 = 1.2e-05, 1 = 0.034")
    }

    @Test("a constant map scales to all zeros, never NaN")
    func constant() {
        let map = Heatmap(map: Tensor(repeating: 0.25, shape: [4, 5]))
        #expect(map.scaled.allSatisfy { $0 == 0 })
        #expect(map.description.contains("constant"))
        #expect(map.render().pixels.count == 4 * 5 * 3)
        let zeros = Heatmap(map: Tensor.zeros([1, 3, 3]), normalization: .symmetric)
        #expect(zeros.scaled.allSatisfy { $0 == 0.5 })
    }

    @Test("symmetric scaling puts 0 at the centre and uses the diverging map")
    func symmetric() {
        let map = Heatmap(width: 3, height: 1, values: [-2, 0, 1], normalization: .symmetric)
        #expect(map.scaled == [0, 0.5, 0.75])
        #expect(map.low == -2 && map.high == 2)
        #expect(map.colormap == .coolwarm)
        #expect(map.description.contains("0.5 = 0"))
    }

    @Test("percentile clipping clamps the tails")
    func percentile() {
        let values = (0...100).map(Float.init)
        let map = Heatmap(width: 101, height: 1, values: values, normalization: .percentile(2, 98))
        #expect(map.low == 2 && map.high == 98)
        #expect(map.scaled[0] == 0 && map.scaled[1] == 0 && map.scaled[100] == 1)
        #expect(abs(map.scaled[50] - 0.5) < 1e-6)
        #expect(map.description == "percentile-clipped (percentiles 2–98): 0 = 2, 1 = 98, values outside clamped")
    }

    @Test("a fractional percentile is written as given (99.5, not 1e+02)")
    func fractionalPercentile() {
        let map = Heatmap(width: 201, height: 1, values: (0...200).map(Float.init), normalization: .percentile(0, 99.5))
        #expect(map.description.hasPrefix("percentile-clipped (percentiles 0–99.5): "), "\(map.description)")
    }

    @Test("NaN values do not poison the scale")
    func nan() {
        let map = Heatmap(width: 3, height: 1, values: [.nan, 1, 3])
        #expect(map.scaled == [0, 0, 1])
    }

    @Test("render nearest-upsamples to the display size")
    func render() {
        let map = Heatmap(width: 2, height: 2, values: [0, 1, 1, 0], colormap: .grayscale)
        let image = map.render(width: 4, height: 4)
        #expect(image.width == 4 && image.height == 4 && image.channels == 3)
        #expect(image.pixel(x: 0, y: 0) == [0, 0, 0] && image.pixel(x: 1, y: 1) == [0, 0, 0])
        #expect(image.pixel(x: 2, y: 0) == [255, 255, 255] && image.pixel(x: 3, y: 1) == [255, 255, 255])
        #expect(image.pixel(x: 0, y: 3) == [255, 255, 255])
        let grey = map.grayscale(width: 4, height: 4)
        #expect(grey.channels == 1 && grey.pixels[2] == 255 && grey.pixels[0] == 0)
        // Default colormap is viridis: the low end is dark violet.
        let viridis = Heatmap(width: 2, height: 1, values: [0, 1]).render()
        #expect(viridis.pixel(x: 0, y: 0)[2] > viridis.pixel(x: 0, y: 0)[1])
    }

    @Test("overlay blends the colour over the greyed photo at alpha")
    func overlayMaths() {
        let photo = Image(width: 2, height: 2, channels: 3, fill: [255, 0, 0])  // luma 76
        let map = Heatmap(width: 1, height: 1, values: [5], colormap: .grayscale)  // constant → 0 → black
        #expect(map.overlay(on: photo).pixel(x: 1, y: 1) == [38, 38, 38])  // 0.5 · 76 + 0.5 · 0
        let ramp = Heatmap(width: 2, height: 1, values: [0, 1], colormap: .viridis)
        let out = ramp.overlay(on: photo, alpha: 0.25)
        let top = Colormap.viridis.color(at: 1)
        let expected = [top.r, top.g, top.b].map { UInt8((0.75 * 76 + 0.25 * Float($0)).rounded()) }
        #expect(out.pixel(x: 1, y: 0) == expected)
        #expect(ramp.overlay(on: photo, alpha: 0).pixel(x: 0, y: 0) == [76, 76, 76])
        let full = ramp.overlay(on: photo, alpha: 1).pixel(x: 1, y: 1)
        #expect(full == [top.r, top.g, top.b])
    }

    @Test("colorbar has the requested bar height plus label margins and shows the end colours")
    func colorbar() {
        let map = Heatmap(width: 2, height: 1, values: [0, 10], colormap: .grayscale)
        let bar = map.colorbar(height: 100)
        #expect(bar.height == 100 + 2 * (BitmapFont.glyphHeight / 2 + 1))
        #expect(bar.width > 12)
        let margin = BitmapFont.glyphHeight / 2 + 1
        #expect(bar.pixel(x: 0, y: margin) == [255, 255, 255])  // top = 1 = white
        #expect(bar.pixel(x: 0, y: margin + 99) == [0, 0, 0])  // bottom = 0 = black
        // Labels leave dark ink to the right of the bar.
        let labelInk = (0..<bar.height).contains { y in (14..<bar.width).contains { x in bar.pixel(x: x, y: y)[0] < 128 } }
        #expect(labelInk)
    }

    @Test("a batch map picks the requested item")
    func batchIndex() {
        let t = Tensor(shape: [2, 1, 1, 2], scalars: [0, 1, 5, 3])
        let second = Heatmap(map: t, index: 1)
        #expect(second.values == [5, 3])
        #expect(second.scaled == [1, 0])
    }
}
