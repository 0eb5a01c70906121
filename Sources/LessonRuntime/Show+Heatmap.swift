import Foundation

/// Shows a saliency map as a heatmap, an overlay on `image` (when given), a TorchRay-style grayscale map and a
/// colorbar, with the normalisation stated under them. `map` is [H, W], [1, H, W] or [N, 1, H, W].
///
/// ```swift
/// show(heatmap: map, over: example.image, title: "Gradient, dog")
/// show(heatmap: signedMap, normalization: .symmetric)   // diverging colormap, 0 in the middle
/// ```
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
    let note = heatmap.description
    // Maps are written at their own resolution; the report scales them up crisply (image-rendering: pixelated).
    recordImage({ try heatmap.render().writePNG(to: $0, fast: fastStepImages) },
                role: "heatmap", title: title.map { "\($0) — heatmap (\(heatmap.colormap.name))" } ?? "heatmap (\(heatmap.colormap.name))",
                alt: "\(described): heatmap, \(heatmap.colormap.name) colormap, \(note)", group: group)
    if let image {
        recordImage({ try heatmap.overlay(on: image, file: file, line: line).writePNG(to: $0, fast: fastStepImages) },
                    role: "overlay", title: "overlay on the image",
                    alt: "\(described): heatmap blended over the input image", group: group)
    }
    recordImage({ try heatmap.grayscale().writePNG(to: $0, fast: fastStepImages) },
                role: "grayscale", title: "grayscale (TorchRay style)",
                alt: "\(described): grayscale map, white is most salient", group: group)
    // The colour bar is described, not drawn: the report draws it as SVG with its labels as real text.
    recordImage({ try ColorbarFigure(heatmap).json().write(to: $0) },
                role: "colorbar", title: nil,
                alt: "colour bar for \(described): \(note)", group: group, note: note, fileExtension: "json")
}

/// What the report needs to draw a heatmap's colour bar: colour stops from 0 to 1 and labelled ticks.
struct ColorbarFigure: Codable {
    struct Tick: Codable {
        /// Position on the bar, 0 (bottom) … 1 (top).
        var at: Double
        var label: String
    }

    var figure = "colorbar"
    var colormap: String
    /// "#rrggbb" colours at evenly spaced positions from 0 to 1.
    var stops: [String]
    var ticks: [Tick]

    init(_ heatmap: Heatmap, stopCount: Int = 17) {
        var ticks = [Tick(at: 0, label: shortNumber(heatmap.low)), Tick(at: 1, label: shortNumber(heatmap.high))]
        if heatmap.normalization == .symmetric { ticks.insert(Tick(at: 0.5, label: "0"), at: 1) }
        self.init(colormap: heatmap.colormap, ticks: ticks, stopCount: stopCount)
    }

    /// A figure's colour scale (labels as the figure gives them).
    init(_ scale: PanelFigure.ColorScale, stopCount: Int = 17) {
        self.init(colormap: scale.colormap, ticks: scale.ticks.map { Tick(at: Double($0.position), label: $0.label) },
                  stopCount: stopCount)
    }

    init(colormap: Colormap, ticks: [Tick], stopCount: Int) {
        self.colormap = colormap.name
        stops = (0..<stopCount).map { i in
            let c = colormap.color(at: Float(i) / Float(stopCount - 1))
            return String(format: "#%02x%02x%02x", c.r, c.g, c.b)
        }
        self.ticks = ticks
    }

    func json() throws -> Data { try JSONEncoder().encode(self) }
}

/// A short number for colour-bar labels, e.g. "1.2e-05", "0.034", "-3".
private func shortNumber(_ v: Float) -> String {
    guard v.isFinite else { return "\(v)" }
    return v == 0 ? "0" : String(format: "%.2g", Double(v))
}
