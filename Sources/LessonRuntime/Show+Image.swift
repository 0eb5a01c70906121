import Foundation

/// Shows an image under the current step; `alt` describes it for screen readers (defaults to the title).
///
/// ```swift
/// show(image: example.image, title: "The photo as the model sees it")
/// ```
public func show(image: Image, title: String? = nil, alt: String? = nil) {
    recordImage({ try image.writePNG(to: $0, fast: fastStepImages) }, role: "image", title: title, alt: alt)
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
    let described = heading.isEmpty ? "figure" : heading.joined(separator: ": ")
    var extra: [String: Any] = [:]
    if let title, !title.isEmpty { extra["figureTitle"] = title }
    if let subtitle = figure.title, !subtitle.isEmpty { extra["figureSubtitle"] = subtitle }
    if figure.columns > 0 { extra["columns"] = figure.columns }
    for (index, panel) in figure.panels.enumerated() {
        var fields = extra
        if let w = panel.displayWidth, let h = panel.displayHeight { fields["display"] = [w, h] }
        let caption = panel.caption.isEmpty ? nil : panel.caption
        let which = "panel \(index + 1) of \(figure.panels.count): \(caption ?? panel.role.rawValue)"
        fields["altSuffix"] = which
        fields["altDefault"] = "\(described) — \(which)"
        recordImage({ try panel.image.writePNG(to: $0, fast: fastStepImages) }, role: panel.role.rawValue, title: caption,
                    alt: alt.map { "\($0) — \(which)" }, group: group, note: panel.note, extra: fields)
    }
    for scale in figure.colorScales {
        recordImage({ try ColorbarFigure(scale).json().write(to: $0) }, role: "colorbar", title: nil,
                    alt: "colour bar for \(alt ?? described): \(scale.colormap.name), " + scale.ticks.map(\.label).joined(separator: " to "),
                    group: group, fileExtension: "json", extra: extra)
    }
}

/// Shows a `valueTable` as a table: its numbers as text, each cell filled with its colour.
///
/// ```swift
/// show(image: valueTable(rows: [("x", [-2, 0, 3])], title: "Three numbers"), title: "Signs")
/// ```
public func show(image table: ValueTable, title: String? = nil, alt: String? = nil) {
    let columns = table.columnCount
    let rows: [[String: Any]] = table.rows.enumerated().map { r, row in
        let cells: [[String: Any]] = (0..<row.values.count).map { c in
            let rgb = table.color(row: r, column: c)
            return ["text": table.text(row: r, column: c), "fill": String(format: "#%02x%02x%02x", rgb[0], rgb[1], rgb[2])]
        }
        return ["label": row.label, "cells": cells]
    }
    var description: [String: Any] = ["figure": "table", "columnLabels": Array(table.columnLabels.prefix(columns)), "rows": rows]
    if let caption = table.title { description["title"] = caption }
    recordImage({ try JSONSerialization.data(withJSONObject: description, options: [.sortedKeys]).write(to: $0) },
                role: "table", title: title, alt: alt, fileExtension: "json",
                extra: ["altDefault": "table" + (table.title.map { " “\($0)”" } ?? "") + " of \(table.rows.count) rows"])
}
