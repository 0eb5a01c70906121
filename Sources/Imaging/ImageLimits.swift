import Engine

/// Size limits that every image decoder (PNG, and any later format) checks against a file's header before it
/// allocates a pixel: a crafted header can claim 10^12 pixels in a few bytes.
public struct ImageLimits: Sendable, Equatable {
    /// Most pixels a decoded image may have (50 megapixels: an 8K frame is 33 MP, a phone photo 12–48 MP).
    public var maxPixels: Int
    /// When set, the image is going to be resized so its shorter side has this length: the resized image must
    /// also stay within `maxPixels` (a 1×20,000 strip would become 256×5,120,000).
    public var resizedShorterSide: Int?

    /// The default limits (50 MP), optionally for an image about to be resized to `shorterSide`.
    public init(maxPixels: Int = 50_000_000, resizedShorterSide: Int? = nil) {
        self.maxPixels = maxPixels
        self.resizedShorterSide = resizedShorterSide
    }

    /// 50 megapixels, no planned resize.
    public static let standard = ImageLimits()

    /// Why an image of `width`×`height` must be refused, or nil when it is within the limits.
    public func violation(width: Int, height: Int) -> String? {
        guard width >= 1, height >= 1 else { return "its size \(width)×\(height) is empty" }
        guard let pixels = CheckedSize.multiply(width, height), pixels <= maxPixels else {
            return "\(width)×\(height) pixels exceed the \(Self.megapixels(maxPixels)) limit"
        }
        if let side = resizedShorterSide {
            let size = Self.shorterSideSize(width: width, height: height, side: side)
            guard let size, let resized = CheckedSize.multiply(size.width, size.height), resized <= maxPixels else {
                let shown = size.map { "\($0.width)×\($0.height)" } ?? "too many"
                return "its aspect ratio (\(width)×\(height)) would make it \(shown) pixels when resized to a shorter "
                    + "side of \(side), over the \(Self.megapixels(maxPixels)) limit"
            }
        }
        return nil
    }

    /// The size `Image.resizedShorterSide(to:)` gives (torchvision `Resize(side)`: the longer side is truncated).
    public static func shorterSideSize(width: Int, height: Int, side: Int) -> (width: Int, height: Int)? {
        guard width >= 1, height >= 1, side >= 1 else { return nil }
        let scaled = Double(side) * Double(max(width, height)) / Double(min(width, height))
        guard scaled < 0x1p62 else { return nil }
        let long = Int(scaled)
        return width <= height ? (side, long) : (long, side)
    }

    static func megapixels(_ pixels: Int) -> String {
        pixels % 1_000_000 == 0 ? "\(pixels / 1_000_000)-megapixel" : "\(pixels)-pixel"
    }
}

