import Engine
import Imaging
import Testing

@Suite("Bitmap font and grids")
struct GridTests {
    @Test("the font covers printable ASCII with 5-pixel glyphs")
    func font() {
        #expect(BitmapFont.glyphCount == 95)
        #expect(BitmapFont.glyph(for: " ").allSatisfy { $0 == 0 })
        #expect(BitmapFont.glyph(for: "A").contains { $0 != 0 })
        #expect(BitmapFont.glyph(for: "—") == BitmapFont.glyph(for: "-"))
        #expect(BitmapFont.glyph(for: "é") == BitmapFont.glyph(for: "?"))
        #expect(BitmapFont.glyph(for: "g").count == 8 && BitmapFont.glyph(for: "g")[7] != 0)  // descender
        // Every glyph fits in five columns, and every visible character has some ink.
        for a in UInt8(33)...UInt8(126) {
            let rows = BitmapFont.glyph(for: Character(UnicodeScalar(a)))
            #expect(rows.allSatisfy { $0 < 32 }, "\(a)")
            #expect(rows.contains { $0 != 0 }, "\(a)")
        }
    }

    @Test("text size and scaling")
    func textSize() {
        #expect(BitmapFont.size(of: "Hi").width == 11 && BitmapFont.size(of: "Hi").height == 8)
        #expect(BitmapFont.size(of: "Hi", scale: 3).width == 33)
        #expect(BitmapFont.size(of: "a\nbc").height == 18)
        let image = BitmapFont.render("I", scale: 2, padding: 0)
        #expect(image.width == 10 && image.height == 16)
        // "I" has a full top bar from column 1 to 3: scaled ×2, columns 2…7 of row 0 are black.
        #expect(image.pixel(x: 2, y: 0) == [0, 0, 0] && image.pixel(x: 0, y: 0) == [255, 255, 255])
    }

    @Test("wrapping breaks at spaces within the width")
    func wrap() {
        #expect(BitmapFont.wrap("guided backprop — tiger cat", maxWidth: 6 * 10 - 1) == ["guided", "backprop —", "tiger cat"])
        #expect(BitmapFont.wrap("abcdefgh", maxWidth: 6 * 3 - 1) == ["abc", "def", "gh"])
    }

    @Test("grid size accounts for titles, spacing and the largest cell")
    func gridSize() {
        var grid = Grid(spacing: 8)
        grid.append(Image(width: 60, height: 40, channels: 3, fill: [200]), title: "cat")
        grid.append(Image(width: 60, height: 50, channels: 1, fill: [10]), title: "map")
        let sheet = grid.sheet()
        // Title band: one line (8 px) + 4 px gap.
        #expect(sheet.width == 8 + 60 + 8 + 60 + 8)
        #expect(sheet.height == 8 + 12 + 50 + 8)
        #expect(sheet.pixel(x: 8, y: 20) == [200, 200, 200])
        #expect(sheet.pixel(x: 76, y: 20) == [10, 10, 10])
        #expect(sheet.pixel(x: 0, y: 0) == [255, 255, 255])
        let titleInk = (8..<16).contains { y in (8..<68).contains { x in sheet.pixel(x: x, y: y)[0] < 100 } }
        #expect(titleInk)
    }

    @Test("two columns make two rows, long titles wrap onto more lines")
    func gridRows() {
        var grid = Grid(columns: 2, spacing: 4)
        for i in 0..<3 { grid.append(Image(width: 30, height: 20, fill: [UInt8(i)]), title: i == 2 ? "a long title here" : "") }
        let sheet = grid.sheet()
        #expect(sheet.width == 4 + 30 + 4 + 30 + 4)
        // "a long title here" in 30 px (5 chars a line): "a", "long", "title", "here" → 4 lines.
        #expect(sheet.height == 4 + 20 + 4 + (3 * 10 + 8 + 4) + 20 + 4)
    }

    @Test("plot-example figure: image, map and colour bar side by side")
    func example() {
        let photo = Image(width: 64, height: 64, fill: [120, 130, 140])
        let map = Heatmap(map: Tensor(shape: [1, 1, 2, 2], scalars: [0, 1, 2, 3]))
        let figure = Grid.example(image: photo, heatmap: map, method: "gradient", className: "tiger cat")
        #expect(figure.panels.map(\.caption) == ["input image", "gradient — tiger cat"])
        #expect(figure.panels[1].role == .heatmap && figure.panels[1].image.width == 2 && figure.panels[1].displayWidth == 64)
        #expect(figure.colorScale?.ticks.map(\.label) == ["0", "3"])
        let sheet = figure.bitmap()
        #expect(sheet.height > 64 && sheet.width > 2 * 64 + 3 * 8, "the colour bar is a third column")
        let plain = Grid.example(image: photo, heatmap: map, method: "grad-cam", className: "cat", overlay: true, colorbar: false)
        #expect(plain.colorScale == nil && plain.panels[1].role == .overlay)
        #expect(plain.bitmap().width == 8 + 64 + 8 + 64 + 8)
    }

    @Test("a grid's render() is a figure whose titles are captions, in its columns")
    func gridFigure() {
        var grid = Grid(columns: 2)
        grid.append(Image(width: 3, height: 2, fill: [1]), title: "first")
        grid.append(Image(width: 3, height: 2, fill: [2]), title: "second")
        let figure = grid.render()
        #expect(figure.columns == 2 && figure.panels.map(\.caption) == ["first", "second"])
        #expect(figure.panels.allSatisfy { $0.role == .image })
    }
}
