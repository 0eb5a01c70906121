import Foundation
import Imaging
import Testing

/// JPEG decoding through libjpeg-turbo (CJPEGShim): the fixtures come from scripts/fixtures/make_jpeg.py, each
/// with Pillow's decoding beside it as `.expected.png`.
@Suite("JPEG reading")
struct JPEGTests {
    static func fixture(_ name: String) -> URL {
        Bundle.module.url(forResource: "Fixtures/jpeg/\(name)", withExtension: nil)!
    }

    /// Largest per-sample difference; libjpeg versions may round the IDCT and upsampling differently.
    static func maxDifference(_ a: Image, _ b: Image) -> Int {
        zip(a.pixels, b.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
    }

    @Test("decodes like Pillow's libjpeg-turbo within 2 levels",
          arguments: [("rgb-baseline", 3), ("rgb-progressive", 3), ("grey", 1), ("cmyk-adobe", 3)])
    func matchesPillow(name: String, channels: Int) throws {
        let image = try Image(contentsOf: Self.fixture("\(name).jpg"))
        let expected = try Image(pngFile: Self.fixture("\(name).expected.png"))
        #expect(image.width == 32 && image.height == 24)
        #expect(image.channels == channels)
        #expect(expected.channels == channels)
        #expect(Self.maxDifference(image, expected) <= 2, "\(name) differs from Pillow by more than 2 levels")
    }

    @Test("the pattern's colours survive: a red, a green and a blue block")
    func colours() throws {
        for name in ["rgb-baseline", "rgb-progressive", "cmyk-adobe"] {
            let image = try Image(contentsOf: Self.fixture("\(name).jpg"))
            let red = image.pixel(x: 3, y: 3), green = image.pixel(x: 19, y: 3), blue = image.pixel(x: 3, y: 19)
            #expect(red[0] > 190 && red[1] < 70 && red[2] < 70, "\(name): red block is \(red)")
            #expect(green[1] > 170 && green[0] < 70 && green[2] < 80, "\(name): green block is \(green)")
            #expect(blue[2] > 180 && blue[0] < 70 && blue[1] < 80, "\(name): blue block is \(blue)")
        }
    }

    @Test("header size without decoding: PNG and JPEG")
    func headerSize() throws {
        let jpeg = try ImageFile.size(of: Self.fixture("rgb-progressive.jpg"))
        #expect(jpeg.width == 32 && jpeg.height == 24)
        let png = try ImageFile.size(of: Self.fixture("grey.expected.png"))
        #expect(png.width == 32 && png.height == 24)
        // The size check reads only the header, so it reports even a size the decoder would refuse.
        let huge = try ImageFile.size(of: Self.fixture("huge-header.jpg"))
        #expect(huge.width == 20000 && huge.height == 20000)
    }

    @Test("the format comes from the magic bytes, not the file name")
    func sniffing() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jpeg-tests-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let misnamed = folder.appendingPathComponent("photo.png")
        try Data(contentsOf: Self.fixture("grey.jpg")).write(to: misnamed)
        #expect(try Image(contentsOf: misnamed).channels == 1)
        let text = folder.appendingPathComponent("notes.jpg")
        try Data("hello, not an image".utf8).write(to: text)
        #expect(throws: ImageFileError.unknownFormat(text.path)) { try Image(contentsOf: text) }
        let empty = folder.appendingPathComponent("empty.jpg")
        try Data().write(to: empty)
        #expect(throws: ImageFileError.unknownFormat(empty.path)) { try Image(contentsOf: empty) }
        let missing = folder.appendingPathComponent("missing.jpg")
        #expect(throws: ImageFileError.missingFile(missing.path)) { try Image(contentsOf: missing) }
        #expect(throws: ImageFileError.unreadable(folder.path, reason: "it is a folder")) { try Image(contentsOf: folder) }
    }

    /// The decoder's error kind for a fixture, or nil when it decoded.
    static func failure(_ name: String) -> JPEGError? {
        do {
            _ = try Image(contentsOf: fixture(name))
            return nil
        } catch {
            if case .jpeg(let jpeg) = error { return jpeg }
            Issue.record("\(name): not a JPEG error: \(error)")
            return nil
        }
    }

    @Test("a truncated file is an error naming the file, not a grey-padded image")
    func truncated() throws {
        let error = try #require(Self.failure("truncated.jpg"))
        #expect(error.kind == .truncated)
        #expect(error.description.contains("truncated.jpg"))
        #expect(error.description.contains("truncated"))
    }

    @Test("a file that stops after the tables is an error")
    func headerOnly() throws {
        let error = try #require(Self.failure("header-only.jpg"))
        #expect([.corrupt, .truncated].contains(error.kind), "\(error)")
        #expect(error.description.contains("header-only.jpg"))
    }

    @Test("a scrambled frame header is a corrupt-data error with libjpeg's message")
    func corrupt() throws {
        let error = try #require(Self.failure("corrupt.jpg"))
        #expect(error.kind == .corrupt)
        #expect(error.message != "unknown error" && !error.message.isEmpty)
    }

    @Test("a header announcing 400 MP is refused before decoding")
    func tooLarge() throws {
        let error = try #require(Self.failure("huge-header.jpg"))
        #expect(error.kind == .tooLarge)
        #expect(error.description.contains("20000×20000"))
    }

    @Test("in-memory garbage after a JPEG signature is an error, never a trap", arguments: [3, 4, 10, 100, 400])
    func garbage(length: Int) throws {
        var bytes: [UInt8] = [0xFF, 0xD8, 0xFF]
        var state: UInt32 = 12345
        while bytes.count < length {
            state = state &* 1_103_515_245 &+ 12345
            bytes.append(UInt8(truncatingIfNeeded: state >> 16))
        }
        #expect(throws: JPEGError.self) { try Image(jpegData: bytes) }
    }

    @Test("every prefix of a progressive file either decodes or throws")
    func prefixes() throws {
        let data = [UInt8](try Data(contentsOf: Self.fixture("rgb-progressive.jpg")))
        var failures = 0
        for length in stride(from: 0, to: data.count, by: 7) {
            do { _ = try Image(jpegData: Array(data.prefix(length))) } catch { failures += 1 }
        }
        #expect(failures == (0..<data.count).filter { $0 % 7 == 0 }.count, "a cut-off file decoded")
    }
}
