import Engine
import Foundation

/// The safetensors format: an 8-byte little-endian header length N, N bytes of JSON
/// (`{"key": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {…}}`), then the
/// data, offsets relative to its start.
enum SafeTensors {
    /// Header length plausible and the JSON starts with `{`.
    static func looksLikeSafeTensors(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 10 else { return false }
        let n = headerLength(bytes)
        return n > 1 && n <= UInt64(bytes.count - 8) && bytes[8] == UInt8(ascii: "{")
    }

    private static func headerLength(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        (0..<8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[$1]) }
    }

    /// Decodes every tensor, in the order of their data in the file.
    static func read(bytes: UnsafeRawBufferPointer, file: String) throws -> StateDict {
        guard bytes.count >= 8 else {
            throw ModelError.truncated(file: file, detail: "safetensors file of \(bytes.count) bytes has no 8-byte header length")
        }
        let length = headerLength(bytes)
        guard length <= UInt64(bytes.count - 8) else {
            throw ModelError.truncated(file: file, detail: "safetensors header length \(length) exceeds the \(bytes.count - 8) bytes after the length field")
        }
        // The format caps the header at 100 MB; a bigger claim is a damaged or crafted file.
        guard length <= 100_000_000 else {
            throw ModelError.corruptCheckpoint(file: file, detail: "safetensors header length \(length) exceeds the format's 100 MB limit")
        }
        let n = Int(length)
        let header: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as? [String: Any] else {
                throw ModelError.corruptCheckpoint(file: file, detail: "safetensors header is not a JSON object")
            }
            header = object
        } catch let error as ModelError {
            throw error
        } catch {
            throw ModelError.corruptCheckpoint(file: file, detail: "safetensors header is not valid JSON (\(error.localizedDescription))")
        }
        let dataStart = 8 + n
        let dataCount = bytes.count - dataStart
        struct Entry { let key: String; let dtype: StoredDType; let shape: [Int]; let begin: Int; let end: Int }
        var entries: [Entry] = []
        for (key, value) in header where key != "__metadata__" {
            guard let info = value as? [String: Any], let dtypeName = info["dtype"] as? String,
                let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2
            else { throw ModelError.corruptCheckpoint(file: file, detail: "safetensors entry '\(key)' lacks dtype, shape or data_offsets") }
            guard let dtype = dtype(dtypeName) else {
                throw ModelError.unsupportedDType(file: file, key: key, dtype: dtypeName)
            }
            let (begin, end) = (offsets[0], offsets[1])
            // Shape and offsets are the file's claims: overflowing products or differences are errors.
            guard let count = CheckedSize.product(shape), let expected = CheckedSize.bytes(count: count, width: dtype.byteWidth),
                let span = CheckedSize.subtract(end, begin), begin >= 0, span == expected
            else {
                throw ModelError.corruptCheckpoint(file: file, detail: "safetensors entry '\(key)': offsets \(offsets) do not hold shape \(shape) of \(dtypeName)")
            }
            guard end <= dataCount else {
                throw ModelError.truncated(file: file, detail: "safetensors entry '\(key)' ends at data byte \(end), the file holds \(dataCount) data bytes")
            }
            entries.append(Entry(key: key, dtype: dtype, shape: shape, begin: begin, end: end))
        }
        entries.sort { ($0.begin, $0.key) < ($1.begin, $1.key) }
        var result = StateDict()
        var budget = DecodeBudget(file: file)
        budget.hold(dataCount)
        for e in entries {
            let slice = UnsafeRawBufferPointer(rebasing: bytes[(dataStart + e.begin)..<(dataStart + e.end)])
            // Cannot fail: the product of the shape was checked above.
            let strides = CheckedSize.contiguousStrides(e.shape) ?? []
            result[e.key] = try TensorDecoding.decode(
                slice, dtype: e.dtype, offset: 0, shape: e.shape, strides: strides,
                file: file, key: e.key, budget: &budget)
        }
        return result
    }

    private static func dtype(_ name: String) -> StoredDType? {
        switch name {
        case "F32": .float32
        case "F64": .float64
        case "F16": .float16
        case "BF16": .bfloat16
        case "I64": .int64
        case "I32": .int32
        case "I16": .int16
        case "I8": .int8
        case "U8": .uint8
        case "BOOL": .bool
        default: nil
        }
    }
}
