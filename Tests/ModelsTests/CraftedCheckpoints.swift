import Foundation

/// Builders for hand-made checkpoints: pickle opcodes, zip archives (stored, deflated, ZIP64 sizes) and
/// legacy `torch.save` streams, so every crash class of issue 12 has a small, exact regression file.
enum Crafted {
    // MARK: Pickle

    /// A pickle being written opcode by opcode.
    struct Pickle {
        var bytes: [UInt8] = [0x80, 0x02]

        mutating func op(_ code: UInt8) { bytes.append(code) }

        mutating func string(_ s: String) {
            let utf8 = Array(s.utf8)
            bytes.append(0x58)  // BINUNICODE
            withUnsafeBytes(of: UInt32(utf8.count).littleEndian) { bytes += $0 }
            bytes += utf8
        }

        /// Any Int64 as LONG1 with 8 bytes (reaches 2^62 and beyond).
        mutating func int(_ v: Int64) {
            bytes += [0x8A, 8]
            withUnsafeBytes(of: v.littleEndian) { bytes += $0 }
        }

        mutating func global(_ module: String, _ name: String) { bytes += [0x63] + Array("\(module)\n\(name)\n".utf8) }

        mutating func tuple(_ ints: [Int64]) {
            op(0x28)
            for v in ints { int(v) }
            op(0x74)
        }

        /// `_rebuild_tensor_v2(persistent storage, offset, size, stride)`, left on the stack.
        mutating func tensor(storageKey: String, dtype: String = "FloatStorage", storageCount: Int64,
                             offset: Int64 = 0, shape: [Int64], strides: [Int64], legacy: Bool = false) {
            global("torch._utils", "_rebuild_tensor_v2")
            op(0x28)  // MARK: the argument tuple
            op(0x28)  // MARK: the persistent id
            string("storage")
            global("torch", dtype)
            string(storageKey)
            string("cpu")
            int(storageCount)
            if legacy { op(0x4E) }  // NONE: no view metadata
            op(0x74)
            op(0x51)  // BINPERSID
            int(offset)
            tuple(shape)
            tuple(strides)
            op(0x74)
            op(0x52)  // REDUCE
        }

        /// A state dict `{key: tensor, …}` ending in STOP.
        static func stateDict(_ entries: [(String, (inout Pickle) -> Void)]) -> [UInt8] {
            var p = Pickle()
            p.op(0x7D)  // EMPTY_DICT
            for (key, value) in entries {
                p.string(key)
                value(&p)
                p.op(0x73)  // SETITEM
            }
            p.op(0x2E)
            return p.bytes
        }
    }

    // MARK: Zip

    struct ZipEntry {
        var name: String
        /// The bytes as stored in the archive (compressed for method 8).
        var stored: [UInt8]
        var method: UInt16 = 0
        /// Declared uncompressed size; nil = `stored.count`. Values ≥ 0xFFFFFFFF go into a ZIP64 extra field.
        var declaredSize: UInt64? = nil
    }

    static func zip(_ entries: [ZipEntry]) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        func le16(_ v: Int, _ to: inout [UInt8]) { to += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func le32(_ v: UInt64, _ to: inout [UInt8]) { for i in 0..<4 { to.append(UInt8(v >> (8 * UInt64(i)) & 0xFF)) } }
        func le64(_ v: UInt64, _ to: inout [UInt8]) { for i in 0..<8 { to.append(UInt8(v >> (8 * UInt64(i)) & 0xFF)) } }
        for entry in entries {
            let declared = entry.declaredSize ?? UInt64(entry.stored.count)
            let zip64 = declared >= 0xFFFF_FFFF
            var extra: [UInt8] = []
            if zip64 {
                le16(1, &extra)
                le16(8, &extra)
                le64(declared, &extra)
            }
            let name = Array(entry.name.utf8)
            let offset = UInt64(out.count)
            le32(0x0403_4B50, &out)
            le16(zip64 ? 45 : 20, &out)
            le16(0, &out)
            le16(Int(entry.method), &out)
            le32(0, &out)  // time, date
            le32(0, &out)  // crc (not checked)
            le32(UInt64(entry.stored.count), &out)
            le32(zip64 ? 0xFFFF_FFFF : declared, &out)
            le16(name.count, &out)
            le16(extra.count, &out)
            out += name + extra + entry.stored

            le32(0x0201_4B50, &central)
            le16(zip64 ? 45 : 20, &central)
            le16(zip64 ? 45 : 20, &central)
            le16(0, &central)
            le16(Int(entry.method), &central)
            le32(0, &central)
            le32(0, &central)
            le32(UInt64(entry.stored.count), &central)
            le32(zip64 ? 0xFFFF_FFFF : declared, &central)
            le16(name.count, &central)
            le16(extra.count, &central)
            le16(0, &central)  // comment
            le16(0, &central)  // disk
            le16(0, &central)  // internal attributes
            le32(0, &central)  // external attributes
            le32(offset, &central)
            central += name + extra
        }
        let directoryOffset = UInt64(out.count)
        out += central
        le32(0x0605_4B50, &out)
        le16(0, &out)
        le16(0, &out)
        le16(entries.count, &out)
        le16(entries.count, &out)
        le32(UInt64(central.count), &out)
        le32(directoryOffset, &out)
        le16(0, &out)
        return out
    }

    /// A torch zip checkpoint: `archive/data.pkl` plus storages `archive/data/<key>`.
    static func torchZip(pickle: [UInt8], storages: [ZipEntry]) -> [UInt8] {
        zip([ZipEntry(name: "archive/data.pkl", stored: pickle)]
            + storages.map { ZipEntry(name: "archive/data/" + $0.name, stored: $0.stored, method: $0.method, declaredSize: $0.declaredSize) })
    }

    /// A raw deflate stream of `count` zero bytes made of fixed-Huffman length-258 matches (about 160:1).
    static func deflatedZeros(_ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        var bitBuffer: UInt64 = 0
        var bitCount: UInt64 = 0
        func bits(_ value: UInt64, _ n: UInt64) {
            bitBuffer |= value << bitCount
            bitCount += n
            while bitCount >= 8 { out.append(UInt8(bitBuffer & 0xFF)); bitBuffer >>= 8; bitCount -= 8 }
        }
        // Huffman codes are sent most significant bit first.
        func code(_ value: UInt64, _ n: UInt64) {
            var reversed: UInt64 = 0
            for i in 0..<n where value & (1 << i) != 0 { reversed |= 1 << (n - 1 - i) }
            bits(reversed, n)
        }
        bits(1, 1)  // BFINAL
        bits(1, 2)  // fixed Huffman
        code(0x30, 8)  // literal 0
        var left = count - 1
        while left >= 258 {
            code(0b1100_0101, 8)  // length code 285 = 258
            code(0, 5)  // distance code 0 = 1
            left -= 258
        }
        for _ in 0..<left { code(0x30, 8) }
        code(0, 7)  // end of block (256)
        if bitCount > 0 { out.append(UInt8(bitBuffer & 0xFF)) }
        return out
    }

    // MARK: Legacy

    /// A legacy `torch.save` stream: magic, version, sys_info, the state dict pickle, the key list, then per
    /// storage an int64 element count and its data.
    static func legacy(pickle: [UInt8], storages: [(key: String, count: Int64, data: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E]
        out += [0x80, 0x02, 0x4D, 0xE9, 0x03, 0x2E]  // 1001
        out += [0x80, 0x02, 0x7D, 0x2E]  // {}
        out += pickle
        var keys = Pickle()
        keys.op(0x28)
        for storage in storages { keys.string(storage.key) }
        keys.op(0x6C)  // LIST
        keys.op(0x2E)
        out += keys.bytes
        for storage in storages {
            withUnsafeBytes(of: storage.count.littleEndian) { out += $0 }
            out += storage.data
        }
        return out
    }

    /// Little-endian Float32 bytes.
    static func floats(_ values: [Float]) -> [UInt8] {
        var out: [UInt8] = []
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out += $0 } }
        return out
    }

    /// Writes `bytes` to a fresh temporary file named `name`.
    static func file(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crafted-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }
}
