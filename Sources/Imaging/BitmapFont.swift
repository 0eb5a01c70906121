// A small built-in bitmap font so that titles and colorbar labels need no font files or text libraries.
// Glyphs are 5 pixels wide and 7 tall above the baseline, plus one descender row (g, j, p, q, y, comma).

/// A fixed-width 5×7 (+1 descender row) bitmap font covering printable ASCII 32–126, scalable by integer factors.
public enum BitmapFont {
    /// Glyph width in font pixels.
    public static let glyphWidth = 5
    /// Glyph height in font pixels, descender row included.
    public static let glyphHeight = 8
    /// Horizontal distance between successive characters (glyph plus one blank column).
    public static let advance = 6
    /// Vertical distance between successive lines.
    public static let lineHeight = 10

    // One string per character from " " (32) to "~" (126): seven or eight rows of five, "#" = ink.
    private static let art: [String] = [
        "..... ..... ..... ..... ..... ..... .....",  // space
        "..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..",  // !
        ".#.#. .#.#. .#.#. ..... ..... ..... .....",  // "
        ".#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.",  // #
        "..#.. .#### #.#.. .###. ..#.# ####. ..#..",  // $
        "##... ##..# ...#. ..#.. .#... #..## ...##",  // %
        ".##.. #..#. #.#.. .#... #.#.# #..#. .##.#",  // &
        "..#.. ..#.. .#... ..... ..... ..... .....",  // '
        "...#. ..#.. .#... .#... .#... ..#.. ...#.",  // (
        ".#... ..#.. ...#. ...#. ...#. ..#.. .#...",  // )
        "..... ..#.. #.#.# .###. #.#.# ..#.. .....",  // *
        "..... ..#.. ..#.. ##### ..#.. ..#.. .....",  // +
        "..... ..... ..... ..... ..... .##.. ..#.. .#...",  // ,
        "..... ..... ..... ##### ..... ..... .....",  // -
        "..... ..... ..... ..... ..... .##.. .##..",  // .
        "..... ....# ...#. ..#.. .#... #.... .....",  // /
        ".###. #...# #..## #.#.# ##..# #...# .###.",  // 0
        "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.",  // 1
        ".###. #...# ....# ...#. ..#.. .#... #####",  // 2
        "##### ...#. ..#.. ...#. ....# #...# .###.",  // 3
        "...#. ..##. .#.#. #..#. ##### ...#. ...#.",  // 4
        "##### #.... ####. ....# ....# #...# .###.",  // 5
        "..##. .#... #.... ####. #...# #...# .###.",  // 6
        "##### ....# ...#. ..#.. .#... .#... .#...",  // 7
        ".###. #...# #...# .###. #...# #...# .###.",  // 8
        ".###. #...# #...# .#### ....# ...#. .##..",  // 9
        "..... .##.. .##.. ..... .##.. .##.. .....",  // :
        "..... .##.. .##.. ..... .##.. ..#.. .#...",  // ;
        "...#. ..#.. .#... #.... .#... ..#.. ...#.",  // <
        "..... ..... ##### ..... ##### ..... .....",  // =
        ".#... ..#.. ...#. ....# ...#. ..#.. .#...",  // >
        ".###. #...# ....# ...#. ..#.. ..... ..#..",  // ?
        ".###. #...# ....# .##.# #.#.# #.#.# .###.",  // @
        ".###. #...# #...# ##### #...# #...# #...#",  // A
        "####. #...# #...# ####. #...# #...# ####.",  // B
        ".###. #...# #.... #.... #.... #...# .###.",  // C
        "###.. #..#. #...# #...# #...# #..#. ###..",  // D
        "##### #.... #.... ####. #.... #.... #####",  // E
        "##### #.... #.... ####. #.... #.... #....",  // F
        ".###. #...# #.... #.### #...# #...# .####",  // G
        "#...# #...# #...# ##### #...# #...# #...#",  // H
        ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",  // I
        "..### ...#. ...#. ...#. ...#. #..#. .##..",  // J
        "#...# #..#. #.#.. ##... #.#.. #..#. #...#",  // K
        "#.... #.... #.... #.... #.... #.... #####",  // L
        "#...# ##.## #.#.# #.#.# #...# #...# #...#",  // M
        "#...# #...# ##..# #.#.# #..## #...# #...#",  // N
        ".###. #...# #...# #...# #...# #...# .###.",  // O
        "####. #...# #...# ####. #.... #.... #....",  // P
        ".###. #...# #...# #...# #.#.# #..#. .##.#",  // Q
        "####. #...# #...# ####. #.#.. #..#. #...#",  // R
        ".#### #.... #.... .###. ....# ....# ####.",  // S
        "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",  // T
        "#...# #...# #...# #...# #...# #...# .###.",  // U
        "#...# #...# #...# #...# #...# .#.#. ..#..",  // V
        "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.",  // W
        "#...# #...# .#.#. ..#.. .#.#. #...# #...#",  // X
        "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..",  // Y
        "##### ....# ...#. ..#.. .#... #.... #####",  // Z
        ".###. .#... .#... .#... .#... .#... .###.",  // [
        "..... #.... .#... ..#.. ...#. ....# .....",  // backslash
        ".###. ...#. ...#. ...#. ...#. ...#. .###.",  // ]
        "..#.. .#.#. #...# ..... ..... ..... .....",  // ^
        "..... ..... ..... ..... ..... ..... #####",  // _
        ".#... ..#.. ..... ..... ..... ..... .....",  // `
        "..... ..... .###. ....# .#### #...# .####",  // a
        "#.... #.... #.##. ##..# #...# #...# ####.",  // b
        "..... ..... .###. #.... #.... #...# .###.",  // c
        "....# ....# .##.# #..## #...# #...# .####",  // d
        "..... ..... .###. #...# ##### #.... .###.",  // e
        "..##. .#..# .#... ###.. .#... .#... .#...",  // f
        "..... ..... .#### #...# #...# .#### ....# .###.",  // g
        "#.... #.... #.##. ##..# #...# #...# #...#",  // h
        "..#.. ..... .##.. ..#.. ..#.. ..#.. .###.",  // i
        "...#. ..... ..##. ...#. ...#. ...#. #..#. .##..",  // j
        "#.... #.... #..#. #.#.. ##... #.#.. #..#.",  // k
        ".##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",  // l
        "..... ..... ##.#. #.#.# #.#.# #...# #...#",  // m
        "..... ..... #.##. ##..# #...# #...# #...#",  // n
        "..... ..... .###. #...# #...# #...# .###.",  // o
        "..... ..... ####. #...# #...# ####. #.... #....",  // p
        "..... ..... .#### #...# #...# .#### ....# ....#",  // q
        "..... ..... #.##. ##..# #.... #.... #....",  // r
        "..... ..... .###. #.... .###. ....# ####.",  // s
        ".#... .#... ###.. .#... .#... .#..# ..##.",  // t
        "..... ..... #...# #...# #...# #..## .##.#",  // u
        "..... ..... #...# #...# #...# .#.#. ..#..",  // v
        "..... ..... #...# #...# #.#.# #.#.# .#.#.",  // w
        "..... ..... #...# .#.#. ..#.. .#.#. #...#",  // x
        "..... ..... #...# #...# #...# .#### ....# .###.",  // y
        "..... ..... ##### ...#. ..#.. .#... #####",  // z
        "...#. ..#.. ..#.. .#... ..#.. ..#.. ...#.",  // {
        "..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",  // |
        ".#... ..#.. ..#.. ...#. ..#.. ..#.. .#...",  // }
        "..... ..... .#... #.#.# ...#. ..... .....",  // ~
    ]

    /// Row bitmaps (bit 4 = leftmost column) for characters 32…126, eight rows each.
    private static let glyphs: [[UInt8]] = art.map { spec in
        var rows = spec.split(separator: " ").map { row in
            row.reduce(UInt8(0)) { ($0 << 1) | ($1 == "#" ? 1 : 0) }
        }
        while rows.count < glyphHeight { rows.append(0) }
        return rows
    }

    /// Number of glyphs the font defines (95: ASCII 32–126).
    public static var glyphCount: Int { glyphs.count }

    /// The eight row bitmaps of `character` (bit 4 is the leftmost pixel). Typographic dashes and the minus sign
    /// draw as "-", "×" as "x"; anything else outside ASCII 32–126 draws as "?".
    public static func glyph(for character: Character) -> [UInt8] {
        glyphs[glyphIndex(character)]
    }

    private static func glyphIndex(_ character: Character) -> Int {
        switch character {
        case "—", "–", "−": return Int(UInt8(ascii: "-")) - 32
        case "×": return Int(UInt8(ascii: "x")) - 32
        default:
            if let a = character.asciiValue, a >= 32, a <= 126 { return Int(a) - 32 }
            return Int(UInt8(ascii: "?")) - 32
        }
    }

    /// Width and height in pixels of `text` drawn at `scale` (lines split at "\n").
    public static func size(of text: String, scale: Int = 1) -> (width: Int, height: Int) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let longest = lines.map(\.count).max() ?? 0
        let width = longest == 0 ? 0 : (longest * advance - 1) * scale
        return (width, ((lines.count - 1) * lineHeight + glyphHeight) * scale)
    }

    /// Draws `text` with its top-left corner at (`x`, `y`) in `color` (one value per image channel, or one for
    /// all); pixels falling outside the image are skipped.
    public static func draw(
        _ text: String, into image: inout Image, x: Int, y: Int, color: [UInt8] = [0], scale: Int = 1
    ) {
        let s = max(1, scale)
        let c = image.channels
        let ink = color.count == c ? color : Array(repeating: color.first ?? 0, count: c)
        let (width, height) = (image.width, image.height)
        var penY = y
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var penX = x
            for character in line {
                let rows = glyph(for: character)
                for (r, bits) in rows.enumerated() where bits != 0 {
                    for col in 0..<glyphWidth where bits & (1 << UInt8(glyphWidth - 1 - col)) != 0 {
                        for dy in 0..<s {
                            let py = penY + r * s + dy
                            if py < 0 || py >= height { continue }
                            for dx in 0..<s {
                                let px = penX + col * s + dx
                                if px < 0 || px >= width { continue }
                                let base = (py &* width &+ px) &* c
                                for ch in 0..<c { image.pixels[base &+ ch] = ink[ch] }
                            }
                        }
                    }
                }
                penX += advance * s
            }
            penY += lineHeight * s
        }
    }

    /// `text` on its own RGB image with a `padding`-pixel margin.
    public static func render(
        _ text: String, scale: Int = 1, color: [UInt8] = [0, 0, 0], background: [UInt8] = [255, 255, 255],
        padding: Int = 2
    ) -> Image {
        let (w, h) = size(of: text, scale: scale)
        var image = Image(width: max(1, w + 2 * padding), height: max(1, h + 2 * padding), channels: 3, fill: background)
        draw(text, into: &image, x: padding, y: padding, color: color, scale: scale)
        return image
    }

    /// Splits `text` into lines no wider than `maxWidth` pixels at `scale`, breaking at spaces where it can and
    /// inside words that are too long on their own.
    public static func wrap(_ text: String, maxWidth: Int, scale: Int = 1) -> [String] {
        let perLine = max(1, (maxWidth / max(1, scale) + 1) / advance)
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var current = ""
            for word in paragraph.split(separator: " ") {
                var word = Substring(word)
                while word.count > perLine {
                    if !current.isEmpty { lines.append(current); current = "" }
                    lines.append(String(word.prefix(perLine)))
                    word = word.dropFirst(perLine)
                }
                if current.isEmpty {
                    current = String(word)
                } else if current.count + 1 + word.count <= perLine {
                    current += " " + word
                } else {
                    lines.append(current)
                    current = String(word)
                }
            }
            lines.append(current)
        }
        return lines
    }
}
