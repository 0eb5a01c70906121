import Foundation
import Imaging
import Testing

@Suite("Colormaps")
struct ColormapTests {
    static func close(_ a: (r: UInt8, g: UInt8, b: UInt8), _ b: (Int, Int, Int), within tolerance: Int) -> Bool {
        abs(Int(a.r) - b.0) <= tolerance && abs(Int(a.g) - b.1) <= tolerance && abs(Int(a.b) - b.2) <= tolerance
    }

    /// Relative luminance (Rec. 709 weights on linearised sRGB).
    static func luminance(_ c: (r: UInt8, g: UInt8, b: UInt8)) -> Double {
        func lin(_ v: UInt8) -> Double {
            let s = Double(v) / 255
            return s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b)
    }

    @Test("every table has 256 RGB entries")
    func sizes() {
        for map in [Colormap.viridis, .coolwarm, .grayscale] { #expect(map.table.count == 768, "\(map.name)") }
    }

    @Test("viridis passes through its published anchor colours")
    func viridisAnchors() {
        let anchors: [(Float, (Int, Int, Int))] = [
            (0, (0x44, 0x01, 0x54)), (0.25, (0x3B, 0x52, 0x8B)), (0.5, (0x21, 0x91, 0x8C)),
            (0.75, (0x5E, 0xC9, 0x62)), (1, (0xFD, 0xE7, 0x25)),
        ]
        for (t, expected) in anchors {
            #expect(Self.close(Colormap.viridis.color(at: t), expected, within: 5), "t = \(t)")
        }
    }

    @Test("viridis gets brighter all the way up (perceptual ordering)")
    func viridisMonotone() {
        var previous = -1.0
        for i in stride(from: 0, through: 255, by: 5) {
            let l = Self.luminance(Colormap.viridis.color(at: Float(i) / 255))
            #expect(l > previous, "step \(i)")
            previous = l
        }
    }

    @Test("coolwarm runs blue → white → red")
    func coolwarm() {
        #expect(Self.close(Colormap.coolwarm.color(at: 0), (59, 76, 192), within: 1))
        #expect(Self.close(Colormap.coolwarm.color(at: 1), (180, 4, 38), within: 1))
        let middle = Colormap.coolwarm.color(at: 0.5)
        #expect(min(middle.r, middle.g, middle.b) >= 245)
        // Lighter towards the centre from both ends.
        #expect(Self.luminance(Colormap.coolwarm.color(at: 0.25)) > Self.luminance(Colormap.coolwarm.color(at: 0)))
        #expect(Self.luminance(Colormap.coolwarm.color(at: 0.75)) > Self.luminance(Colormap.coolwarm.color(at: 1)))
        #expect(Colormap.coolwarm.color(at: 0.1).b > Colormap.coolwarm.color(at: 0.1).r)
        #expect(Colormap.coolwarm.color(at: 0.9).r > Colormap.coolwarm.color(at: 0.9).b)
    }

    @Test("grayscale endpoints and out-of-range inputs")
    func grayscale() {
        #expect(Self.close(Colormap.grayscale.color(at: 0), (0, 0, 0), within: 0))
        #expect(Self.close(Colormap.grayscale.color(at: 1), (255, 255, 255), within: 0))
        #expect(Self.close(Colormap.grayscale.color(at: 0.5), (128, 128, 128), within: 0))
        #expect(Self.close(Colormap.grayscale.color(at: -3), (0, 0, 0), within: 0))
        #expect(Self.close(Colormap.grayscale.color(at: 7), (255, 255, 255), within: 0))
        #expect(Self.close(Colormap.grayscale.color(at: .nan), (0, 0, 0), within: 0))
    }
}
