import Engine
import Foundation
import Imaging
import Testing

/// Issue 12: image headers are checked against `ImageLimits` before libpng sizes a buffer from them.
@Suite("untrusted images")
struct UntrustedImageTests {
    /// A PNG whose IHDR claims `width`×`height` RGB pixels, followed by a little (insufficient) image data.
    static func claiming(width: UInt32, height: UInt32) -> [UInt8] {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let header = RawPNG.bigEndian(width) + RawPNG.bigEndian(height) + [8, 2, 0, 0, 0]
        return signature + RawPNG.chunk("IHDR", header) + RawPNG.chunk("IDAT", RawPNG.zlibStored([0, 1, 2, 3]))
            + RawPNG.chunk("IEND", [])
    }

    @Test("a header of 1,000,000² or 30,000² pixels is refused before decoding", arguments: [UInt32(1_000_000), 30_000, 7_072])
    func hugeHeadersAreRefused(side: UInt32) throws {
        let url = temporaryDirectory().appendingPathComponent("huge.png")
        try Data(Self.claiming(width: side, height: side)).write(to: url)
        do {
            _ = try Image(pngFile: url)
            Issue.record("loaded a \(side)² image")
        } catch {
            #expect(error.kind == .tooLarge)
            #expect(error.description.contains(url.path))
            #expect(error.description.contains("\(side)×\(side)"))
            #expect(error.description.contains("50-megapixel"))
        }
        #expect(throws: PNGError.self) { try Image(pngData: Self.claiming(width: side, height: side)) }
    }

    @Test("a thin strip is refused when its planned resize would exceed the limit")
    func thinStripIsRefusedForResize() throws {
        let strip = try Image(width: 1, height: 20_000, channels: 1, fill: [9]).pngData()
        // Without a planned resize, 20,000 pixels are fine.
        #expect(try Image(pngData: strip).height == 20_000)
        do {
            _ = try Image(pngData: strip, limits: ImageLimits(resizedShorterSide: 256))
            Issue.record("a 1×20,000 strip was accepted for a resize to 256")
        } catch {
            #expect(error.kind == .tooLarge)
            #expect(error.description.contains("256×5120000"), "\(error)")
        }
    }

    @Test("limits: pixels, aspect ratio and overflow")
    func limitArithmetic() {
        let limits = ImageLimits(resizedShorterSide: 256)
        #expect(limits.violation(width: 4032, height: 3024) == nil)
        #expect(limits.violation(width: 7_000, height: 7_000) == nil)
        #expect(limits.violation(width: 7_072, height: 7_072) != nil)
        #expect(limits.violation(width: Int.max, height: 2) != nil)
        // A 1-pixel-wide strip is scaled ×256: 256 × 195,072 fits in 50 MP, 256 × 195,328 does not.
        #expect(limits.violation(width: 1, height: 762) == nil)
        #expect(limits.violation(width: 763, height: 1) != nil)
        #expect(ImageLimits.standard.violation(width: 1, height: 20_000) == nil)
        let size = ImageLimits.shorterSideSize(width: 640, height: 480, side: 256)
        #expect(size?.width == 341 && size?.height == 256)
    }

    /// Rewrites the CRC of every chunk that still parses, so mutations reach the fields behind the checksums.
    static func fixingCRCs(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        var at = 8
        while at + 12 <= out.count {
            let length = Int(out[at]) << 24 | Int(out[at + 1]) << 16 | Int(out[at + 2]) << 8 | Int(out[at + 3])
            guard length <= out.count - at - 12 else { break }
            let crc = RawPNG.bigEndian(RawPNG.crc32(Array(out[(at + 4)..<(at + 8 + length)])))
            out.replaceSubrange((at + 8 + length)..<(at + 12 + length), with: crc)
            at += 12 + length
        }
        return out
    }

    @Test("mutated PNGs (checksums repaired) decode or fail with a typed error; none traps")
    func mutatedPNGsFailCleanly() throws {
        let seeds = [
            try Image(width: 5, height: 3, channels: 3, fill: [10, 20, 30]).pngData(),
            try Image(width: 4, height: 4, channels: 4, fill: [1, 2, 3, 4]).pngData(),
            RawPNG.file(width: 2, height: 2, bitDepth: 16, colorType: 4, rows: [[0, 1, 2, 3, 4, 5, 6, 7], [7, 6, 5, 4, 3, 2, 1, 0]]),
        ]
        var failures = 0
        for (n, seed) in seeds.enumerated() {
            var fuzzer = MutationFuzzer(seed: seed, cases: 1_500, randomSeed: UInt64(100 + n))
            while let mutated = fuzzer.next() {
                do {
                    let image = try Image(pngData: Self.fixingCRCs(mutated))
                    #expect(image.width * image.height <= ImageLimits.standard.maxPixels)
                } catch {
                    failures += 1
                    if error.description.contains("\n") { Issue.record("seed \(n) case \(fuzzer.caseNumber - 1): \(error)") }
                }
            }
        }
        #expect(failures > 500)
    }
}

/// Row-by-row decoding into the resized image gives exactly the pixels of decoding whole and resizing.
@Suite("row-by-row PNG decoding")
struct RowByRowPNGTests {
    static let photos = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Lessons/images")

    func expectSame(_ url: URL, side: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let streamed = try Image(pngFile: url, resizedShorterSideTo: side)
        let whole = try Image(pngFile: url).rgb().resizedShorterSide(to: side)
        #expect(streamed.width == whole.width && streamed.height == whole.height, sourceLocation: sourceLocation)
        #expect(streamed.channels == 3, sourceLocation: sourceLocation)
        #expect(streamed.pixels == whole.pixels, "\(url.lastPathComponent) at \(side)", sourceLocation: sourceLocation)
    }

    @Test("the course photos, shrunk and enlarged", arguments: ["cat", "coffee", "dog", "dog-and-cat"])
    func photosMatch(name: String) throws {
        let url = Self.photos.appendingPathComponent(name + ".png")
        for side in [256, 100, 601] { try expectSame(url, side: side) }
    }

    @Test("grey, grey+alpha, RGBA and 16-bit files (the last through the whole-image path)")
    func layoutsMatch() throws {
        let folder = temporaryDirectory()
        var files: [URL] = []
        for (n, (channels, fill)) in [(1, [77]), (4, [10, 200, 30, 128])].enumerated() {
            var image = Image(width: 37, height: 23, channels: channels, fill: fill.map(UInt8.init))
            for i in stride(from: 0, to: image.pixels.count, by: 7) { image.pixels[i] = UInt8(i % 251) }
            let url = folder.appendingPathComponent("layout\(n).png")
            try image.writePNG(to: url)
            files.append(url)
        }
        let greyAlpha = RawPNG.file(width: 3, height: 2, bitDepth: 8, colorType: 4, rows: [[0, 255, 100, 128, 200, 0], [50, 50, 255, 255, 1, 2]])
        let sixteen = RawPNG.file(width: 2, height: 2, bitDepth: 16, colorType: 0, rows: [[0, 1, 255, 255], [128, 0, 64, 64]])
        for (name, bytes) in [("ga.png", greyAlpha), ("sixteen.png", sixteen)] {
            let url = folder.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            files.append(url)
        }
        for url in files {
            for side in [5, 16, 64] { try expectSame(url, side: side) }
        }
    }

    @Test("errors: missing file, not a PNG, truncated data, over the limits")
    func errorsAreTyped() throws {
        let folder = temporaryDirectory()
        func kind(_ url: URL, limits: ImageLimits = .standard) -> PNGError.Kind? {
            do { _ = try Image(pngFile: url, resizedShorterSideTo: 256, limits: limits); return nil } catch { return error.kind }
        }
        #expect(kind(folder.appendingPathComponent("none.png")) == .missingFile)
        let text = folder.appendingPathComponent("text.png")
        try Data("hello".utf8).write(to: text)
        #expect(kind(text) == .notPNG)
        let good = try Image(width: 300, height: 200, channels: 3, fill: [1, 2, 3]).pngData()
        let cut = folder.appendingPathComponent("cut.png")
        try Data(good.prefix(good.count - 30)).write(to: cut)
        #expect(kind(cut) == .corrupt)
        let strip = folder.appendingPathComponent("strip.png")
        try Image(width: 1, height: 1_000, channels: 1).writePNG(to: strip)
        #expect(kind(strip) == .tooLarge)
        let huge = folder.appendingPathComponent("huge.png")
        try Data(UntrustedImageTests.claiming(width: 1_000_000, height: 1_000_000)).write(to: huge)
        #expect(kind(huge) == .tooLarge)
        let ok = folder.appendingPathComponent("ok.png")
        try Data(good).write(to: ok)
        #expect(kind(ok, limits: ImageLimits(maxPixels: 1_000)) == .tooLarge)
        #expect(kind(ok) == nil)
    }
}
