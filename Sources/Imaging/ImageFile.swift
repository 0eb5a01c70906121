import Foundation

/// Why a photo file could not be read: a missing or unreadable file, an unknown format, or the decoder's error.
public enum ImageFileError: Error, CustomStringConvertible, Sendable, Equatable {
    /// No such file.
    case missingFile(String)
    /// The file exists but could not be read (a folder, no permission, over the size limit).
    case unreadable(String, reason: String)
    /// Neither PNG nor JPEG by its first bytes.
    case unknownFormat(String)
    /// libpng's error.
    case png(PNGError)
    /// libjpeg's error.
    case jpeg(JPEGError)

    /// One line naming the file and the cause.
    public var description: String {
        switch self {
        case .missingFile(let path): "cannot read image \(path): no such file"
        case .unreadable(let path, let reason): "cannot read image \(path): \(reason)"
        case .unknownFormat(let path): "cannot read image \(path): not a PNG or JPEG file (by its first bytes)"
        case .png(let error): error.description
        case .jpeg(let error): error.description
        }
    }
}

/// The one entry point for photos: PNG or JPEG, told apart by their magic bytes rather than the file name.
public enum ImageFile {
    /// Files larger than this are refused before reading (a 50 MP photo compresses far below it).
    public static let maximumFileBytes = 256 << 20

    /// The container format of a file, by its first bytes.
    public enum Format: Sendable, Equatable {
        case png, jpeg
    }

    /// The format of data starting with `bytes`, nil when neither.
    public static func format<C: Collection<UInt8>>(of bytes: C) -> Format? {
        if Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
        if JPEGDecoding.isJPEG(bytes) { return .jpeg }
        return nil
    }

    /// The whole file, refusing folders, missing files and files over `maximumFileBytes`.
    static func read(_ url: URL) throws(ImageFileError) -> [UInt8] {
        let path = url.path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw .missingFile(path) }
        if isFolder.boolValue { throw .unreadable(path, reason: "it is a folder") }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        if size > maximumFileBytes {
            throw .unreadable(path, reason: "\(size) bytes is over the limit of \(maximumFileBytes) bytes")
        }
        do {
            return [UInt8](try Data(contentsOf: url))
        } catch {
            throw .unreadable(path, reason: error.localizedDescription)
        }
    }

    /// Width and height from the header only (PNG's IHDR, JPEG's SOF), without decoding pixels.
    public static func size(of url: URL) throws(ImageFileError) -> (width: Int, height: Int) {
        let bytes = try read(url)
        switch format(of: bytes) {
        case .png:
            // IHDR is the first chunk: length, "IHDR", then big-endian width and height.
            guard bytes.count >= 24, Array(bytes[12..<16]) == Array("IHDR".utf8) else {
                throw .png(PNGError(kind: .corrupt, source: url.path, message: "no IHDR chunk"))
            }
            let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
            let height = bytes[20..<24].reduce(0) { $0 << 8 | Int($1) }
            return (width, height)
        case .jpeg:
            do {
                let header = try JPEGDecoding.header(of: bytes, source: url.path)
                return (header.width, header.height)
            } catch {
                throw .jpeg(error)
            }
        case nil:
            throw .unknownFormat(url.path)
        }
    }
}

extension Image {
    /// Reads a PNG or JPEG photo, whichever the file's first bytes say it is.
    public init(contentsOf url: URL) throws(ImageFileError) {
        let bytes = try ImageFile.read(url)
        switch ImageFile.format(of: bytes) {
        case .png:
            do { try self.init(pngData: bytes) } catch {
                // pngData names "<memory>"; report the file instead.
                throw .png(PNGError(kind: error.kind, source: url.path, message: error.message))
            }
        case .jpeg:
            do { try self.init(jpegData: bytes, source: url.path) } catch { throw .jpeg(error) }
        case nil:
            throw .unknownFormat(url.path)
        }
    }
}
