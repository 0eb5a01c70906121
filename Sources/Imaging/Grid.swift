/// Titled images laid out in rows and columns: `render()` gives a `PanelFigure` (the report sets the titles as
/// text), `sheet()` one picture with the titles in the bitmap font (for PNG files).
///
/// ```swift
/// var boards = Grid(columns: 2)
/// boards.append(photo, title: "board 1")
/// show(image: boards.render(), title: "The boards")
/// ```
public struct Grid: Sendable {
    /// One image with the title drawn above it.
    public struct Cell: Sendable {
        /// The picture (any channel count; shown as RGB).
        public var image: Image
        /// Text above the picture; wrapped to the column width. Empty for none.
        public var title: String
        /// A titled cell.
        public init(image: Image, title: String = "") {
            self.image = image
            self.title = title
        }
    }

    /// The cells in reading order.
    public var cells: [Cell]
    /// Cells per row; 0 puts everything in one row.
    public var columns: Int
    /// Blank pixels around and between cells.
    public var spacing: Int
    /// Integer magnification of the title font (1 = 5×7 pixel glyphs).
    public var titleScale: Int
    /// Sheet colour (RGB).
    public var background: [UInt8]
    /// Title colour (RGB).
    public var titleColor: [UInt8]

    /// An empty grid.
    public init(columns: Int = 0, spacing: Int = 8, titleScale: Int = 1, cells: [Cell] = []) {
        self.cells = cells
        self.columns = columns
        self.spacing = spacing
        self.titleScale = titleScale
        self.background = [255, 255, 255]
        self.titleColor = [32, 32, 32]
    }

    /// Adds a titled image at the end.
    public mutating func append(_ image: Image, title: String = "") {
        cells.append(Cell(image: image, title: title))
    }

    /// The cells as a figure: each title becomes its panel's caption, set as text by the report.
    public func render() -> PanelFigure {
        PanelFigure(columns: columns, panels: cells.map { PanelFigure.Panel(image: $0.image, caption: $0.title) })
    }

    /// Lays the cells out on one sheet: column widths and row heights fit their largest member; each title is
    /// centred above its image in the bitmap font and wrapped to the column width.
    public func sheet() -> Image {
        if cells.isEmpty { return Image(width: 1, height: 1, channels: 3, fill: background) }
        let perRow = columns > 0 ? min(columns, cells.count) : cells.count
        let rowCount = (cells.count + perRow - 1) / perRow
        let scale = max(1, titleScale)
        let pad = max(0, spacing)
        var columnWidth = [Int](repeating: 0, count: perRow)
        for (i, cell) in cells.enumerated() { columnWidth[i % perRow] = max(columnWidth[i % perRow], cell.image.width) }
        // Titles wrap to their column's width, so lay titles out after the widths are known.
        let titleLines: [[String]] = cells.enumerated().map { i, cell in
            cell.title.isEmpty ? [] : BitmapFont.wrap(cell.title, maxWidth: columnWidth[i % perRow], scale: scale)
        }
        let titleGap = 4 * scale
        var titleHeight = [Int](repeating: 0, count: rowCount)
        var imageHeight = [Int](repeating: 0, count: rowCount)
        for (i, cell) in cells.enumerated() {
            let r = i / perRow
            let lines = titleLines[i].count
            if lines > 0 {
                let h = ((lines - 1) * BitmapFont.lineHeight + BitmapFont.glyphHeight) * scale + titleGap
                titleHeight[r] = max(titleHeight[r], h)
            }
            imageHeight[r] = max(imageHeight[r], cell.image.height)
        }
        let totalWidth = columnWidth.reduce(pad, { $0 + $1 + pad })
        let totalHeight = zip(titleHeight, imageHeight).reduce(pad, { $0 + $1.0 + $1.1 + pad })
        var sheet = Image(width: totalWidth, height: totalHeight, channels: 3, fill: background)
        var top = pad
        for r in 0..<rowCount {
            var left = pad
            for c in 0..<perRow {
                let i = r * perRow + c
                guard i < cells.count else { break }
                let cw = columnWidth[c]
                var lineY = top
                for text in titleLines[i] {
                    let tw = BitmapFont.size(of: text, scale: scale).width
                    BitmapFont.draw(text, into: &sheet, x: left + (cw - tw) / 2, y: lineY, color: titleColor, scale: scale)
                    lineY += BitmapFont.lineHeight * scale
                }
                let picture = cells[i].image.rgb()
                sheet.paste(picture, x: left + (cw - picture.width) / 2, y: top + titleHeight[r])
                left += cw + pad
            }
            top += titleHeight[r] + imageHeight[r] + pad
        }
        return sheet
    }

    /// TorchRay's `plot_example` as a figure: the input image captioned "input image", the map (over the greyed
    /// image when `overlay`, else at its own resolution shown at the image's size) captioned "<method> — <class
    /// name>", and the map's colour bar.
    public static func example(
        image: Image, heatmap: Heatmap, method: String, className: String, overlay: Bool = false,
        colorbar: Bool = true
    ) -> PanelFigure {
        let picture = image.rgb()
        var figure = PanelFigure(colorScales: colorbar ? [PanelFigure.ColorScale(heatmap)] : [])
        figure.append(picture, caption: "input image")
        if overlay {
            figure.append(heatmap.overlay(on: picture), caption: "\(method) — \(className)", role: .overlay)
        } else {
            figure.append(heatmap.render(), caption: "\(method) — \(className)", role: .heatmap,
                          displayWidth: picture.width, displayHeight: picture.height)
        }
        return figure
    }
}

extension Image {
    /// Copies `other` (same channel count) into this image with its top-left corner at (`x`, `y`), clipped to
    /// the bounds; a different channel count is converted through RGB first when this image is RGB.
    public mutating func paste(_ other: Image, x: Int, y: Int) {
        let source = other.channels == channels ? other : (channels == 3 ? other.rgb() : (channels == 1 ? other.gray() : other))
        guard source.channels == channels else { return }
        let c = channels
        let x0 = max(0, x)
        let x1 = min(width, x + source.width)
        guard x1 > x0 else { return }
        for row in 0..<source.height {
            let ty = y + row
            if ty < 0 || ty >= height { continue }
            let src = (row * source.width + (x0 - x)) * c
            let dst = (ty * width + x0) * c
            let n = (x1 - x0) * c
            pixels.replaceSubrange(dst..<dst + n, with: source.pixels[src..<src + n])
        }
    }
}
