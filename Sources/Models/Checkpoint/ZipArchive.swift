import Engine
import Foundation
import ZIPFoundation

/// A read-only view of a zip archive held in memory (usually a memory-mapped checkpoint). Our own parser
/// of the central directory: every size and offset is checked against the bytes the file holds before it is
/// used, so crafted headers (ZIP64 sizes near 2^64, offsets past the end) end in an error, never a trap.
/// Stored entries are read in place; deflated ones are inflated only up to a caller-given size.
struct ZipArchive {
    /// One file of the archive, as its central directory describes it (all ranges inside the file).
    struct Entry {
        let path: String
        /// 0 stored, 8 deflated.
        let method: UInt16
        /// Where the entry's (possibly compressed) bytes lie in the file.
        let data: Range<Int>
        /// The uncompressed size the directory declares (UInt64: ZIP64 allows up to 2^64 − 1).
        let declaredSize: UInt64

        var isCompressed: Bool { method != 0 }
    }

    let bytes: UnsafeRawBufferPointer
    let file: String
    /// Entries by path (the last one wins when a path repeats).
    private(set) var entries: [String: Entry] = [:]
    /// Paths in directory order.
    private(set) var paths: [String] = []

    /// Parses the central directory; throws `.truncated` when there is none and `.corruptCheckpoint` for
    /// entries whose fields do not fit the file.
    init(bytes: UnsafeRawBufferPointer, file: String) throws {
        self.bytes = bytes
        self.file = file
        let directory = try locateDirectory()
        var position = directory.offset
        for index in 0..<directory.count {
            let entry = try readDirectoryEntry(at: &position, index: index, directoryEnd: directory.end)
            if entries.updateValue(entry, forKey: entry.path) == nil { paths.append(entry.path) }
        }
    }

    // MARK: Reading entries

    /// The entry's bytes, at most `limit` of them: stored entries are copied from the file, deflated ones are
    /// inflated and inflation stops as soon as `limit` bytes exist (a deflate bomb never grows past it).
    /// `inflated` counts the bytes produced by inflation, for a per-file budget.
    func contents(of entry: Entry, limit: Int, inflated: inout Int, inflationLimit: Int) throws -> [UInt8] {
        if !entry.isCompressed {
            let n = min(entry.data.count, limit)
            return Array(UnsafeRawBufferPointer(rebasing: bytes[entry.data.lowerBound..<(entry.data.lowerBound + n)]))
        }
        var out = [UInt8]()
        out.reserveCapacity(min(limit, CheckedSize.int(entry.declaredSize) ?? limit, 1 << 24))
        var consumed = 0
        var produced = inflated
        let source = entry.data
        struct Enough: Error {}
        struct OverBudget: Error {}
        struct EndsEarly: Error {}
        do {
            _ = try Data.decompress(
                size: Int64(source.count), bufferSize: 1 << 16, skipCRC32: true,
                provider: { _, chunk in
                    // zlib asks for more until the stream ends: data that stops short must fail, not spin.
                    guard consumed < source.count else { throw EndsEarly() }
                    let n = min(chunk, source.count - consumed)
                    let start = source.lowerBound + consumed
                    consumed += n
                    return Data(UnsafeRawBufferPointer(rebasing: bytes[start..<(start + n)]))
                },
                consumer: { chunk in
                    produced += chunk.count
                    guard produced <= inflationLimit else { throw OverBudget() }
                    out.append(contentsOf: chunk.prefix(limit - out.count))
                    if out.count >= limit { throw Enough() }
                })
        } catch is Enough {
        } catch is OverBudget {
            throw ModelError.corruptCheckpoint(
                file: file,
                detail: "zip entry \(entry.path) inflates beyond the \(inflationLimit >> 20) MiB allowed for compressed entries (torch.save stores entries uncompressed; re-save the checkpoint with torch.save)")
        } catch let error where error is EndsEarly || consumed >= source.count {
            // zlib either asked for more (EndsEarly) or ZIPFoundation gave up once every compressed byte was read:
            // both mean the stream stops short.
            throw ModelError.truncated(file: file, detail: "the compressed data of zip entry \(entry.path) ends before its deflate stream does")
        } catch {
            throw ModelError.corruptCheckpoint(file: file, detail: "zip entry \(entry.path) is not valid deflate data (\(error))")
        }
        inflated = produced
        return out
    }

    // MARK: Central directory

    private struct Directory { let offset: Int; let end: Int; let count: Int }

    private func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
    private func u32(_ at: Int) -> UInt64 { (0..<4).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * $1) } }
    private func u64(_ at: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * $1) } }

    private func corrupt(_ detail: String) -> ModelError { .corruptCheckpoint(file: file, detail: detail) }

    /// Finds the end-of-central-directory record (and its ZIP64 form) and checks the directory lies in the file.
    private func locateDirectory() throws -> Directory {
        let n = bytes.count
        // The record is 22 bytes plus a comment of at most 65,535 bytes, at the very end of the file.
        var eocd: Int?
        if n >= 22 {
            var at = n - 22
            let lowest = max(0, n - 22 - 0xFFFF)
            while at >= lowest {
                if u32(at) == 0x0605_4B50, at + 22 + u16(at + 20) == n { eocd = at; break }
                at -= 1
            }
        }
        guard let eocd else {
            throw ModelError.truncated(file: file, detail: "zip archive without a readable central directory (no end-of-directory record)")
        }
        var count = UInt64(u16(eocd + 10))
        var size = u32(eocd + 12)
        var offset = u32(eocd + 16)
        if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            // ZIP64: a locator right before the record points at the 64-bit end-of-directory record.
            guard eocd >= 20, u32(eocd - 20) == 0x0706_4B50 else {
                throw corrupt("zip end-of-directory record has ZIP64 markers but no ZIP64 locator")
            }
            guard let record = CheckedSize.int(u64(eocd - 12)), record <= n - 56, u32(record) == 0x0606_4B50 else {
                throw corrupt("ZIP64 end-of-directory record is missing or outside the file")
            }
            count = u64(record + 32)
            size = u64(record + 40)
            offset = u64(record + 48)
        }
        // Each directory entry takes at least 46 bytes, so the count cannot exceed the bytes the file holds.
        guard let start = CheckedSize.int(offset), let length = CheckedSize.int(size),
            let end = CheckedSize.add(start, length), end <= n
        else { throw corrupt("zip central directory (offset \(offset), \(size) bytes) lies outside the \(n)-byte file") }
        guard count <= UInt64(length / 46) else {
            throw corrupt("zip central directory claims \(count) entries in \(length) bytes")
        }
        return Directory(offset: start, end: end, count: Int(count))
    }

    /// Reads one central-directory header at `position` and its local header; advances `position`.
    private func readDirectoryEntry(at position: inout Int, index: Int, directoryEnd: Int) throws -> Entry {
        let at = position
        guard directoryEnd - at >= 46, u32(at) == 0x0201_4B50 else {
            throw corrupt("zip central directory entry \(index) at byte \(at) is damaged")
        }
        let flags = u16(at + 8)
        let method = UInt16(u16(at + 10))
        var compressed = u32(at + 20)
        var declared = u32(at + 24)
        let nameLength = u16(at + 28), extraLength = u16(at + 30), commentLength = u16(at + 32)
        var localOffset = u32(at + 42)
        let headerEnd = at + 46 + nameLength + extraLength + commentLength
        guard headerEnd <= directoryEnd else {
            throw corrupt("zip central directory entry \(index) at byte \(at) runs past the directory")
        }
        let path = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(at + 46)..<(at + 46 + nameLength)]), as: UTF8.self)
        // ZIP64 extra field: 64-bit values for those of the three fields that read 0xFFFFFFFF, in this order.
        var extra = at + 46 + nameLength
        let extraEnd = extra + extraLength
        while extraEnd - extra >= 4 {
            let id = u16(extra), length = u16(extra + 2)
            let body = extra + 4
            guard extraEnd - body >= length else { break }
            if id == 0x0001 {
                var field = body
                func next() throws -> UInt64 {
                    guard body + length - field >= 8 else { throw corrupt("zip entry \(path): ZIP64 extra field too short") }
                    defer { field += 8 }
                    return u64(field)
                }
                if declared == 0xFFFF_FFFF { declared = try next() }
                if compressed == 0xFFFF_FFFF { compressed = try next() }
                if localOffset == 0xFFFF_FFFF { localOffset = try next() }
            }
            extra = body + length
        }
        position = headerEnd
        guard flags & 1 == 0 else { throw corrupt("zip entry \(path) is encrypted") }
        guard method == 0 || method == 8 else {
            throw corrupt("zip entry \(path) uses compression method \(method) (only stored and deflated entries are read)")
        }
        guard let local = CheckedSize.int(localOffset), local <= bytes.count - 30, u32(local) == 0x0403_4B50 else {
            throw corrupt("zip entry \(path): local header offset \(localOffset) does not point at a local header")
        }
        let dataStart = local + 30 + u16(local + 26) + u16(local + 28)
        guard let length = CheckedSize.int(compressed), let dataEnd = CheckedSize.add(dataStart, length), dataEnd <= bytes.count else {
            throw ModelError.truncated(file: file, detail: "zip entry \(path) declares \(compressed) bytes at byte \(dataStart), the file has \(bytes.count)")
        }
        if method == 0, declared != compressed {
            throw corrupt("stored zip entry \(path) declares \(declared) bytes but holds \(compressed)")
        }
        return Entry(path: path, method: method, data: dataStart..<dataEnd, declaredSize: declared)
    }
}
