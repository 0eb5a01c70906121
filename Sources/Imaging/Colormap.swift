import Foundation

/// A 256-entry RGB lookup table mapping a scaled value t ∈ [0, 1] to a colour.
public struct Colormap: Sendable, Equatable, CustomStringConvertible {
    /// Short name shown in captions, e.g. "viridis".
    public let name: String
    /// 256 × 3 bytes: entry i is (r, g, b) for t = i / 255.
    public let table: [UInt8]

    /// A colormap from an explicit 768-byte RGB table.
    public init(name: String, table: [UInt8], file: StaticString = #file, line: UInt = #line) {
        if table.count != 256 * 3 {
            fatalError("Colormap \(name): table has \(table.count) bytes; expected 768 (256 RGB entries)", file: file, line: line)
        }
        self.name = name
        self.table = table
    }

    /// The colour for `t` (clamped to [0, 1]; NaN maps to 0).
    @inline(__always)
    public func color(at t: Float) -> (r: UInt8, g: UInt8, b: UInt8) {
        let i = Colormap.index(t) &* 3
        return (table[i], table[i &+ 1], table[i &+ 2])
    }

    /// Table index for t: round(t · 255) after clamping; NaN → 0.
    @inline(__always)
    static func index(_ t: Float) -> Int {
        guard t > 0 else { return 0 }
        return t >= 1 ? 255 : Int((t * 255).rounded())
    }

    /// The name.
    public var description: String { name }

    /// Perceptually uniform, dark blue-violet (0) → green → yellow (1); the default for non-negative maps.
    /// Generated from a degree-6 polynomial fit to the published viridis curve (each channel within about 1% of
    /// it); endpoints ≈ #440154 and #FDE725.
    public static let viridis: Colormap = {
        // Coefficients c0…c6 per channel of r(t) = Σ c_k t^k, a least-squares fit to viridis.
        let coefficients: [[Double]] = [
            [0.2777273272234177, 0.1050930431085774, -0.3308618287255563, -4.634230498983486,
             6.228269936347081, 4.776384997670288, -5.435455855934631],
            [0.005407344544966578, 1.404613529898575, 0.214847559468213, -5.799100973351585,
             14.17993336680509, -13.74514537767095, 4.645852612178535],
            [0.3340998053353061, 1.384590162594685, 0.09509516302823659, -19.33244095627987,
             56.69055260068105, -65.35303263337234, 26.3124352495832],
        ]
        var table = [UInt8](repeating: 0, count: 768)
        for i in 0..<256 {
            let t = Double(i) / 255
            for c in 0..<3 {
                // Horner's rule.
                let v = coefficients[c].reversed().reduce(0.0) { $0 * t + $1 }
                table[i * 3 + c] = UInt8(max(0, min(255, (v * 255).rounded())))
            }
        }
        return Colormap(name: "viridis", table: table)
    }()

    /// Diverging blue (0) → white (0.5) → red (1) for signed maps, interpolated in CIELAB between the endpoint
    /// colours of Moreland's "cool to warm" map; use it with `.symmetric` so that white means 0.
    public static let coolwarm: Colormap = Colormap(
        name: "coolwarm",
        labAnchors: [(0, (59, 76, 192)), (0.5, (255, 255, 255)), (1, (180, 4, 38))])

    /// Black (0) → white (1), as TorchRay's `imsc` shows maps.
    public static let grayscale: Colormap = {
        var table = [UInt8](repeating: 0, count: 768)
        for i in 0..<256 {
            table[i * 3] = UInt8(i)
            table[i * 3 + 1] = UInt8(i)
            table[i * 3 + 2] = UInt8(i)
        }
        return Colormap(name: "grayscale", table: table)
    }()

    /// A colormap through sRGB anchor colours at increasing positions, interpolated linearly in CIELAB so that
    /// equal steps in t look like equal steps in colour.
    public init(name: String, labAnchors: [(Float, (UInt8, UInt8, UInt8))], file: StaticString = #file, line: UInt = #line) {
        if labAnchors.count < 2 || labAnchors.first!.0 != 0 || labAnchors.last!.0 != 1
            || zip(labAnchors, labAnchors.dropFirst()).contains(where: { $0.0 >= $1.0 })
        {
            fatalError("Colormap \(name): anchors need increasing positions from 0 to 1", file: file, line: line)
        }
        let labs = labAnchors.map { ColorSpace.lab(fromSRGB: $0.1) }
        var table = [UInt8](repeating: 0, count: 768)
        for i in 0..<256 {
            let t = Float(i) / 255
            var k = 0
            while k < labAnchors.count - 2 && t > labAnchors[k + 1].0 { k += 1 }
            let (t0, t1) = (labAnchors[k].0, labAnchors[k + 1].0)
            let u = Double((t - t0) / (t1 - t0))
            let a = labs[k]
            let b = labs[k + 1]
            let lab = (a.0 + (b.0 - a.0) * u, a.1 + (b.1 - a.1) * u, a.2 + (b.2 - a.2) * u)
            let rgb = ColorSpace.sRGB(fromLab: lab)
            table[i * 3] = rgb.0
            table[i * 3 + 1] = rgb.1
            table[i * 3 + 2] = rgb.2
        }
        self.init(name: name, table: table, file: file, line: line)
    }
}

/// sRGB (D65) ↔ CIELAB conversions for building colormaps.
enum ColorSpace {
    private static let white = (0.95047, 1.0, 1.08883)

    static func lab(fromSRGB c: (UInt8, UInt8, UInt8)) -> (Double, Double, Double) {
        func linear(_ v: UInt8) -> Double {
            let s = Double(v) / 255
            return s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4)
        }
        let (r, g, b) = (linear(c.0), linear(c.1), linear(c.2))
        let x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / white.0
        let y = (0.2126729 * r + 0.7151522 * g + 0.0721750 * b) / white.1
        let z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / white.2
        func f(_ t: Double) -> Double { t > 216.0 / 24389 ? cbrt(t) : (24389.0 / 27 * t + 16) / 116 }
        let (fx, fy, fz) = (f(x), f(y), f(z))
        return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))
    }

    static func sRGB(fromLab lab: (Double, Double, Double)) -> (UInt8, UInt8, UInt8) {
        let fy = (lab.0 + 16) / 116
        let fx = fy + lab.1 / 500
        let fz = fy - lab.2 / 200
        func finv(_ t: Double) -> Double { t * t * t > 216.0 / 24389 ? t * t * t : (116 * t - 16) * 27 / 24389 }
        let x = finv(fx) * white.0
        let y = finv(fy) * white.1
        let z = finv(fz) * white.2
        let r = 3.2404542 * x - 1.5371385 * y - 0.4985314 * z
        let g = -0.9692660 * x + 1.8760108 * y + 0.0415560 * z
        let b = 0.0556434 * x - 0.2040259 * y + 1.0572252 * z
        func encode(_ v: Double) -> UInt8 {
            let c = max(0, min(1, v))
            let s = c <= 0.0031308 ? 12.92 * c : 1.055 * pow(c, 1 / 2.4) - 0.055
            return UInt8((s * 255).rounded())
        }
        return (encode(r), encode(g), encode(b))
    }
}
