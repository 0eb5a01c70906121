import Engine
import Foundation

/// How a heatmap's raw values are scaled into [0, 1] before colouring.
public enum HeatmapNormalization: Sendable, Equatable {
    /// TorchRay's `imsc`: (x − min) / (max − min); a constant map becomes all zeros (TorchRay would give NaN).
    case minMax
    /// For signed maps: x ∈ [−m, m] with m = max|x| maps to [0, 1], so 0 sits at 0.5 (the diverging map's centre).
    case symmetric
    /// Captum-like clipping: the `lo`th and `hi`th percentiles (0…100, linear interpolation as numpy) map to 0 and
    /// 1 and values outside are clamped, so a few extreme pixels do not wash out the rest.
    case percentile(Float, Float)
}

/// A single-channel saliency map ready for display: scaled values, a colormap, and renderers.
public struct Heatmap: Sendable, CustomStringConvertible {
    /// Map width in map pixels.
    public let width: Int
    /// Map height in map pixels.
    public let height: Int
    /// The raw values, row-major.
    public let values: [Float]
    /// How `values` were scaled.
    public let normalization: HeatmapNormalization
    /// The colormap used by `render` and `overlay`.
    public let colormap: Colormap
    /// The raw value shown as 0 (the colormap's first entry).
    public let low: Float
    /// The raw value shown as 1 (the colormap's last entry).
    public let high: Float
    /// The values scaled into [0, 1] (NaN and infinities become 0).
    public let scaled: [Float]

    /// A heatmap of `map`, shaped [H, W], [1, H, W] or [N, 1, H, W] (TorchRay's saliency shape; `index` picks the
    /// batch item). The colormap defaults to `.coolwarm` for `.symmetric` and `.viridis` otherwise.
    public init(
        map: Tensor, normalization: HeatmapNormalization = .minMax, colormap: Colormap? = nil, index: Int = 0,
        file: StaticString = #file, line: UInt = #line
    ) {
        let shape = map.shape
        let h: Int
        let w: Int
        var offset = 0
        switch shape.count {
        case 2:
            (h, w) = (shape[0], shape[1])
        case 3 where shape[0] == 1:
            (h, w) = (shape[1], shape[2])
        case 4 where shape[1] == 1:
            (h, w) = (shape[2], shape[3])
            if index < 0 || index >= shape[0] {
                fatalError("Heatmap: index \(index) is outside the batch of \(shape[0]) in shape \(shape)", file: file, line: line)
            }
            offset = index * h * w
        default:
            fatalError(
                "Heatmap: expected a single-channel map shaped [H, W], [1, H, W] or [N, 1, H, W], got \(shape); "
                    + "reduce the channels first (e.g. max of |x| over axis 1)", file: file, line: line)
        }
        if h < 1 || w < 1 { fatalError("Heatmap: empty map of shape \(shape)", file: file, line: line) }
        let values = map.withUnsafeBufferPointer { Array($0[offset..<offset + h * w]) }
        self.init(width: w, height: h, values: values, normalization: normalization, colormap: colormap, file: file, line: line)
    }

    /// A heatmap from raw row-major values.
    public init(
        width: Int, height: Int, values: [Float], normalization: HeatmapNormalization = .minMax,
        colormap: Colormap? = nil, file: StaticString = #file, line: UInt = #line
    ) {
        if width < 1 || height < 1 || values.count != width * height {
            fatalError("Heatmap: \(values.count) values do not fill \(width)×\(height)", file: file, line: line)
        }
        if case .percentile(let lo, let hi) = normalization, !(0 <= lo && lo < hi && hi <= 100) {
            fatalError("Heatmap: percentile(\(lo), \(hi)) needs 0 ≤ lo < hi ≤ 100", file: file, line: line)
        }
        self.width = width
        self.height = height
        self.values = values
        self.normalization = normalization
        if let colormap {
            self.colormap = colormap
        } else {
            self.colormap = normalization == .symmetric ? .coolwarm : .viridis
        }
        let finite = values.filter(\.isFinite)
        var low: Float = 0
        var high: Float = 0
        switch normalization {
        case .minMax:
            low = finite.min() ?? 0
            high = finite.max() ?? 0
        case .symmetric:
            let m = finite.reduce(Float(0)) { max($0, abs($1)) }
            (low, high) = (-m, m)
        case .percentile(let lo, let hi):
            let sorted = finite.sorted()
            low = Heatmap.percentile(sorted, lo)
            high = Heatmap.percentile(sorted, hi)
        }
        self.low = low
        self.high = high
        let range = high - low
        let symmetric = normalization == .symmetric
        scaled = values.map { x in
            guard x.isFinite else { return 0 }
            // A flat map carries no ranking: show it as 0 (or the neutral centre for signed maps), never NaN.
            guard range > 0 else { return symmetric ? 0.5 : 0 }
            return min(1, max(0, (x - low) / range))
        }
    }

    /// numpy-style percentile (linear interpolation) of ascending `sorted`; 0 when empty.
    static func percentile(_ sorted: [Float], _ p: Float) -> Float {
        guard !sorted.isEmpty else { return 0 }
        let position = Double(p) / 100 * Double(sorted.count - 1)
        let i = Int(position.rounded(.down))
        let j = min(i + 1, sorted.count - 1)
        let fraction = Float(position - Double(i))
        return sorted[i] + (sorted[j] - sorted[i]) * fraction
    }

    /// A short number for captions, e.g. "1.2e-05", "0.034", "-3".
    static func format(_ v: Float) -> String {
        v == 0 ? "0" : String(format: "%.2g", Double(v))
    }

    /// A percentile as written by the user: "99.5", "2", "0" (`%.2g` would turn 99.5 into "1e+02").
    static func formatPercentile(_ p: Float) -> String {
        String(format: "%g", Double(p))
    }

    /// What the colours mean, e.g. "min–max scaled: 0 = 1.2e-05, 1 = 0.034".
    public var description: String {
        switch normalization {
        case .minMax:
            if !(high > low) { return "min–max scaled: constant map (all \(Heatmap.format(low))), shown as 0" }
            return "min–max scaled: 0 = \(Heatmap.format(low)), 1 = \(Heatmap.format(high))"
        case .symmetric:
            if !(high > 0) { return "symmetric: all-zero map, shown as 0.5" }
            return "symmetric (±max|x|): 0 = \(Heatmap.format(low)), 0.5 = 0, 1 = \(Heatmap.format(high))"
        case .percentile(let lo, let hi):
            return "percentile-clipped (percentiles \(Heatmap.formatPercentile(lo))–\(Heatmap.formatPercentile(hi))): "
                + "0 = \(Heatmap.format(low)), 1 = \(Heatmap.format(high)), values outside clamped"
        }
    }

    /// Map-pixel index for each display pixel along one axis (nearest neighbour: the map pixel whose area holds
    /// the display pixel's centre), so coarse maps show their true resolution.
    private static func nearest(_ size: Int, _ display: Int) -> [Int] {
        (0..<display).map { min(size - 1, ((2 * $0 + 1) * size) / (2 * display)) }
    }

    private func checkedSize(_ w: Int?, _ h: Int?, file: StaticString, line: UInt) -> (Int, Int) {
        let size = (w ?? width, h ?? height)
        if size.0 < 1 || size.1 < 1 {
            fatalError("Heatmap: display size \(size.0)×\(size.1) must be at least 1×1", file: file, line: line)
        }
        return size
    }

    /// The map in colour (RGB), nearest-upsampled to `width`×`height` (default: the map's own size).
    public func render(width w: Int? = nil, height h: Int? = nil, file: StaticString = #file, line: UInt = #line) -> Image {
        let (dw, dh) = checkedSize(w, h, file: file, line: line)
        let xs = Heatmap.nearest(width, dw)
        let ys = Heatmap.nearest(height, dh)
        var out = [UInt8](repeating: 0, count: dw * dh * 3)
        for y in 0..<dh {
            let row = ys[y] &* width
            for x in 0..<dw {
                let colour = colormap.color(at: scaled[row &+ xs[x]])
                let o = (y &* dw &+ x) &* 3
                out[o] = colour.r
                out[o &+ 1] = colour.g
                out[o &+ 2] = colour.b
            }
        }
        return Image(unchecked: dw, dh, 3, out)
    }

    /// The scaled map as one grey channel (0 black, 1 white), as TorchRay shows maps.
    public func grayscale(width w: Int? = nil, height h: Int? = nil, file: StaticString = #file, line: UInt = #line) -> Image {
        let (dw, dh) = checkedSize(w, h, file: file, line: line)
        let xs = Heatmap.nearest(width, dw)
        let ys = Heatmap.nearest(height, dh)
        var out = [UInt8](repeating: 0, count: dw * dh)
        for y in 0..<dh {
            let row = ys[y] &* width
            for x in 0..<dw { out[y &* dw &+ x] = UInt8(Colormap.index(scaled[row &+ xs[x]])) }
        }
        return Image(unchecked: dw, dh, 1, out)
    }

    /// The map blended over a greyed copy of `image` (Captum's style): each pixel is
    /// round((1 − alpha) · luma + alpha · colour), the map nearest-upsampled to the image's size.
    public func overlay(on image: Image, alpha: Float = 0.5, file: StaticString = #file, line: UInt = #line) -> Image {
        if !(0...1).contains(alpha) {
            fatalError("Heatmap.overlay: alpha \(alpha) must be in 0…1", file: file, line: line)
        }
        let grey = image.gray()
        let colour = render(width: image.width, height: image.height, file: file, line: line)
        var out = [UInt8](repeating: 0, count: image.width * image.height * 3)
        let keep = 1 - alpha
        for i in 0..<(image.width * image.height) {
            let g = keep * Float(grey.pixels[i])
            for c in 0..<3 {
                let v = g + alpha * Float(colour.pixels[i &* 3 &+ c])
                out[i &* 3 &+ c] = UInt8(min(255, max(0, v.rounded())))
            }
        }
        return Image(unchecked: image.width, image.height, 3, out)
    }

    /// A vertical colour bar `height` pixels tall (1 at the top) labelled with the raw values at its ends (and 0
    /// in the middle for `.symmetric`), on white.
    public func colorbar(height barHeight: Int = 224, barWidth: Int = 12, scale: Int = 1, file: StaticString = #file, line: UInt = #line)
        -> Image
    {
        let minimum = BitmapFont.glyphHeight * scale * 2
        if barHeight < minimum || barWidth < 1 {
            fatalError("Heatmap.colorbar: height \(barHeight) must be at least \(minimum) and width at least 1", file: file, line: line)
        }
        var labels: [(Float, String)] = [(1, Heatmap.format(high)), (0, Heatmap.format(low))]
        if normalization == .symmetric { labels.append((0.5, "0")) }
        let labelWidth = labels.map { BitmapFont.size(of: $0.1, scale: scale).width }.max() ?? 0
        let gap = 3 * scale
        let textHeight = BitmapFont.glyphHeight * scale
        // Room above and below so that end labels centred on the bar's ends stay inside the image.
        let margin = textHeight / 2 + 1
        let w = barWidth + gap + labelWidth + 2
        let h = barHeight + 2 * margin
        var image = Image(width: w, height: h, channels: 3, fill: [255])
        for y in 0..<barHeight {
            let t = barHeight == 1 ? 1 : 1 - Float(y) / Float(barHeight - 1)
            let colour = colormap.color(at: t)
            for x in 0..<barWidth {
                let o = ((y + margin) * w + x) * 3
                image.pixels[o] = colour.r
                image.pixels[o + 1] = colour.g
                image.pixels[o + 2] = colour.b
            }
        }
        for (t, text) in labels {
            let centre = margin + Int(((1 - t) * Float(barHeight - 1)).rounded())
            BitmapFont.draw(text, into: &image, x: barWidth + gap, y: centre - textHeight / 2, color: [0], scale: scale)
        }
        return image
    }
}
