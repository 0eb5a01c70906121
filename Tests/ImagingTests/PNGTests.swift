import Foundation
import Imaging
import Testing

@Suite("PNG reading and writing")
struct PNGTests {
    /// A deterministic test pattern with every channel different.
    static func pattern(width: Int, height: Int, channels: Int) -> Image {
        var pixels: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels { pixels.append(UInt8((x * 37 + y * 91 + c * 53) % 256)) }
            }
        }
        return Image(width: width, height: height, channels: channels, pixels: pixels)
    }

    @Test("file round trip keeps every sample", arguments: [1, 3, 4])
    func fileRoundTrip(channels: Int) throws {
        let image = Self.pattern(width: 17, height: 9, channels: channels)
        let url = temporaryDirectory().appendingPathComponent("round-trip-\(channels).png")
        try image.writePNG(to: url)
        let back = try Image(pngFile: url)
        #expect(back == image)
        #expect(back.channels == channels)
    }

    @Test("memory round trip keeps every sample", arguments: [1, 3, 4])
    func memoryRoundTrip(channels: Int) throws {
        let image = Self.pattern(width: 5, height: 13, channels: channels)
        let data = try image.pngData()
        #expect(Array(data.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
        #expect(try Image(pngData: data) == image)
    }

    @Test("16-bit grey is rescaled to 8 bits without gamma change")
    func sixteenBit() throws {
        // Samples 0x0000, 0x8080, 0xFFFF → 0, 128, 255.
        let png = RawPNG.file(width: 3, height: 1, bitDepth: 16, colorType: 0, rows: [[0, 0, 0x80, 0x80, 0xFF, 0xFF]])
        let image = try Image(pngData: png)
        #expect(image.channels == 1)
        #expect(image.pixels == [0, 128, 255])
    }

    @Test("grey+alpha widens to RGBA")
    func greyAlpha() throws {
        let png = RawPNG.file(width: 2, height: 1, bitDepth: 8, colorType: 4, rows: [[10, 255, 200, 0]])
        let image = try Image(pngData: png)
        #expect(image.channels == 4)
        #expect(image.pixel(x: 0, y: 0) == [10, 10, 10, 255])
        #expect(image.pixel(x: 1, y: 0)[3] == 0)
    }

    @Test("hand-made 8-bit RGB file decodes exactly")
    func handMadeRGB() throws {
        let png = RawPNG.file(width: 2, height: 2, bitDepth: 8, colorType: 2, rows: [[1, 2, 3, 4, 5, 6], [7, 8, 9, 250, 251, 252]])
        let image = try Image(pngData: png)
        #expect(image.pixels == [1, 2, 3, 4, 5, 6, 7, 8, 9, 250, 251, 252])
    }

    @Test("bytes that are not a PNG give a typed error naming the file")
    func notAPNG() throws {
        let url = temporaryDirectory().appendingPathComponent("notes.png")
        try Array("hello, this is plain text, not an image".utf8).withUnsafeBytes { try Data($0).write(to: url) }
        let error = #expect(throws: PNGError.self) { try Image(pngFile: url) }
        #expect(error?.kind == .notPNG)
        #expect(error?.source == url.path)
        #expect(error?.description.contains(url.path) == true)
        #expect(error?.message.isEmpty == false)
        #expect(throws: PNGError.self) { try Image(pngData: Array("GIF89a....".utf8)) }
        #expect(throws: PNGError.self) { try Image(pngData: []) }
    }

    @Test("a truncated file is reported, not trapped")
    func truncated() throws {
        let full = try Self.pattern(width: 32, height: 32, channels: 3).pngData()
        for cut in [8, 20, 40, full.count / 2, full.count - 13] {
            let url = temporaryDirectory().appendingPathComponent("cut-\(cut).png")
            try Array(full.prefix(cut)).withUnsafeBytes { try Data($0).write(to: url) }
            let error = #expect(throws: PNGError.self) { try Image(pngFile: url) }
            #expect(error?.kind == .corrupt)
            #expect(error?.description.contains("cut-\(cut).png") == true)
            #expect(throws: PNGError.self) { try Image(pngData: Array(full.prefix(cut))) }
        }
    }

    @Test("corrupt chunk data (CRC mismatch) gives libpng's message")
    func corruptCRC() throws {
        var png = RawPNG.file(width: 4, height: 4, bitDepth: 8, colorType: 0, rows: Array(repeating: [1, 2, 3, 4], count: 4))
        // Byte 8+8+4 is inside IHDR's width field: change it without fixing the CRC.
        png[18] ^= 0x01
        let error = #expect(throws: PNGError.self) { try Image(pngData: png) }
        #expect(error?.source == "<memory>")
        #expect(error?.kind == .corrupt)
        #expect(error?.message.contains("CRC") == true)
    }

    @Test("corrupt compressed image data is reported")
    func corruptIDAT() throws {
        var png = RawPNG.file(width: 4, height: 4, bitDepth: 8, colorType: 0, rows: Array(repeating: [1, 2, 3, 4], count: 4))
        // Replace the zlib header inside IDAT with garbage and fix the chunk CRC, so only the zlib data is wrong.
        let idat = 8 + 25  // signature + IHDR chunk
        png[idat + 8] = 0xFF
        png[idat + 9] = 0xFF
        let length = Int(png[idat + 3])
        let crc = RawPNG.crc32(Array(png[(idat + 4)..<(idat + 8 + length)]))
        png.replaceSubrange((idat + 8 + length)..<(idat + 12 + length), with: RawPNG.bigEndian(crc))
        let url = temporaryDirectory().appendingPathComponent("bad-zlib.png")
        try png.withUnsafeBytes { try Data($0).write(to: url) }
        let error = #expect(throws: PNGError.self) { try Image(pngFile: url) }
        #expect(error?.kind == .corrupt)
        #expect(error?.message.isEmpty == false)
    }

    @Test("a missing file says so and names the path")
    func missingFile() {
        let url = temporaryDirectory().appendingPathComponent("does-not-exist.png")
        let error = #expect(throws: PNGError.self) { try Image(pngFile: url) }
        #expect(error?.kind == .missingFile)
        #expect(error?.description.contains("does-not-exist.png") == true)
    }

    @Test("writing into a missing directory fails with a typed error")
    func unwritable() {
        let url = temporaryDirectory().appendingPathComponent("no/such/dir/out.png")
        let error = #expect(throws: PNGError.self) { try Self.pattern(width: 2, height: 2, channels: 3).writePNG(to: url) }
        #expect(error?.kind == .writeFailed)
        #expect(error?.source == url.path)
    }

    /// FNV-1a 64 over the samples, to compare whole images with Python-side digests.
    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    @Test("the course photos decode and preprocess exactly as Pillow + torchvision's Resize(256)/CenterCrop(224)")
    func coursePhotos() throws {
        // Tests/ImagingTests/… → repository root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        // (size, digest of the decoded RGB samples, digest of the 224×224 crop), computed with Pillow 13.0.0:
        // Image.open(f).convert("RGB"), resize(BILINEAR) of the shorter side to 256, crop at round((H − 224) / 2).
        let expected: [String: (Int, Int, UInt64, UInt64)] = [
            "cat.png": (451, 300, 0xb217_9687_9661_57a8, 0x4ef0_8003_9560_ed28),
            "coffee.png": (384, 256, 0xe925_d1f6_3494_b5ba, 0x62c0_5f63_e03a_2c76),
            "dog.png": (341, 256, 0xa3c4_eaef_c539_18ea, 0xff1e_b498_63ef_2b75),
            "dog-and-cat.png": (448, 448, 0x9c30_f80a_6743_385e, 0x1f76_dfc9_3d07_73af),
        ]
        for (name, want) in expected {
            let image = try Image(pngFile: root.appendingPathComponent("Lessons/images/\(name)"))
            #expect(image.width == want.0 && image.height == want.1 && image.channels == 3, "\(name)")
            #expect(Self.fnv1a(image.pixels) == want.2, "\(name) decoded samples differ from Pillow's")
            let crop = image.resizedAndCropped()
            #expect(crop.width == 224 && crop.height == 224, "\(name)")
            #expect(Self.fnv1a(crop.pixels) == want.3, "\(name) preprocessing differs from Pillow's")
        }
    }
}
