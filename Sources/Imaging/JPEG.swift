import Foundation
internal import CJPEGShim

// The only file that talks to libjpeg(-turbo), through CJPEGShim: libjpeg's fatal errors longjmp, which
// Swift cannot survive, so the shim catches them in C and returns a code.

/// Why a JPEG could not be read: names the file (or "<memory>") and carries libjpeg's message.
public struct JPEGError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, broadly.
    public enum Kind: Sendable, Equatable {
        /// The data does not start with a JPEG's SOI marker.
        case notJPEG
        /// libjpeg rejected the data.
        case corrupt
        /// The data ends before the image does.
        case truncated
        /// The header announces more pixels than `JPEGDecoding.maximumPixels`.
        case tooLarge
    }
    /// The broad cause.
    public let kind: Kind
    /// The file path, or "<memory>".
    public let source: String
    /// libjpeg's message, or ours.
    public let message: String

    /// One line for the learner: what, where, and libjpeg's reason.
    public var description: String {
        switch kind {
        case .notJPEG: "cannot read JPEG \(source): not a JPEG file (\(message))"
        case .corrupt: "cannot read JPEG \(source): corrupt JPEG data (libjpeg: \(message))"
        case .truncated: "cannot read JPEG \(source): the file is truncated (libjpeg: \(message))"
        case .tooLarge: "cannot read JPEG \(source): image too large (\(message))"
        }
    }
}

/// Limits and header reading for JPEG data.
public enum JPEGDecoding {
    /// The most pixels a JPEG may have (checked from the header, before any pixel is decoded): 50 MP, the
    /// same bound as the PNG reader's (issue 12), about 150 MB of RGB samples.
    public static let maximumPixels = 50_000_000

    /// Whether `bytes` start like a JPEG (SOI marker followed by another marker).
    public static func isJPEG<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        Array(bytes.prefix(3)) == [0xFF, 0xD8, 0xFF]
    }

    /// Width, height and decoded channel count (1 grey, 3 RGB) from the header only.
    public static func header(of data: [UInt8], source: String = "<memory>") throws(JPEGError) -> (width: Int, height: Int, channels: Int) {
        guard isJPEG(data) else { throw JPEGError(kind: .notJPEG, source: source, message: "no SOI marker") }
        var info = sal_jpeg_info()
        let code = data.withUnsafeBufferPointer { sal_jpeg_read_header($0.baseAddress, $0.count, &info) }
        guard code == Int32(SAL_JPEG_OK) else { throw error(code: code, info: &info, source: source) }
        return (Int(info.width), Int(info.height), Int(info.channels))
    }

    static func error(code: Int32, info: inout sal_jpeg_info, source: String) -> JPEGError {
        let message = withUnsafeBytes(of: &info.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        let kind: JPEGError.Kind = switch code {
        case Int32(SAL_JPEG_TRUNCATED): .truncated
        case Int32(SAL_JPEG_TOO_LARGE): .tooLarge
        default: .corrupt
        }
        return JPEGError(kind: kind, source: source, message: message.isEmpty ? "unknown error" : message)
    }
}

extension Image {
    /// Decodes JPEG bytes: greyscale stays one channel; YCbCr, RGB, CMYK and YCCK (Adobe inverted or plain)
    /// become RGB; baseline and progressive. Truncated or corrupt data and images over
    /// `JPEGDecoding.maximumPixels` throw.
    public init(jpegData data: [UInt8], source: String = "<memory>") throws(JPEGError) {
        let header = try JPEGDecoding.header(of: data, source: source)
        guard header.width >= 1, header.height >= 1 else {
            throw JPEGError(kind: .corrupt, source: source, message: "empty image \(header.width)×\(header.height)")
        }
        guard header.width.multipliedReportingOverflow(by: header.height).partialValue <= JPEGDecoding.maximumPixels,
              header.width <= JPEGDecoding.maximumPixels, header.height <= JPEGDecoding.maximumPixels else {
            throw JPEGError(kind: .tooLarge, source: source, message: "\(header.width)×\(header.height) pixels is over "
                + "the limit of \(JPEGDecoding.maximumPixels) (\(JPEGDecoding.maximumPixels / 1_000_000) MP)")
        }
        var pixels = [UInt8](repeating: 0, count: header.width * header.height * header.channels)
        var info = sal_jpeg_info()
        let code = data.withUnsafeBufferPointer { input in
            pixels.withUnsafeMutableBufferPointer { output in
                sal_jpeg_decode(input.baseAddress, input.count, UInt64(JPEGDecoding.maximumPixels),
                                output.baseAddress, output.count, &info)
            }
        }
        guard code == Int32(SAL_JPEG_OK) else { throw JPEGDecoding.error(code: code, info: &info, source: source) }
        self.init(unchecked: header.width, header.height, header.channels, pixels)
    }

    /// Reads a JPEG file (see `init(jpegData:)`).
    public init(jpegFile url: URL) throws(ImageFileError) {
        let bytes = try ImageFile.read(url)
        do {
            try self.init(jpegData: bytes, source: url.path)
        } catch {
            throw .jpeg(error)
        }
    }
}
