import Foundation

/// Shows a saliency map as a heatmap, an overlay on `image` (when given), a TorchRay-style grayscale map and a
/// colorbar, with the normalisation stated under them. `map` is [H, W], [1, H, W] or [N, 1, H, W].
public func show(
    heatmap map: Tensor, over image: Image? = nil, title: String? = nil, alt: String? = nil,
    normalization: HeatmapNormalization = .minMax, colormap: Colormap? = nil,
    file: StaticString = #file, line: UInt = #line
) {
    let heatmap = Heatmap(map: map, normalization: normalization, colormap: colormap, file: file, line: line)
    show(heatmap: heatmap, over: image, title: title, alt: alt, file: file, line: line)
}

/// Shows a prepared `Heatmap` (see `show(heatmap:over:title:alt:normalization:colormap:)`).
public func show(
    heatmap: Heatmap, over image: Image? = nil, title: String? = nil, alt: String? = nil,
    file: StaticString = #file, line: UInt = #line
) {
    let group = LessonEventLog.shared.nextGroup()
    let name = title ?? "saliency map"
    let described = alt ?? name
    // Small maps (7×7 Grad-CAM) are scaled up for display; with an image, to the image's size.
    let (width, height) = displaySize(heatmap: heatmap, image: image)
    let note = heatmap.description
    recordImage({ try heatmap.render(width: width, height: height, file: file, line: line).writePNG(to: $0) },
                role: "heatmap", title: title.map { "\($0) — heatmap (\(heatmap.colormap.name))" } ?? "heatmap (\(heatmap.colormap.name))",
                alt: "\(described): heatmap, \(heatmap.colormap.name) colormap, \(note)", group: group)
    if let image {
        recordImage({ try heatmap.overlay(on: image, file: file, line: line).writePNG(to: $0) },
                    role: "overlay", title: "overlay on the image",
                    alt: "\(described): heatmap blended over the input image", group: group)
    }
    recordImage({ try heatmap.grayscale(width: width, height: height, file: file, line: line).writePNG(to: $0) },
                role: "grayscale", title: "grayscale (TorchRay style)",
                alt: "\(described): grayscale map, white is most salient", group: group)
    recordImage({ try heatmap.colorbar(height: min(max(height, 64), 512), file: file, line: line).writePNG(to: $0) },
                role: "colorbar", title: nil,
                alt: "colorbar for \(described): \(note)", group: group, note: note)
}

private func displaySize(heatmap: Heatmap, image: Image?) -> (Int, Int) {
    if let image { return (image.width, image.height) }
    let shorter = min(heatmap.width, heatmap.height)
    guard shorter < 224 else { return (heatmap.width, heatmap.height) }
    let scale = (224 + shorter - 1) / shorter
    return (heatmap.width * scale, heatmap.height * scale)
}
