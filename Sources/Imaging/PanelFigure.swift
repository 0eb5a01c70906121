/// Pictures side by side with their captions, a title and a colour scale, kept apart rather than drawn into one
/// bitmap: the lesson report and the course site set the text as real text and show maps at their own resolution,
/// scaled up with crisp pixels. `show(image:)` accepts one; `bitmap()` flattens it for a PNG file.
///
/// ```swift
/// var figure = PanelFigure(title: "Gradient — malamute (249)")
/// figure.append(example.image, caption: "input image")
/// figure.append(Heatmap(map: saliency).render(), caption: "gradient", role: .heatmap, displayWidth: 224, displayHeight: 224)
/// show(image: figure)
/// ```
public struct PanelFigure: Sendable {
    /// What a panel holds, which decides how it is displayed.
    public enum Role: String, Sendable {
        /// A photo or any picture, shown at its size.
        case image
        /// A map at its own resolution, enlarged to its display size without smoothing.
        case heatmap
        /// A map already blended over a photo.
        case overlay
    }

    /// One picture and its caption.
    public struct Panel: Sendable {
        /// The pixels (for a heatmap, one pixel per map cell).
        public var image: Image
        /// Text under the picture.
        public var caption: String
        /// How the picture is displayed.
        public var role: Role
        /// Size to display it at (nil: the image's own size).
        public var displayWidth: Int?
        public var displayHeight: Int?
        /// A second line under the caption, e.g. the value range a map was scaled from.
        public var note: String?

        /// A panel; `displayWidth`/`displayHeight` enlarge a small map to the photo's size.
        public init(image: Image, caption: String = "", role: Role = .image, displayWidth: Int? = nil,
                    displayHeight: Int? = nil, note: String? = nil) {
            self.image = image
            self.caption = caption
            self.role = role
            self.displayWidth = displayWidth
            self.displayHeight = displayHeight
            self.note = note
        }
    }

    /// The colour scale of the figure's maps: a colormap with labelled positions from 0 (bottom) to 1 (top).
    public struct ColorScale: Sendable {
        /// The colormap the maps were drawn with.
        public var colormap: Colormap
        /// Labelled positions on the bar, 0 … 1, e.g. `[(0, "min"), (1, "99.5th pct")]`.
        public var ticks: [(position: Float, label: String)]

        /// A colour scale with its tick labels.
        public init(colormap: Colormap, ticks: [(position: Float, label: String)]) {
            self.colormap = colormap
            self.ticks = ticks
        }

        /// The scale of one heatmap: its raw values at the ends (and 0 in the middle when symmetric).
        public init(_ heatmap: Heatmap) {
            var ticks: [(position: Float, label: String)] = [(0, Heatmap.format(heatmap.low)), (1, Heatmap.format(heatmap.high))]
            if heatmap.normalization == .symmetric { ticks.insert((0.5, "0"), at: 1) }
            self.init(colormap: heatmap.colormap, ticks: ticks)
        }
    }

    /// Text above the panels (nil: none).
    public var title: String?
    /// The panels in reading order.
    public var panels: [Panel]
    /// Panels per row; 0 puts them all in one row.
    public var columns: Int
    /// The colour bars drawn after the panels: one per colormap the maps use (none: the figure holds no map).
    public var colorScales: [ColorScale]
    /// The first colour bar (most figures have one).
    public var colorScale: ColorScale? { colorScales.first }

    /// An empty figure.
    public init(title: String? = nil, columns: Int = 0, panels: [Panel] = [], colorScales: [ColorScale] = []) {
        self.title = title
        self.columns = columns
        self.panels = panels
        self.colorScales = colorScales
    }

    /// Adds a panel at the end.
    public mutating func append(_ image: Image, caption: String = "", role: Role = .image, displayWidth: Int? = nil,
                                displayHeight: Int? = nil, note: String? = nil) {
        panels.append(Panel(image: image, caption: caption, role: role, displayWidth: displayWidth,
                            displayHeight: displayHeight, note: note))
    }

    /// The figure flattened into one picture for a PNG file (the `tutor` commands' outputs): panels at their display
    /// size, captions and title in the 5×7 bitmap font, the colour bar last. Reports and the site never use this.
    public func bitmap(titleScale: Int = 1) -> Image {
        var grid = Grid(columns: columns, titleScale: titleScale)
        for panel in panels {
            let width = panel.displayWidth ?? panel.image.width
            let height = panel.displayHeight ?? panel.image.height
            let picture = width == panel.image.width && height == panel.image.height
                ? panel.image : panel.image.rgb().resizedNearest(width: width, height: height)
            grid.append(picture, title: panel.caption)
        }
        let height = panels.map { $0.displayHeight ?? $0.image.height }.max() ?? 0
        if height >= BitmapFont.glyphHeight * 2 {
            for scale in colorScales { grid.append(scale.bitmap(height: height)) }
        }
        var sheet = grid.sheet()
        if let title, !title.isEmpty {
            var titled = Grid(columns: 1, titleScale: titleScale)
            titled.append(sheet, title: title)
            sheet = titled.sheet()
        }
        return sheet
    }
}

extension PanelFigure.ColorScale {
    /// A vertical bar `height` pixels tall (1 at the top) with its tick labels in the bitmap font, on white.
    func bitmap(height barHeight: Int, barWidth: Int = 12) -> Image {
        let labelWidth = ticks.map { BitmapFont.size(of: $0.label).width }.max() ?? 0
        let gap = 3
        let textHeight = BitmapFont.glyphHeight
        // Room above and below so that end labels centred on the bar's ends stay inside the image.
        let margin = textHeight / 2 + 1
        let w = barWidth + gap + labelWidth + 2
        var image = Image(width: w, height: barHeight + 2 * margin, channels: 3, fill: [255])
        for y in 0..<barHeight {
            let t = barHeight == 1 ? 1 : 1 - Float(y) / Float(barHeight - 1)
            let colour = colormap.color(at: t)
            for x in 0..<barWidth {
                let o = ((y + margin) &* w &+ x) &* 3
                image.pixels[o] = colour.r
                image.pixels[o &+ 1] = colour.g
                image.pixels[o &+ 2] = colour.b
            }
        }
        for (t, text) in ticks {
            let centre = margin + Int(((1 - min(1, max(0, t))) * Float(barHeight - 1)).rounded())
            BitmapFont.draw(text, into: &image, x: barWidth + gap, y: centre - textHeight / 2, color: [0])
        }
        return image
    }
}

extension Image {
    /// This image enlarged (or shrunk) to `width × height` by nearest-neighbour sampling: each source pixel becomes
    /// a block, as a map's cells should look.
    public func resizedNearest(width: Int, height: Int) -> Image {
        let c = channels
        var out = [UInt8](repeating: 0, count: max(0, width) * max(0, height) * c)
        for y in 0..<max(0, height) {
            let sy = min(self.height - 1, y * self.height / height)
            for x in 0..<max(0, width) {
                let sx = min(self.width - 1, x * self.width / width)
                let s = (sy &* self.width &+ sx) &* c
                let d = (y &* width &+ x) &* c
                for k in 0..<c { out[d &+ k] = pixels[s &+ k] }
            }
        }
        return Image(width: width, height: height, channels: c, pixels: out)
    }
}
