import Course
import Engine
import Imaging
import Testing

@Suite("Plots and map comparison")
struct PlotTests {
    let photo = Image(width: 32, height: 24, channels: 3, fill: [200, 100, 50])

    @Test("plotExample: the photo, the map at its own resolution shown at the photo's size, a text title and a colour bar")
    func plotExample() {
        let map = Tensor(shape: [1, 1, 4, 4], scalars: (0..<16).map(Float.init))
        let figure = Course.plotExample(image: photo, saliency: map, method: "gradient", classID: 285, clip: nil)
        #expect(figure.title == "gradient — Egyptian cat (285)")
        #expect(figure.panels.map(\.role) == [.image, .heatmap])
        #expect(figure.panels.map(\.caption) == ["input image", "gradient, min-max scaled"])
        let heatmap = figure.panels[1]
        #expect(heatmap.image.width == 4 && heatmap.image.height == 4, "one pixel per map cell")
        #expect(heatmap.displayWidth == 32 && heatmap.displayHeight == 24)
        // Viridis from the smallest value (dark violet) to the largest (yellow).
        #expect(heatmap.image.pixel(x: 0, y: 0) == [68, 1, 84] || heatmap.image.pixel(x: 0, y: 0)[2] > heatmap.image.pixel(x: 0, y: 0)[1])
        #expect(heatmap.image.pixel(x: 3, y: 3)[0] > 200 && heatmap.image.pixel(x: 3, y: 3)[2] < 100)
        let scale = try! #require(figure.colorScale)
        #expect(scale.colormap == .viridis)
        #expect(scale.ticks.map(\.label) == ["0", "15"])
    }

    @Test("a signed map gets the diverging colormap with 0 in the middle; a given colormap wins")
    func signedMaps() {
        let signed = Tensor(shape: [1, 1, 1, 3], scalars: [-2, 0, 4])
        let figure = plotMaps([signed], titles: ["linear approximation"], clip: nil)
        #expect(figure.colorScale?.colormap == .coolwarm)
        #expect(figure.colorScale?.ticks.map(\.label) == ["-4", "0", "4"])
        #expect(figure.panels[0].image.pixel(x: 1, y: 0) == [255, 255, 255] || figure.panels[0].image.pixel(x: 1, y: 0).allSatisfy { $0 > 240 },
                "0 is white: \(figure.panels[0].image.pixel(x: 1, y: 0))")
        #expect(figure.panels[0].note == "-4 … 4")
        // Rounding noise below 0 does not make a map signed.
        let almost = Tensor(shape: [1, 1, 1, 3], scalars: [-1e-4, 1, 2])
        #expect(plotMaps([almost], titles: []).colorScale?.colormap == .viridis)
        #expect(plotMaps([signed], titles: [], colormap: .viridis).colorScale?.colormap == .viridis)
        // A figure mixing signed and non-negative maps colours each by its sign and has one colour bar for each.
        let mixed = plotMaps([signed, signed.abs()], titles: ["signed", "magnitude"])
        #expect(mixed.colorScales.map(\.colormap) == [.coolwarm, .viridis])
        #expect(mixed.colorScales.map { $0.ticks.map(\.label) } == [["−99.5th pct |x|", "0", "+99.5th pct |x|"], ["min", "99.5th pct"]])
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

    @Test("plotMaps keeps every panel with its caption, the columns, and one colour bar with each map's own ends")
    func rows() {
        let maps = (0..<5).map { i in Tensor(shape: [1, 1, 2, 2], scalars: [0, 1, 2, Float(3 + i)]) }
        let one = plotMaps(maps, titles: ["a", "b"], image: photo)
        #expect(one.columns == 0)
        #expect(one.panels.count == 6)
        #expect(one.panels.map(\.caption) == ["input image", "a", "b", "map 3", "map 4", "map 5"])
        #expect(one.panels.dropFirst().allSatisfy { $0.role == .heatmap && $0.image.width == 2 && $0.displayWidth == 32 })
        // Each panel notes its own range: from its minimum to its 99.5th percentile (just below its maximum of 7).
        #expect(one.panels[5].note?.hasPrefix("0 … 6.") == true, "\(one.panels[5].note ?? "no note")")
        #expect(one.colorScale?.ticks.map(\.label) == ["min", "99.5th pct"])
        let wrapped = plotMaps(maps, titles: [], image: photo, columns: 3, title: "Five maps")
        #expect(wrapped.columns == 3 && wrapped.title == "Five maps")
        let overlays = plotMaps(maps, titles: [], image: photo, overlay: true)
        #expect(overlays.panels.dropFirst().allSatisfy { $0.role == .overlay && $0.image.width == 32 && $0.image.height == 24 })
        // The flattened picture for PNG files still holds every panel.
        #expect(wrapped.bitmap().width < one.bitmap().width)
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

    @Test("rank correlation and top overlap agree with a plain sort by value, ties and signed zeros included")
    func comparisonMatchesPlainSort() {
        // The reference: indices sorted with a comparing closure (stable), ties ranked by their mean position.
        func ranks(_ v: [Float]) -> [Double] {
            let order = v.indices.sorted { v[$0] < v[$1] }
            var r = [Double](repeating: 0, count: v.count)
            var start = 0
            while start < order.count {
                var end = start
                while end + 1 < order.count && v[order[end + 1]] == v[order[start]] { end += 1 }
                for i in start...end { r[order[i]] = Double(start + end) / 2 }
                start = end + 1
            }
            return r
        }
        func pearson(_ x: [Double], _ y: [Double]) -> Double {
            let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
            var sxy = 0.0, sxx = 0.0, syy = 0.0
            for (a, b) in zip(x, y) { sxy += (a - mx) * (b - my); sxx += (a - mx) * (a - mx); syy += (b - my) * (b - my) }
            return sxy / (sxx * syy).squareRoot()
        }
        func top(_ v: [Float], _ k: Int) -> Set<Int> { Set(v.indices.sorted { v[$0] > v[$1] }.prefix(k)) }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // Few distinct values (many ties), both signs, and both zeros.
            let pick = Int(state >> 59)
            return pick == 0 ? -0.0 : pick == 1 ? 0 : Float(pick % 9) * (pick % 2 == 0 ? 1 : -1) * 0.25
        }
        for size in [1, 2, 7, 100, 1000] {
            let a = (0..<size).map { _ in next() }, b = (0..<size).map { _ in next() }
            let expected = pearson(ranks(a), ranks(b))
            let got = MapComparison.rankCorrelation(Tensor(a), Tensor(b))
            if expected.isNaN { #expect(got.isNaN || got == 0, "size \(size)") } else {
                #expect(abs(Double(got) - expected) < 1e-5, "size \(size): \(got) against \(expected)")
            }
            for fraction in [0.05, 0.3] {
                let k = max(1, Int((Double(size) * fraction).rounded()))
                let overlap = Float(top(a, k).intersection(top(b, k)).count) / Float(k)
                #expect(MapComparison.topOverlap(Tensor(a), Tensor(b), fraction: fraction) == overlap, "size \(size), fraction \(fraction)")
            }
        }
    }
}
