import Foundation

/// Where a page's images end up: embedded as `data:` URIs (the one-file `tutor run` report) or copied as files
/// beside the page (the site, so pages load fast).
enum ImagePlacement {
    case embedded
    /// Copy into `directory`; pages refer to them as `href` + file name.
    case files(directory: URL, href: String)
}

/// Renders a step's output — text, images, heatmap groups, charts, colour bars — as HTML.
struct FigureRenderer {
    /// The run's image folder.
    var assetsDirectory: String
    var placement: ImagePlacement

    /// The output block of a step (empty when it printed and showed nothing).
    func output(_ items: [OutputItem], stepCaption: String?) -> String {
        guard !items.isEmpty else { return "" }
        var html = "<div class=\"output\">"
        var index = 0
        while index < items.count {
            switch items[index] {
            case .text(let text):
                html += "<pre>\(escape(text))</pre>"
                index += 1
            case .image(let image):
                guard let group = image.group else {
                    html += figure(image, stepCaption: stepCaption, displaySize: nil)
                    index += 1
                    continue
                }
                var members: [ImageOutput] = []
                while index < items.count, case .image(let next) = items[index], next.group == group {
                    members.append(next)
                    index += 1
                }
                html += figureGroup(members, stepCaption: stepCaption)
            }
        }
        return html + "</div>"
    }

    /// One `show(heatmap:)` or `show(image: PanelFigure)` call: its panels and colour bar side by side (in rows of
    /// the figure's `columns`), small maps scaled with crisp pixels to the figure's display size (the overlay's or
    /// photo's, or at least 224 px), the figure's titles as a caption above.
    private func figureGroup(_ members: [ImageOutput], stepCaption: String?) -> String {
        let layout = members.lazy.compactMap(\.figure).first
        let reference = members.first { $0.role == "overlay" }.flatMap { pngSize(of: $0) }
            ?? (layout == nil ? nil : members.first { $0.role == "image" }.flatMap { pngSize(of: $0) })
        var panels = ""
        var colorbars = ""
        for image in members {
            var display: (Int, Int)?
            if image.role == "heatmap" || image.role == "grayscale", let size = pngSize(of: image) {
                if let w = image.figure?.displayWidth, let h = image.figure?.displayHeight {
                    display = (w, h)
                } else {
                    display = reference ?? Self.upscaled(size)
                }
            }
            let caption = image.role == "heatmap" && layout == nil ? stepCaption : nil
            let html = figure(image, stepCaption: caption, displaySize: display)
            if layout != nil && image.role == "colorbar" { colorbars += html } else { panels += html }
        }
        guard let layout else { return "<div class=\"figure-group\">\(panels)</div>" }
        // A figure's columns become a CSS grid; one row otherwise (wrapping on narrow screens).
        let columns = layout.columns.map { " columns columns-\(min($0, 12))" } ?? ""
        var heading: [String] = []
        if let title = layout.title { heading.append("<strong>\(escape(title))</strong>") }
        if let subtitle = layout.subtitle, subtitle != layout.title { heading.append(escape(subtitle)) }
        if let stepCaption { heading.append(escape(stepCaption)) }
        let caption = heading.isEmpty ? "" : "<figcaption>\(heading.joined(separator: "<br>"))</figcaption>"
        return "<figure class=\"panels\">\(caption)<div class=\"panel-row\(layout.columns == nil ? "" : " wide")\">"
            + "<div class=\"figure-group\(columns)\">\(panels)</div>"
            + "\(colorbars)</div></figure>"
    }

    /// Styles of `PanelFigure` groups, shared by the report and the site: `columns-N` as a grid of N equal columns
    /// whose pictures shrink to fit, maps keeping their crisp pixels.
    static let panelCSS: String = {
        var css = """
        figure.panels { margin: .8em 0 1.2em; }
        figure.panels > figcaption { max-width: 48em; margin: 0 0 .5em; color: var(--fg); font-size: .92em; }
        .panel-row { display: flex; align-items: flex-end; gap: .8em; }
        .panel-row > .figure-group { flex: 0 1 auto; min-width: 0; }
        .figure-group.columns { display: grid; align-items: start; gap: .6em; }
        .panel-row.wide > .figure-group { flex: 1 1 auto; }
        .panel-row.wide .role-colorbar svg { height: 9em; }
        .figure-group.columns figcaption { font-size: .78em; overflow-wrap: anywhere; hyphens: auto; }
        .figure-group.columns figure { max-width: none; margin: 0; width: 100%; }
        .figure-group.columns figure img { width: 100%; min-width: 0; }
        .figure-group.columns figcaption { max-width: none; }
        figure.panels .role-colorbar svg { height: 14em; }
        figure.panels .figure-group:not(.columns) figure:not(.role-colorbar) img { width: 14em; }
        table.value-table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: .9em; }
        table.value-table caption { font-weight: 600; text-align: left; padding-bottom: .3em; }
        table.value-table td { min-width: 3.2em; padding: .3em .5em; text-align: center; border: 1px solid #c8c8c8; }
        table.value-table th { padding: .3em .6em; text-align: left; font-weight: 500; }
        table.value-table thead th { text-align: center; color: var(--muted); }

        """
        for n in 1...12 { css += ".figure-group.columns-\(n) { grid-template-columns: repeat(\(n), minmax(0, 14em)); }\n" }
        return css
    }()

    /// A small map's display size: an integer multiple of its size, at least 224 px on its shorter side.
    static func upscaled(_ size: (Int, Int)) -> (Int, Int) {
        let shorter = max(1, min(size.0, size.1))
        guard shorter < 224 else { return size }
        let scale = (224 + shorter - 1) / shorter
        return (size.0 * scale, size.1 * scale)
    }

    /// One figure: an image, a chart or a colour bar, with its caption as text.
    func figure(_ image: ImageOutput, stepCaption: String?, displaySize: (Int, Int)?) -> String {
        guard let url = assetURL(image.file) else {
            return "<p class=\"message\">image \(escape(image.file)) is missing</p>"
        }
        var html = "<figure class=\"role-\(escape(Self.safeName(image.role)))\">"
        if url.pathExtension == "json" {
            do {
                let id = "fig-" + Self.safeName(url.deletingPathExtension().lastPathComponent)
                switch try FigureSpec.load(url) {
                case .chart(let chart): html += FigureSVG.chart(chart, id: id, alt: chart.alt ?? image.alt)
                case .colorbar(let bar): html += FigureSVG.colorbar(bar, id: id, alt: image.alt)
                case .table(let table): html += FigureSVG.table(table)
                }
            } catch {
                return "<p class=\"message\">figure \(escape(image.file)) cannot be drawn: \(escape("\(error)"))</p>"
            }
        } else {
            guard let src = source(url) else { return "<p class=\"message\">image \(escape(image.file)) is not a PNG file</p>" }
            var attributes = "src=\"\(escape(src))\" alt=\"\(escape(image.alt))\""
            if let (w, h) = displaySize ?? pngSize(url) { attributes += " width=\"\(w)\" height=\"\(h)\"" }
            if image.role == "heatmap" || image.role == "grayscale" { attributes += " class=\"map\"" }
            html += "<img \(attributes)>"
        }
        var caption = image.title.map { escape($0) } ?? ""
        if let note = image.note { caption += (caption.isEmpty ? "" : "<br>") + "<span class=\"note\">\(escape(note))</span>" }
        if let stepCaption { caption += (caption.isEmpty ? "" : "<br>") + escape(stepCaption) }
        if !caption.isEmpty { html += "<figcaption>\(caption)</figcaption>" }
        return html + "</figure>"
    }

    /// The asset's URL when its name is one the runner gives copied assets (a plain name inside the run's folder,
    /// never a path that leaves it) and it is a regular file there, reached without following a link.
    private func assetURL(_ file: String) -> URL? {
        guard SafeFiles.isCopiedImageName(file), bytes(of: file) != nil else { return nil }
        return URL(fileURLWithPath: assetsDirectory).appendingPathComponent(file)
    }

    /// The bytes of a copied asset, read as a regular file without following links.
    private func bytes(of file: String) -> Data? {
        SafeFiles.readRegularFile(in: URL(fileURLWithPath: assetsDirectory), name: file)
    }

    /// The `src` of a PNG: a data URI, or the copied file's relative address. Nil when the file is not a PNG.
    private func source(_ url: URL) -> String? {
        guard let data = bytes(of: url.lastPathComponent), data.starts(with: Self.pngMagic) else { return nil }
        switch placement {
        case .embedded:
            return "data:image/png;base64,\(data.base64EncodedString())"
        case .files(let directory, let href):
            // Named by content: the photo that a lesson shows beside a dozen maps is stored once.
            let name = "img-" + SHA256.hex([UInt8](data)).prefix(20) + ".png"
            let target = directory.appendingPathComponent(name)
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: target.path) {
                guard (try? data.write(to: target)) != nil else { return nil }
            }
            return href + name
        }
    }

    static let pngMagic: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    private func pngSize(of image: ImageOutput) -> (Int, Int)? { assetURL(image.file).flatMap(pngSize) }

    /// Width and height from a PNG's IHDR chunk.
    private func pngSize(_ url: URL) -> (Int, Int)? {
        guard url.pathExtension == "png", let data = bytes(of: url.lastPathComponent) else { return nil }
        let bytes = [UInt8](data.prefix(24))
        guard bytes.count == 24, bytes.starts(with: Self.pngMagic) else { return nil }
        func be32(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        let (w, h) = (be32(16), be32(20))
        return w > 0 && h > 0 && w < 1 << 16 && h < 1 << 16 ? (w, h) : nil
    }

    /// Keeps letters, digits, '-', '_' and '.': safe in a file name, an id or a class.
    static func safeName(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) }.map(Character.init))
    }
}
