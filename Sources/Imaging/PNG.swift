import Engine
import Foundation
internal import CPNG
internal import CPNGRows

// The only file that talks to libpng. It uses the "simplified" API (png_image_*) because the classic API
// reports errors through setjmp/longjmp, which Swift cannot catch.

/// Why a PNG could not be read or written: names the file (or "<memory>") and carries libpng's own message.
public struct PNGError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, broadly.
    public enum Kind: Sendable, Equatable {
        /// The file does not exist.
        case missingFile
        /// The data does not start with the PNG signature (not a PNG at all, or empty).
        case notPNG
        /// The data starts like a PNG but is corrupt or truncated.
        case corrupt
        /// libpng could not encode or store the image.
        case writeFailed
        /// The header declares an image larger than `ImageLimits` allow; nothing was decoded.
        case tooLarge
    }
    /// The broad cause.
    public let kind: Kind
    /// The file path, or "<memory>" for in-memory data.
    public let source: String
    /// libpng's message (png_image.message), or ours when libpng gave none.
    public let message: String

    /// One line for the learner: what, where, and libpng's reason (clipped: the path and message come from
    /// outside).
    public var description: String { MessageText.clipped(text) }

    private var text: String {
        switch kind {
        case .missingFile: return "cannot read PNG \(source): no such file (libpng: \(message))"
        case .notPNG: return "cannot read PNG \(source): not a PNG file (libpng: \(message))"
        case .corrupt: return "cannot read PNG \(source): corrupt or truncated PNG data (libpng: \(message))"
        case .writeFailed: return "cannot write PNG \(source) (libpng: \(message))"
        case .tooLarge: return "cannot read PNG \(source): image too large: \(message)"
        }
    }
}

// png.h's format macros are compound expressions Swift does not import; these are their documented values.
private let formatFlagAlpha: UInt32 = 0x01
private let formatFlagColor: UInt32 = 0x02
private let imageFlag16BitSRGB: UInt32 = 0x04

private let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

/// Tells a file that is no PNG at all from a damaged one by its first eight bytes.
private func failureKind<C: Collection<UInt8>>(leadingBytes: C) -> PNGError.Kind {
    leadingBytes.count >= 8 && Array(leadingBytes.prefix(8)) == pngSignature ? .corrupt : .notPNG
}

private func leadingBytes(ofFile path: String) -> [UInt8] {
    guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
    defer { try? handle.close() }
    return [UInt8]((try? handle.read(upToCount: 8)) ?? Data())
}

private func libpngMessage(_ image: inout png_image) -> String {
    let text = withUnsafeBytes(of: &image.message) { raw -> String in
        let bytes = raw.prefix { $0 != 0 }
        return String(decoding: bytes, as: UTF8.self)
    }
    return text.isEmpty ? "unknown error" : text
}

extension Image {
    /// Reads a PNG file as 8-bit grey, RGB or RGBA (grey+alpha becomes RGBA, palettes expand, 16-bit becomes 8-bit).
    /// An image over `limits` is refused from its header, before any pixel buffer exists.
    public init(pngFile url: URL, limits: ImageLimits = .standard) throws(PNGError) {
        let path = url.path
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_file(&image, path) != 0 else {
            let message = libpngMessage(&image)
            png_image_free(&image)
            let missing = !FileManager.default.fileExists(atPath: path)
            let kind = missing ? .missingFile : failureKind(leadingBytes: leadingBytes(ofFile: path))
            throw PNGError(kind: kind, source: path, message: message)
        }
        self = try Image.finishRead(&image, source: path, kind: .corrupt, limits: limits)
    }

    /// Decodes PNG bytes held in memory (same conversions as `init(pngFile:)`).
    public init(pngData data: [UInt8], limits: ImageLimits = .standard) throws(PNGError) {
        let decoded: Result<Image, PNGError> = data.withUnsafeBytes { raw in
            var image = png_image()
            image.version = UInt32(PNG_IMAGE_VERSION)
            guard let base = raw.baseAddress,
                png_image_begin_read_from_memory(&image, base, raw.count) != 0
            else {
                let message = raw.count == 0 ? "empty input" : libpngMessage(&image)
                png_image_free(&image)
                return .failure(PNGError(kind: failureKind(leadingBytes: raw), source: "<memory>", message: message))
            }
            // libpng reads from `base` until finish_read returns, so finish inside this closure.
            do throws(PNGError) {
                return .success(try Image.finishRead(&image, source: "<memory>", kind: .corrupt, limits: limits))
            } catch {
                return .failure(error)
            }
        }
        self = try decoded.get()
    }

    /// Picks the 8-bit output format for what the file stores, then decodes into it.
    private static func finishRead(
        _ image: inout png_image, source: String, kind: PNGError.Kind, limits: ImageLimits
    ) throws(PNGError) -> Image {
        // begin_read has parsed only the header: refuse oversized images before sizing any buffer from it.
        if let problem = limits.violation(width: Int(image.width), height: Int(image.height)) {
            png_image_free(&image)
            throw PNGError(kind: .tooLarge, source: source, message: problem)
        }
        let stored = image.format
        let hasColor = stored & formatFlagColor != 0
        let hasAlpha = stored & formatFlagAlpha != 0
        // Grey+alpha has no slot in our 1/3/4 scheme, so it widens to RGBA.
        let channels = hasAlpha ? 4 : (hasColor ? 3 : 1)
        image.format = hasAlpha ? (formatFlagColor | formatFlagAlpha) : (hasColor ? formatFlagColor : 0)
        // 16-bit samples without a gAMA chunk would otherwise be treated as linear and gamma-encoded;
        // this flag makes the 16→8 conversion a plain rescale of the stored values.
        image.flags |= imageFlag16BitSRGB
        let width = Int(image.width)
        let height = Int(image.height)
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        let ok = pixels.withUnsafeMutableBytes { buffer in
            png_image_finish_read(&image, nil, buffer.baseAddress, 0, nil)
        }
        guard ok != 0 else {
            let message = libpngMessage(&image)
            png_image_free(&image)
            throw PNGError(kind: kind, source: source, message: message)
        }
        png_image_free(&image)
        return Image(unchecked: width, height, channels, pixels)
    }

    /// Reads a PNG file as RGB (alpha composited over white) resized so its shorter side is `side`: the same
    /// pixels as `Image(pngFile:).rgb().resizedShorterSide(to:)`, but plain 8-bit files are decoded one row at a
    /// time into horizontally resized rows, so a big photo never exists whole in memory. The size and the
    /// resized size are checked against `limits` from the header, before any pixel is decoded.
    public init(pngFile url: URL, resizedShorterSideTo side: Int, limits: ImageLimits = .standard) throws(PNGError) {
        let path = url.path
        var limits = limits
        limits.resizedShorterSide = side
        let sink = PNGRowSink(side: side, limits: limits)
        var message = [CChar](repeating: 0, count: 256)
        let status = message.withUnsafeMutableBufferPointer { text in
            png_rows_read(path, Unmanaged.passUnretained(sink).toOpaque(), { context, width, height, channels in
                Unmanaged<PNGRowSink>.fromOpaque(context!).takeUnretainedValue().start(Int(width), Int(height), Int(channels))
            }, { context, row, y in
                Unmanaged<PNGRowSink>.fromOpaque(context!).takeUnretainedValue().take(row!, Int(y))
            }, text.baseAddress, text.count)
        }
        switch Int(status) {
        case Int(PNG_ROWS_DONE):
            self = sink.finish()
        case Int(PNG_ROWS_UNSUPPORTED):
            // Interlaced, palette, 16-bit or transparency-keyed files: png_image decodes them whole (within the limits).
            self = try Image(pngFile: url, limits: limits).rgb().resizedShorterSide(to: side)
        case Int(PNG_ROWS_STOPPED):
            throw PNGError(kind: .tooLarge, source: path, message: sink.problem ?? "refused")
        default:
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let missing = !FileManager.default.fileExists(atPath: path)
            let kind = missing ? .missingFile : failureKind(leadingBytes: leadingBytes(ofFile: path))
            throw PNGError(kind: kind, source: path, message: text.isEmpty ? "unknown error" : text)
        }
    }

    /// A png_image header describing this image's 8-bit samples.
    private func pngHeader() -> png_image {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        switch channels {
        case 1: image.format = 0
        case 3: image.format = formatFlagColor
        default: image.format = formatFlagColor | formatFlagAlpha
        }
        return image
    }

    /// Writes the image as an 8-bit PNG file; `fast` trades size for speed (no filters, light compression: about
    /// 3× faster, files ~1.5× larger), for images that are looked at once and not published.
    public func writePNG(to url: URL, fast: Bool = false) throws(PNGError) {
        let path = url.path
        var image = pngHeader()
        if fast { image.flags |= UInt32(PNG_IMAGE_FLAG_FAST) }
        let ok = pixels.withUnsafeBytes { raw in
            png_image_write_to_file(&image, path, 0, raw.baseAddress, 0, nil)
        }
        guard ok != 0 else {
            let message = libpngMessage(&image)
            png_image_free(&image)
            throw PNGError(kind: .writeFailed, source: path, message: message)
        }
        png_image_free(&image)
    }

    /// Encodes the image as PNG bytes.
    public func pngData() throws(PNGError) -> [UInt8] {
        var image = pngHeader()
        var size = 0
        // First call with no buffer asks libpng for the encoded size.
        let sized = pixels.withUnsafeBytes { raw in
            png_image_write_to_memory(&image, nil, &size, 0, raw.baseAddress, 0, nil)
        }
        guard sized != 0, size > 0 else {
            let message = libpngMessage(&image)
            png_image_free(&image)
            throw PNGError(kind: .writeFailed, source: "<memory>", message: message)
        }
        var out = [UInt8](repeating: 0, count: size)
        let ok = out.withUnsafeMutableBytes { dest in
            pixels.withUnsafeBytes { raw in
                png_image_write_to_memory(&image, dest.baseAddress, &size, 0, raw.baseAddress, 0, nil)
            }
        }
        guard ok != 0 else {
            let message = libpngMessage(&image)
            png_image_free(&image)
            throw PNGError(kind: .writeFailed, source: "<memory>", message: message)
        }
        png_image_free(&image)
        return Array(out.prefix(size))
    }
}

/// Receives decoded rows from libpng and resizes each horizontally as it arrives (see
/// `Image.init(pngFile:resizedShorterSideTo:limits:)`).
private final class PNGRowSink {
    let side: Int
    let limits: ImageLimits
    /// Why the header was refused.
    var problem: String?
    private var width = 0, height = 0, channels = 0
    private var target = (width: 0, height: 0)
    private var coefficients: ResampleCoefficients?
    /// One source row as RGB.
    private var rgbRow: [UInt8] = []
    /// The horizontally resized rows, `target.width × height × 3`.
    private var rows: [UInt8] = []

    init(side: Int, limits: ImageLimits) {
        self.side = side
        self.limits = limits
    }

    /// Checks the header against the limits and sizes the buffers; nonzero stops the read.
    func start(_ width: Int, _ height: Int, _ channels: Int) -> Int32 {
        if let problem = limits.violation(width: width, height: height) {
            self.problem = problem
            return 1
        }
        guard let size = ImageLimits.shorterSideSize(width: width, height: height, side: side) else {
            problem = "its size \(width)×\(height) cannot be resized"
            return 1
        }
        (self.width, self.height, self.channels, target) = (width, height, channels, size)
        if size.width != width { coefficients = bilinearCoefficients(inSize: width, outSize: size.width, antialias: true) }
        rgbRow = [UInt8](repeating: 0, count: width * 3)
        // Within the limits: target.width × height ≤ max(width, target.width) × max(height, target.height).
        rows = [UInt8](repeating: 0, count: size.width * height * 3)
        return 0
    }

    /// Converts one row to RGB as `Image.rgb()` does, then resizes it into place.
    func take(_ row: UnsafePointer<UInt8>, _ y: Int) -> Int32 {
        guard y < height else { return 1 }
        rgbRow.withUnsafeMutableBufferPointer { rgb in
            let c = channels
            for x in 0..<width {
                let s = x &* c
                let d = x &* 3
                switch c {
                case 1, 2:
                    let v = c == 2 ? PNGRowSink.over(row[s], alpha: row[s &+ 1]) : row[s]
                    rgb[d] = v
                    rgb[d &+ 1] = v
                    rgb[d &+ 2] = v
                case 3:
                    rgb[d] = row[s]
                    rgb[d &+ 1] = row[s &+ 1]
                    rgb[d &+ 2] = row[s &+ 2]
                default:
                    let a = row[s &+ 3]
                    rgb[d] = PNGRowSink.over(row[s], alpha: a)
                    rgb[d &+ 1] = PNGRowSink.over(row[s &+ 1], alpha: a)
                    rgb[d &+ 2] = PNGRowSink.over(row[s &+ 2], alpha: a)
                }
            }
        }
        let offset = y &* target.width &* 3
        rgbRow.withUnsafeBufferPointer { src in
            rows.withUnsafeMutableBufferPointer { dst in
                if let k = coefficients {
                    Image.resampleRow(src, at: 0, into: dst, at: offset, newWidth: target.width, channels: 3, k)
                } else {
                    for i in 0..<src.count { dst[offset &+ i] = src[i] }
                }
            }
        }
        return 0
    }

    /// Integer "over" white with rounding, as `Image.rgb()`: (v·a + 255·(255−a) + 127) / 255.
    @inline(__always) static func over(_ v: UInt8, alpha: UInt8) -> UInt8 {
        let a = Int(alpha)
        return UInt8((Int(v) &* a &+ 255 &* (255 &- a) &+ 127) / 255)
    }

    /// The resized image once every row has arrived.
    func finish() -> Image {
        let horizontal = Image(unchecked: target.width, height, 3, rows)
        return target.height == height ? horizontal : horizontal.resampledVertically(to: target.height, antialias: true)
    }
}
