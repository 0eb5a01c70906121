import Foundation

/// Errors reading or writing `.npy` files; each names the file.
public enum NPYError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case badMagic(path: String)
    case badHeader(path: String, reason: String)
    case unsupportedDType(path: String, dtype: String)
    case fortranOrder(path: String)
    case truncated(path: String, expectedBytes: Int, actualBytes: Int)
    case wrongDType(path: String, expected: String, actual: String)

    /// A message naming the file and what would be valid.
    public var description: String { MessageText.clipped(message) }

    private var message: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): cannot read .npy file (\(reason))"
        case .badMagic(let path): "\(path): not a .npy file (missing the \\x93NUMPY magic)"
        case .badHeader(let path, let reason): "\(path): malformed .npy header (\(reason))"
        case .unsupportedDType(let path, let dtype):
            "\(path): unsupported dtype '\(dtype)'; supported: '<f4' (float32) and '<i8' (int64)"
        case .fortranOrder(let path): "\(path): Fortran-ordered arrays are not supported; save with C order"
        case .truncated(let path, let expected, let actual):
            "\(path): truncated data: expected \(expected) bytes after the header, found \(actual)"
        case .wrongDType(let path, let expected, let actual): "\(path): expected dtype \(expected), found \(actual)"
        }
    }
}

/// The contents of an `.npy` file.
public enum NPYArray: Equatable {
    /// float32 ('<f4') data with its shape.
    case float32([Float], [Int])
    /// int64 ('<i8') data with its shape.
    case int64([Int64], [Int])

    /// The array's shape.
    public var shape: [Int] {
        switch self {
        case .float32(_, let s), .int64(_, let s): s
        }
    }
}

/// Reading and writing NumPy `.npy` files (versions 1.0–3.0 headers, little-endian, C order).
public enum NPY {
    /// Reads a float32 or int64 array.
    public static func read(_ url: URL) throws -> NPYArray {
        let path = url.path
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw NPYError.unreadable(path: path, reason: error.localizedDescription)
        }
        return try parse([UInt8](data), path: path)
    }

    /// Parses the bytes of an `.npy` file; `path` is used in error messages.
    public static func parse(_ bytes: [UInt8], path: String = "<memory>") throws -> NPYArray {
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw NPYError.badMagic(path: path) }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw NPYError.badHeader(path: path, reason: "file ends inside the header length") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            headerStart = 12
        default:
            throw NPYError.badHeader(path: path, reason: "unknown format version \(major)")
        }
        guard bytes.count >= headerStart + headerLength else {
            throw NPYError.badHeader(path: path, reason: "file ends inside the header")
        }
        guard let header = String(bytes: bytes[headerStart..<(headerStart + headerLength)], encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw NPYError.badHeader(path: path, reason: "header is not text")
        }
        let descr = try headerValue(header, key: "descr", path: path)
        let fortran = try headerValue(header, key: "fortran_order", path: path)
        let shapeText = try headerValue(header, key: "shape", path: path)
        let dtype = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
        if fortran.hasPrefix("True") { throw NPYError.fortranOrder(path: path) }
        guard fortran.hasPrefix("False") else { throw NPYError.badHeader(path: path, reason: "fortran_order is '\(fortran)'") }
        let shape = try parseShape(shapeText, path: path)
        let width: Int
        switch dtype {
        case "<f4", "|f4", "f4": width = 4
        case "<i8", "i8": width = 8
        default: throw NPYError.unsupportedDType(path: path, dtype: dtype)
        }
        // The shape is the file's claim: its byte size must be computable and must fit the bytes that follow.
        // Zeros aside, the product must fit too: tensor code multiplies the dimensions in order.
        guard let count = CheckedSize.product(shape), CheckedSize.product(shape.lazy.filter { $0 != 0 }) != nil,
            let byteCount = CheckedSize.bytes(count: count, width: width)
        else {
            throw NPYError.badHeader(path: path, reason: "shape \(shape) has more elements than memory can address")
        }
        let dataStart = headerStart + headerLength
        let available = bytes.count - dataStart
        guard available >= byteCount else {
            throw NPYError.truncated(path: path, expectedBytes: byteCount, actualBytes: available)
        }
        return bytes.withUnsafeBytes { src in
            let data = UnsafeRawBufferPointer(rebasing: src[dataStart..<(dataStart + byteCount)])
            if width == 4 {
                var values = [Float](repeating: 0, count: count)
                values.withUnsafeMutableBytes { $0.copyMemory(from: data) }
                return .float32(values, shape)
            }
            var values = [Int64](repeating: 0, count: count)
            values.withUnsafeMutableBytes { $0.copyMemory(from: data) }
            return .int64(values, shape)
        }
    }

    /// The text after `'key':` up to the next top-level comma or closing brace.
    private static func headerValue(_ header: String, key: String, path: String) throws -> String {
        guard let range = header.range(of: "'\(key)':") ?? header.range(of: "\"\(key)\":") else {
            throw NPYError.badHeader(path: path, reason: "no '\(key)' entry")
        }
        var depth = 0
        var value = ""
        for ch in header[range.upperBound...] {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1 }
            if depth == 0 && (ch == "," || ch == "}") { break }
            value.append(ch)
            if depth < 0 { break }
        }
        return value.trimmingCharacters(in: .whitespaces)
    }

    private static func parseShape(_ text: String, path: String) throws -> [Int] {
        let inner = text.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
        if inner.isEmpty { return [] }
        var dims = [Int]()
        for part in inner.split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "L", with: "")
            if t.isEmpty { continue }
            guard let d = Int(t), d >= 0 else { throw NPYError.badHeader(path: path, reason: "bad shape \(text)") }
            dims.append(d)
        }
        return dims
    }

    /// Encodes a float32 or int64 array as `.npy` bytes (version 1.0).
    public static func encode(_ array: NPYArray) -> [UInt8] {
        let (descr, shape): (String, [Int]) = switch array {
        case .float32(_, let s): ("<f4", s)
        case .int64(_, let s): ("<i8", s)
        }
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0]
        let length = header.utf8.count
        bytes += [UInt8(length & 0xFF), UInt8(length >> 8)]
        bytes += Array(header.utf8)
        switch array {
        case .float32(let v, _): v.withUnsafeBytes { bytes += $0 }
        case .int64(let v, _): v.withUnsafeBytes { bytes += $0 }
        }
        return bytes
    }

    /// Writes an array to `url`.
    public static func write(_ array: NPYArray, to url: URL) throws {
        do { try Data(encode(array)).write(to: url) } catch {
            throw NPYError.unreadable(path: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}

extension Tensor {
    /// Reads a float32 `.npy` file (int64 files are rejected; use `NPY.read`).
    public init(npyFile url: URL) throws {
        switch try NPY.read(url) {
        case .float32(let values, let shape): self.init(shape: shape, scalars: values)
        case .int64: throw NPYError.wrongDType(path: url.path, expected: "'<f4' (float32)", actual: "'<i8' (int64)")
        }
    }

    /// Writes the tensor as a float32 `.npy` file.
    public func writeNPY(to url: URL) throws {
        try NPY.write(.float32(scalars, shape), to: url)
    }
}
