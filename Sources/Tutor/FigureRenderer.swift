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

    /// One `show(heatmap:)` call: heatmap, overlay, grayscale and colour bar side by side, the maps scaled to a common
    /// size (the overlay's, or at least 224 px) with crisp pixels.
    private func figureGroup(_ members: [ImageOutput], stepCaption: String?) -> String {
        let overlay = members.first { $0.role == "overlay" }.flatMap { pngSize(of: $0) }
        var html = "<div class=\"figure-group\">"
        for image in members {
            var display: (Int, Int)?
            if image.role == "heatmap" || image.role == "grayscale", let size = pngSize(of: image) {
                display = overlay ?? Self.upscaled(size)
            }
            html += figure(image, stepCaption: image.role == "heatmap" ? stepCaption : nil, displaySize: display)
        }
        return html + "</div>"
    }

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

    /// The asset's URL when its name is a plain file name inside the run's folder (never a path that leaves it).
    private func assetURL(_ file: String) -> URL? {
        guard !file.isEmpty, file == Self.safeName(file), !file.hasPrefix("."),
              ["png", "json"].contains(URL(fileURLWithPath: file).pathExtension) else { return nil }
        let url = URL(fileURLWithPath: assetsDirectory).appendingPathComponent(file)
        let type = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.type] as? FileAttributeType
        return type == .typeRegular ? url : nil
    }

    /// The `src` of a PNG: a data URI, or the copied file's relative address. Nil when the file is not a PNG.
    private func source(_ url: URL) -> String? {
        guard let data = FileManager.default.contents(atPath: url.path), data.starts(with: Self.pngMagic) else { return nil }
        switch placement {
        case .embedded:
            return "data:image/png;base64,\(data.base64EncodedString())"
        case .files(let directory, let href):
            let target = directory.appendingPathComponent(url.lastPathComponent)
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: target.path) {
                guard (try? data.write(to: target)) != nil else { return nil }
            }
            return href + url.lastPathComponent
        }
    }

    static let pngMagic: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    private func pngSize(of image: ImageOutput) -> (Int, Int)? { assetURL(image.file).flatMap(pngSize) }

    /// Width and height from a PNG's IHDR chunk.
    private func pngSize(_ url: URL) -> (Int, Int)? {
        guard url.pathExtension == "png", let handle = FileHandle(forReadingAtPath: url.path) else { return nil }
        defer { try? handle.close() }
        guard let header = try? handle.read(upToCount: 24), header.count == 24, header.starts(with: Self.pngMagic) else { return nil }
        let bytes = [UInt8](header)
        func be32(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        let (w, h) = (be32(16), be32(20))
        return w > 0 && h > 0 && w < 1 << 16 && h < 1 << 16 ? (w, h) : nil
    }

    /// Keeps letters, digits, '-', '_' and '.': safe in a file name, an id or a class.
    static func safeName(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) }.map(Character.init))
    }
}
