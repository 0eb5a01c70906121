// The course's plotting helpers (the counterpart of TorchRay's plot_example): photo and maps side by side, titled.
import Engine
import Imaging
import Models

/// The photo beside one saliency map, titled "<method> — <class name> (<id>)" (TorchRay's `plot_example`).
///
/// The map (item `item` of an N×1×h×w tensor) is scaled from its minimum to its `clip` percentile (99.5 by default,
/// so a handful of extreme pixels do not leave the rest dark; nil gives TorchRay's plain min–max) and enlarged to
/// the photo's size without smoothing, so each of its cells stays visible as in TorchRay's plots.
public func plotExample(
    image: Image, saliency: Tensor, method: String, classID: Int, item: Int = 0, colormap: Colormap = .viridis,
    clip: Float? = 99.5
) -> Image {
    let title = "\(method) — \(ImageNetLabels.name(classID)) (\(classID))"
    let map = heatmapImage(saliency, item: item, width: image.width, height: image.height, colormap: colormap, clip: clip)
    return PanelLayout.compose(
        title: title, panels: [(image.rgb(), "input image"), (map, "\(method), \(PanelLayout.scaling(clip))")])
}

/// Several maps side by side (after the photo when one is given), each with its own caption, `columns` panels per
/// row (all in one row by default); `overlay` blends each map, smoothly enlarged, over a greyed copy of the photo.
public func plotMaps(
    _ maps: [Tensor], titles: [String], image: Image? = nil, overlay: Bool = false, colormap: Colormap = .viridis,
    columns: Int? = nil, title: String? = nil, clip: Float? = 99.5
) -> Image {
    let width = image?.width ?? 224
    let height = image?.height ?? 224
    var panels: [(Image, String)] = []
    if let image { panels.append((image.rgb(), "input image")) }
    for (index, map) in maps.enumerated() {
        let caption = index < titles.count ? titles[index] : "map \(index + 1)"
        if overlay, let image {
            panels.append((overlayImage(map, on: image, colormap: colormap, clip: clip), caption))
        } else {
            panels.append((heatmapImage(map, width: width, height: height, colormap: colormap, clip: clip), caption))
        }
    }
    return PanelLayout.compose(title: title, panels: panels, columns: columns)
}

/// A 3-channel tensor (item `item` of N×3×H×W, e.g. a raw input gradient) as an RGB picture: each channel scaled
/// symmetrically so 0 is mid-grey and the channel's largest |value| is black or full brightness.
public func rgbPicture(of tensor: Tensor, item: Int = 0) -> Image {
    let shape = tensor.shape
    guard shape.count == 4, shape[1] == 3, (0..<shape[0]).contains(item) else {
        return BitmapFont.render("rgbPicture: expected N×3×H×W, got \(shape)")
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
    _ map: Tensor, item: Int = 0, width: Int, height: Int, colormap: Colormap = .viridis, clip: Float? = nil
) -> Image {
    guard let plane = MapPlane(map, item: item) else {
        return BitmapFont.render("expected an N×1×h×w map, got \(map.shape)")
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
    _ map: Tensor, on image: Image, item: Int = 0, colormap: Colormap = .viridis, clip: Float? = nil
) -> Image {
    guard let plane = MapPlane(map, item: item) else {
        return BitmapFont.render("expected an N×1×h×w map, got \(map.shape)")
    }
    let scaled = plane.scaled(clip: clip)
    let grey = image.gray()
    let (width, height) = (image.width, image.height)
    var pixels = [UInt8](repeating: 0, count: width * height * 3)
    for y in 0..<height {
        let (y0, y1, fy) = PanelLayout.sample(y, out: height, in: plane.height)
        for x in 0..<width {
            let (x0, x1, fx) = PanelLayout.sample(x, out: width, in: plane.width)
            let top = scaled[y0 * plane.width + x0] * (1 - fx) + scaled[y0 * plane.width + x1] * fx
            let bottom = scaled[y1 * plane.width + x0] * (1 - fx) + scaled[y1 * plane.width + x1] * fx
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

/// Arranges titled panels in one row on a white board.
enum PanelLayout {
    static let gap = 8
    static let margin = 6

    /// How a panel's values were scaled, for its caption.
    static func scaling(_ clip: Float?) -> String {
        guard let clip, clip < 100 else { return "min-max scaled" }
        let text = clip == clip.rounded() ? "\(Int(clip))" : "\(clip)"
        return "min to \(text)th pct"
    }

    static func compose(title: String?, panels: [(Image, String)], columns: Int? = nil) -> Image {
        guard !panels.isEmpty else { return BitmapFont.render(title ?? "(nothing to show)") }
        let perRow = max(1, min(columns ?? panels.count, panels.count))
        let rows = stride(from: 0, to: panels.count, by: perRow).map { Array(panels[$0..<min($0 + perRow, panels.count)]) }
        let cellWidth = panels.map { $0.0.width }.max()!
        let panelHeight = panels.map { $0.0.height }.max()!
        let rowWidth = perRow == panels.count
            ? panels.reduce(0) { $0 + $1.0.width } + gap * (panels.count - 1)
            : cellWidth * perRow + gap * (perRow - 1)
        let captions = panels.map { BitmapFont.wrap($0.1, maxWidth: max($0.0.width, 60)) }
        let captionLines = captions.map(\.count).max() ?? 0
        let captionHeight = captionLines * BitmapFont.lineHeight + 4
        let titleLines = title.map { BitmapFont.wrap($0, maxWidth: max(rowWidth, 300), scale: 2) } ?? []
        let titleHeight = titleLines.isEmpty ? 0 : titleLines.count * BitmapFont.lineHeight * 2 + 6
        let titleWidth = titleLines.map { BitmapFont.size(of: $0, scale: 2).width }.max() ?? 0
        let boardWidth = max(rowWidth, titleWidth) + 2 * margin
        let rowHeight = panelHeight + captionHeight + gap
        let boardHeight = margin + titleHeight + rows.count * rowHeight - gap + margin
        var board = Image(width: boardWidth, height: boardHeight, channels: 3, fill: [255])
        var y = margin
        for line in titleLines {
            let (w, _) = BitmapFont.size(of: line, scale: 2)
            BitmapFont.draw(line, into: &board, x: max(margin, (boardWidth - w) / 2), y: y, color: [0, 0, 0], scale: 2)
            y += BitmapFont.lineHeight * 2
        }
        if !titleLines.isEmpty { y += 6 }
        var index = 0
        for row in rows {
            var x = margin
            for (panel, _) in row {
                paste(panel.rgb(), into: &board, x: x, y: y)
                var captionY = y + panelHeight + 3
                for line in captions[index] {
                    let (w, _) = BitmapFont.size(of: line)
                    BitmapFont.draw(line, into: &board, x: x + (panel.width - w) / 2, y: captionY, color: [40, 40, 40])
                    captionY += BitmapFont.lineHeight
                }
                x += (perRow == panels.count ? panel.width : cellWidth) + gap
                index += 1
            }
            y += rowHeight
        }
        return board
    }

    static func paste(_ panel: Image, into board: inout Image, x: Int, y: Int) {
        for row in 0..<panel.height {
            let source = row * panel.width * 3
            let target = ((y + row) * board.width + x) * 3
            for i in 0..<(panel.width * 3) { board.pixels[target + i] = panel.pixels[source + i] }
        }
    }

    /// Bilinear source indices and weight for output index `i` (align_corners = false, as PyTorch).
    static func sample(_ i: Int, out: Int, in size: Int) -> (Int, Int, Float) {
        let source = max(0, (Float(i) + 0.5) * Float(size) / Float(out) - 0.5)
        let i0 = min(size - 1, Int(source))
        let i1 = min(size - 1, i0 + 1)
        return (i0, i1, source - Float(i0))
    }
}
