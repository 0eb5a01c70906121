import Foundation

/// Shows an image under the current step; `alt` describes it for screen readers (defaults to the title).
///
/// ```swift
/// show(image: example.image, title: "The photo as the model sees it")
/// ```
public func show(image: Image, title: String? = nil, alt: String? = nil) {
    recordImage({ try image.writePNG(to: $0) }, role: "image", title: title, alt: alt)
}

/// Shows a figure of panels (`plotExample`, `plotMaps`, `Grid.render()`): the report sets its title and captions as
/// text, shows maps at their own resolution enlarged with crisp pixels, and draws its colour bar as SVG.
///
/// ```swift
/// show(image: plotMaps([dogMap, catMap], titles: ["dog", "cat"], image: example.image), title: "Two classes")
/// ```
public func show(image figure: PanelFigure, title: String? = nil, alt: String? = nil) {
    let group = LessonEventLog.shared.nextGroup()
    let heading = [title, figure.title].compactMap { $0 }.filter { !$0.isEmpty }
    let described = alt ?? (heading.isEmpty ? "figure" : heading.joined(separator: ": "))
    var extra: [String: Any] = [:]
    if let title, !title.isEmpty { extra["figureTitle"] = title }
    if let subtitle = figure.title, !subtitle.isEmpty { extra["figureSubtitle"] = subtitle }
    if figure.columns > 0 { extra["columns"] = figure.columns }
    for (index, panel) in figure.panels.enumerated() {
        var fields = extra
        if let w = panel.displayWidth, let h = panel.displayHeight { fields["display"] = [w, h] }
        let caption = panel.caption.isEmpty ? nil : panel.caption
        recordImage({ try panel.image.writePNG(to: $0) }, role: panel.role.rawValue, title: caption,
                    alt: "\(described), panel \(index + 1): \(caption ?? panel.role.rawValue)", group: group,
                    note: panel.note, extra: fields)
    }
    if let scale = figure.colorScale {
        recordImage({ try ColorbarFigure(scale).json().write(to: $0) }, role: "colorbar", title: nil,
                    alt: "colour bar for \(described): \(scale.colormap.name), " + scale.ticks.map(\.label).joined(separator: " to "),
                    group: group, fileExtension: "json", extra: extra)
    }
}
