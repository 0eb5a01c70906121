/// An 8-bit raster image stored row by row, pixels interleaved (HWC): grey (1), RGB (3) or RGBA (4) channels.
///
/// ```swift
/// let photo = try Image(contentsOf: url)
/// let input = Image(tensor: x, normalization: .lite0)   // a model input back as a picture
/// show(image: photo, title: "The photo")
/// ```
public struct Image: Sendable, Equatable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Samples per pixel: 1 (grey), 3 (RGB) or 4 (RGBA).
    public let channels: Int
    /// The samples, `height × width × channels`, row-major.
    public var pixels: [UInt8]

    /// Wraps `pixels` (HWC); stops with a message naming the mismatch when sizes or channel count are invalid.
    public init(
        width: Int, height: Int, channels: Int, pixels: [UInt8],
        file: StaticString = #file, line: UInt = #line
    ) {
        if let problem = Image.validate(width: width, height: height, channels: channels) {
            fatalError(problem, file: file, line: line)
        }
        if pixels.count != width * height * channels {
            fatalError(
                "Image: \(pixels.count) samples do not fill \(width)×\(height)×\(channels) "
                    + "(expected \(width * height * channels))", file: file, line: line)
        }
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// An image of the given size with every pixel set to `value` (one sample per channel, or one for all).
    public init(
        width: Int, height: Int, channels: Int = 3, fill value: [UInt8] = [0],
        file: StaticString = #file, line: UInt = #line
    ) {
        if let problem = Image.validate(width: width, height: height, channels: channels) {
            fatalError(problem, file: file, line: line)
        }
        let pixel = value.count == channels ? value : Array(repeating: value.first ?? 0, count: channels)
        var samples = [UInt8](repeating: 0, count: width * height * channels)
        if pixel.allSatisfy({ $0 == pixel[0] }) {
            if pixel[0] != 0 { samples = [UInt8](repeating: pixel[0], count: samples.count) }
        } else {
            for i in stride(from: 0, to: samples.count, by: channels) {
                for c in 0..<channels { samples[i &+ c] = pixel[c] }
            }
        }
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = samples
    }

    /// Unchecked memberwise init for code in this module that already sized `pixels`.
    init(unchecked width: Int, _ height: Int, _ channels: Int, _ pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// Returns a message when the geometry is unusable, nil when it is fine.
    static func validate(width: Int, height: Int, channels: Int) -> String? {
        if width < 1 || height < 1 { return "Image: size \(width)×\(height) must be at least 1×1" }
        if ![1, 3, 4].contains(channels) {
            return "Image: \(channels) channels is not supported (valid: 1 grey, 3 RGB, 4 RGBA)"
        }
        return nil
    }

    /// The sample at column `x`, row `y`, channel `c`.
    public subscript(x: Int, y: Int, channel: Int) -> UInt8 {
        get { pixels[(y &* width &+ x) &* channels &+ channel] }
        set { pixels[(y &* width &+ x) &* channels &+ channel] = newValue }
    }

    /// All samples of the pixel at column `x`, row `y`.
    public func pixel(x: Int, y: Int) -> [UInt8] {
        let start = (y * width + x) * channels
        return Array(pixels[start..<start + channels])
    }

    /// This image as RGB: grey is replicated, alpha is composited over `background` (white by default).
    public func rgb(background: UInt8 = 255) -> Image {
        switch channels {
        case 3:
            return self
        case 1:
            var out = [UInt8](repeating: 0, count: width * height * 3)
            for i in 0..<(width * height) {
                let v = pixels[i]
                out[i &* 3] = v
                out[i &* 3 &+ 1] = v
                out[i &* 3 &+ 2] = v
            }
            return Image(unchecked: width, height, 3, out)
        default:
            var out = [UInt8](repeating: 0, count: width * height * 3)
            let bg = Int(background)
            for i in 0..<(width * height) {
                let a = Int(pixels[i &* 4 &+ 3])
                for c in 0..<3 {
                    let v = Int(pixels[i &* 4 &+ c])
                    // Integer "over" with rounding: (v·a + bg·(255−a) + 127) / 255.
                    out[i &* 3 &+ c] = UInt8((v &* a &+ bg &* (255 &- a) &+ 127) / 255)
                }
            }
            return Image(unchecked: width, height, 3, out)
        }
    }

    /// This image as one grey channel, luma 0.299 R + 0.587 G + 0.114 B (alpha composited over white).
    public func gray() -> Image {
        if channels == 1 { return self }
        let colour = rgb()
        var out = [UInt8](repeating: 0, count: width * height)
        colour.pixels.withUnsafeBufferPointer { p in
            for i in 0..<(width * height) {
                let y = 0.299 * Float(p[i &* 3]) + 0.587 * Float(p[i &* 3 &+ 1]) + 0.114 * Float(p[i &* 3 &+ 2])
                out[i] = UInt8(min(255, max(0, y.rounded())))
            }
        }
        return Image(unchecked: width, height, 1, out)
    }
}
