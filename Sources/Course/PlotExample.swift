// The course's plotting helpers (the counterpart of TorchRay's plot_example): photo and maps side by side as a
// PanelFigure, whose titles and captions the report sets as text.
import Engine
import Foundation
import Imaging
import Models

/// The photo beside one saliency map, titled "<method> — <class name> (<id>)" (TorchRay's `plot_example`), with the
/// map's colour bar.
///
/// The map (item `item` of an N×1×h×w tensor) is scaled from its minimum to its `clip` percentile (99.5 by default,
/// so a handful of extreme pixels do not leave the rest dark; nil gives TorchRay's plain min–max) and kept at its own
/// resolution: the report enlarges it to the photo's size with crisp pixels, so each of its cells stays visible. A
/// signed map (clearly negative and positive values) gets the diverging colormap with 0 in the middle unless
/// `colormap` is given.
///
/// ```swift
/// show(image: plotExample(image: example.image, saliency: map, method: "gradient", classID: 249),
///      title: "The gradient of the dog class")
/// ```
public func plotExample(
    image: Image, saliency: Tensor, method: String, classID: Int, item: Int = 0, colormap: Colormap? = nil,
    clip: Float? = 99.5, file: StaticString = #file, line: UInt = #line
) -> PanelFigure {
    let title = "\(method) — \(ImageNetLabels.name(classID)) (\(classID))"
    let style = MapStyle(colormap: colormap, clip: clip)
    let heatmap = style.heatmap(saliency, item: item, file: file, line: line)
    var figure = PanelFigure(title: title, colorScales: [PanelFigure.ColorScale(heatmap)])
    figure.append(image.rgb(), caption: "input image")
    figure.append(heatmap.render(), caption: "\(method), \(style.scaling(signed: MapStyle.isSigned(heatmap)))",
                  role: .heatmap, displayWidth: image.width, displayHeight: image.height)
    return figure
}

/// Several maps side by side (after the photo when one is given), each with its own caption, `columns` panels per
/// row (all in one row by default); `overlay` blends each map, smoothly enlarged, over a greyed copy of the photo.
///
/// Each map is scaled on its own (minimum to its `clip` percentile; for signed maps ±its `clip` percentile of |x|
/// with the diverging colormap), so the colour bar shows the scale's ends and each panel notes its values there.
///
/// ```swift
/// show(image: plotMaps([dogMap, catMap], titles: ["dog", "cat"], image: example.image), title: "Two classes")
/// ```
public func plotMaps(
    _ maps: [Tensor], titles: [String], image: Image? = nil, overlay: Bool = false, colormap: Colormap? = nil,
    columns: Int? = nil, title: String? = nil, clip: Float? = 99.5, file: StaticString = #file, line: UInt = #line
) -> PanelFigure {
    let width = image?.width ?? 224
    let height = image?.height ?? 224
    let style = MapStyle(colormap: colormap, clip: clip)
    var figure = PanelFigure(title: title, columns: columns ?? 0)
    if let image { figure.append(image.rgb(), caption: "input image") }
    var heatmaps: [Heatmap] = []
    for (index, map) in maps.enumerated() {
        let caption = index < titles.count ? titles[index] : "map \(index + 1)"
        let heatmap = style.heatmap(map, file: file, line: line)
        heatmaps.append(heatmap)
        let note = "\(MapStyle.format(heatmap.low)) … \(MapStyle.format(heatmap.high))"
        if overlay, let image {
            figure.append(heatmap.smoothOverlay(on: image), caption: caption, role: .overlay, note: note)
        } else {
            figure.append(heatmap.render(), caption: caption, role: .heatmap, displayWidth: width, displayHeight: height,
                          note: note)
        }
    }
    // One colour bar per kind of scale in the figure: exact values for a single map, else where each map's scale ends.
    var kinds: [Bool] = []
    for heatmap in heatmaps where !kinds.contains(MapStyle.isSigned(heatmap)) { kinds.append(MapStyle.isSigned(heatmap)) }
    for signed in kinds {
        let members = heatmaps.filter { MapStyle.isSigned($0) == signed }
        figure.colorScales.append(members.count == 1 && heatmaps.count == 1
            ? PanelFigure.ColorScale(members[0])
            : PanelFigure.ColorScale(colormap: members[0].colormap, ticks: style.relativeTicks(signed: signed)))
    }
    return figure
}

/// How a figure's maps are coloured: each map by its own sign (viridis from its minimum, or the diverging map
/// symmetric about 0 for a signed one) unless one colormap is given, and scaled up to its `clip` percentile.
struct MapStyle {
    let colormap: Colormap?
    let clip: Float?

    init(colormap: Colormap?, clip: Float?) {
        self.colormap = colormap
        self.clip = clip.flatMap { $0 < 100 ? Swift.max(0, $0) : nil }
    }

    /// Signed when a map has values clearly below and above 0 (the smaller side at least 5 % of the larger, so
    /// rounding noise around 0 does not count).
    static func isSigned(_ values: [Float]) -> Bool {
        let finite = values.filter(\.isFinite)
        let low = finite.min() ?? 0, high = finite.max() ?? 0
        return low < 0 && high > 0 && Swift.min(-low, high) >= 0.05 * Swift.max(-low, high)
    }

    static func isSigned(_ heatmap: Heatmap) -> Bool { heatmap.normalization == .symmetric }

    /// Item `item` of `map` (N×C×h×w, first channel) as a heatmap in this style.
    func heatmap(_ map: Tensor, item: Int = 0, file: StaticString, line: UInt) -> Heatmap {
        guard let plane = MapPlane(map, item: item) else {
            fatalError("expected an N×1×h×w map with item \(item), got shape \(map.shape)", file: file, line: line)
        }
        if Self.isSigned(plane.values) {
            // ±(the clip percentile of |x|), so a few extreme pixels do not wash out the rest; 0 in the middle.
            let plain = Tensor(shape: [plane.height, plane.width], scalars: plane.values)
            let clipped = clip.map { symmetricClip(plain, percentile: $0) } ?? plain
            return Heatmap(width: plane.width, height: plane.height, values: clipped.scalars, normalization: .symmetric,
                           colormap: colormap ?? .coolwarm)
        }
        let minMax = Heatmap(width: plane.width, height: plane.height, values: plane.values, colormap: colormap ?? .viridis)
        guard let clip else { return minMax }
        let clipped = Heatmap(width: plane.width, height: plane.height, values: plane.values,
                              normalization: .percentile(0, clip), colormap: colormap ?? .viridis)
        // A sparse map whose percentile is still its minimum would show as one colour: fall back to min–max.
        return clipped.high > clipped.low ? clipped : minMax
    }

    /// How a panel's values were scaled, for captions.
    func scaling(signed: Bool) -> String {
        let top = clip.map { "\(Self.percent($0))th pct" }
        if signed { return top.map { "±\($0) of |x|" } ?? "±max|x|" }
        return top.map { "min to \($0)" } ?? "min-max scaled"
    }

    /// Colour-bar labels when every map has its own range: where each map's scale starts and ends.
    func relativeTicks(signed: Bool) -> [(position: Float, label: String)] {
        let top = clip.map { "\(Self.percent($0))th pct" }
        if signed {
            let end = top.map { $0 + " |x|" } ?? "max|x|"
            return [(0, "−" + end), (0.5, "0"), (1, "+" + end)]
        }
        return [(0, "min"), (1, top ?? "max")]
    }

    static func percent(_ p: Float) -> String { p == p.rounded() ? "\(Int(p))" : "\(p)" }

    /// "0.034", "1.2e-05", "-3": the panel notes' numbers.
    static func format(_ v: Float) -> String { v == 0 ? "0" : String(format: "%.2g", Double(v)) }
}

extension Heatmap {
    /// The map enlarged bilinearly to the photo's size and blended at half opacity over a greyed copy of it.
    func smoothOverlay(on image: Image) -> Image {
        blendedOverGrey(scaled, width: width, height: height, colormap: colormap, on: image)
    }
}

/// A `width × height` plane of values in 0…1, enlarged bilinearly to the photo's size, coloured through `colormap`
/// and blended at half opacity over a greyed copy of the photo.
func blendedOverGrey(_ scaled: [Float], width mapWidth: Int, height mapHeight: Int, colormap: Colormap, on image: Image) -> Image {
    let grey = image.gray()
    let (width, height) = (image.width, image.height)
    var pixels = [UInt8](repeating: 0, count: width * height * 3)
    for y in 0..<height {
        let (y0, y1, fy) = PanelLayout.sample(y, out: height, in: mapHeight)
        for x in 0..<width {
            let (x0, x1, fx) = PanelLayout.sample(x, out: width, in: mapWidth)
            let top = scaled[y0 * mapWidth + x0] * (1 - fx) + scaled[y0 * mapWidth + x1] * fx
            let bottom = scaled[y1 * mapWidth + x0] * (1 - fx) + scaled[y1 * mapWidth + x1] * fx
            let (r, g, b) = colormap.color(at: top * (1 - fy) + bottom * fy)
            let base = Float(grey.pixels[y * width + x])
            let o = (y * width + x) * 3
            pixels[o] = UInt8((0.5 * base + 0.5 * Float(r)).rounded())
            pixels[o + 1] = UInt8((0.5 * base + 0.5 * Float(g)).rounded())
            pixels[o + 2] = UInt8((0.5 * base + 0.5 * Float(b)).rounded())
        }
    }
    return Image(width: width, height: height, channels: 3, pixels: pixels)
}

/// A 3-channel tensor (item `item` of N×3×H×W, e.g. a raw input gradient) as an RGB picture: each channel scaled
/// symmetrically so 0 is mid-grey and the channel's largest |value| is black or full brightness.
///
/// ```swift
/// show(image: rgbPicture(of: inputGradient), title: "The raw gradient as an RGB picture")
/// ```
public func rgbPicture(of tensor: Tensor, item: Int = 0, file: StaticString = #file, line: UInt = #line) -> Image {
    let shape = tensor.shape
    guard shape.count == 4, shape[1] == 3, (0..<shape[0]).contains(item) else {
        fatalError("rgbPicture: expected N×3×H×W with item \(item), got \(shape)", file: file, line: line)
    }
    let (h, w) = (shape[2], shape[3])
    let plane = h * w
    let values = tensor.scalars
    var pixels = [UInt8](repeating: 0, count: plane * 3)
    for c in 0..<3 {
        let base = (item * 3 + c) * plane
        var largest: Float = 0
        for i in 0..<plane { largest = max(largest, abs(values[base + i])) }
        let scale: Float = largest > 0 ? 127.5 / largest : 0
        for i in 0..<plane {
            let v = 127.5 + values[base + i] * scale
            pixels[i * 3 + c] = UInt8(max(0, min(255, v.rounded())))
        }
    }
    return Image(width: w, height: h, channels: 3, pixels: pixels)
}

/// Item `item` of an N×1×h×w map (or any N×C×h×w, first channel) scaled from its minimum to its `clip` percentile
/// (nil: its maximum), coloured through `colormap` and enlarged to `width × height` by nearest-neighbour sampling.
public func heatmapImage(
    _ map: Tensor, item: Int = 0, width: Int, height: Int, colormap: Colormap = .viridis, clip: Float? = nil,
    file: StaticString = #file, line: UInt = #line
) -> Image {
    guard let plane = MapPlane(map, item: item) else {
        fatalError("heatmapImage: expected an N×1×h×w map with item \(item), got \(map.shape)", file: file, line: line)
    }
    let scaled = plane.scaled(clip: clip)
    var pixels = [UInt8](repeating: 0, count: width * height * 3)
    for y in 0..<height {
        let sy = min(plane.height - 1, y * plane.height / height)
        for x in 0..<width {
            let sx = min(plane.width - 1, x * plane.width / width)
            let (r, g, b) = colormap.color(at: scaled[sy * plane.width + sx])
            let o = (y * width + x) * 3
            pixels[o] = r
            pixels[o + 1] = g
            pixels[o + 2] = b
        }
    }
    return Image(width: width, height: height, channels: 3, pixels: pixels)
}

/// Item `item` of an N×1×h×w map, min–max scaled, enlarged bilinearly to the photo's size and blended at half
/// opacity over a greyed copy of the photo.
public func overlayImage(
    _ map: Tensor, on image: Image, item: Int = 0, colormap: Colormap = .viridis, clip: Float? = nil,
    file: StaticString = #file, line: UInt = #line
) -> Image {
    guard let plane = MapPlane(map, item: item) else {
        fatalError("overlayImage: expected an N×1×h×w map with item \(item), got \(map.shape)", file: file, line: line)
    }
    return blendedOverGrey(plane.scaled(clip: clip), width: plane.width, height: plane.height, colormap: colormap, on: image)
}

/// One h×w plane of a map tensor, read out once.
struct MapPlane {
    let width: Int
    let height: Int
    let values: [Float]

    init?(_ map: Tensor, item: Int) {
        let shape = map.shape
        guard shape.count == 4, shape[1] >= 1, (0..<shape[0]).contains(item), shape[2] > 0, shape[3] > 0 else {
            return nil
        }
        height = shape[2]
        width = shape[3]
        let start = item * shape[1] * height * width
        values = Array(map.scalars[start..<(start + height * width)])
    }

    /// Values mapped to [0, 1]: the minimum to 0 and the `clip` percentile (nil: the maximum) to 1, clamped
    /// (all zeros for a constant map; NaN stays NaN, which the colormap shows as its first colour).
    func scaled(clip: Float?) -> [Float] {
        let finite = values.filter(\.isFinite).sorted()
        guard let low = finite.first, var high = finite.last else { return [Float](repeating: 0, count: values.count) }
        if let clip, clip < 100 {
            // Linear interpolation between order statistics, as numpy's default percentile.
            let rank = Float(finite.count - 1) * max(0, clip) / 100
            let below = Int(rank.rounded(.down))
            let above = min(finite.count - 1, below + 1)
            let clipped = finite[below] + (finite[above] - finite[below]) * (rank - Float(below))
            if clipped > low { high = clipped }
        }
        guard high > low else { return [Float](repeating: 0, count: values.count) }
        return values.map { min(1, max(0, ($0 - low) / (high - low))) }
    }
}

/// Bilinear sampling for the overlays.
enum PanelLayout {
    /// Bilinear source indices and weight for output index `i` (align_corners = false, as PyTorch).
    static func sample(_ i: Int, out: Int, in size: Int) -> (Int, Int, Float) {
        let source = max(0, (Float(i) + 0.5) * Float(size) / Float(out) - 0.5)
        let i0 = min(size - 1, Int(source))
        let i1 = min(size - 1, i0 + 1)
        return (i0, i1, source - Float(i0))
    }
}
