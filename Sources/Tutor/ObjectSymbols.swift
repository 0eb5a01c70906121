import Foundation

/// The global symbols of one ELF relocatable object (`.o`): those it defines and those it needs from elsewhere.
/// Read to learn which parts of a lesson program can reach which others' code and data (see `SideBySideChecks`).
struct ObjectSymbols {
    /// Global and weak symbols with a definition in this object.
    var defined: Set<String> = []
    /// Symbols the object uses but another file must define.
    var undefined: Set<String> = []

    /// The symbols of the object at `path`; nil when it is not a 64-bit little-endian ELF file or is malformed.
    init?(path: String) {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard let parsed = data.withUnsafeBytes({ Self.parse($0) }) else { return nil }
        self = parsed
    }

    private init() {}

    private static func parse(_ bytes: UnsafeRawBufferPointer) -> ObjectSymbols? {
        func integer<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T? {
            guard offset >= 0, offset + MemoryLayout<T>.size <= bytes.count else { return nil }
            return T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        }
        // ELF magic, 64-bit class (2), little-endian data (1).
        guard bytes.count >= 64, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46,
              bytes[4] == 2, bytes[5] == 1,
              let tableOffset = integer(0x28, UInt64.self), let entrySize = integer(0x3A, UInt16.self),
              let count = integer(0x3C, UInt16.self), entrySize >= 64, tableOffset < UInt64(bytes.count) else { return nil }
        struct Section { var type: UInt32, offset: Int, size: Int, link: Int, entrySize: Int }
        var sections: [Section] = []
        for i in 0..<Int(count) {
            let base = Int(tableOffset) + i * Int(entrySize)
            guard let type = integer(base + 4, UInt32.self), let offset = integer(base + 0x18, UInt64.self),
                  let size = integer(base + 0x20, UInt64.self), let link = integer(base + 0x28, UInt32.self),
                  let entry = integer(base + 0x38, UInt64.self),
                  offset <= UInt64(bytes.count), size <= UInt64(bytes.count) - offset else { return nil }
            sections.append(Section(type: type, offset: Int(offset), size: Int(size), link: Int(link), entrySize: Int(entry)))
        }
        var symbols = ObjectSymbols()
        for table in sections where table.type == 2 {  // SHT_SYMTAB
            guard table.entrySize >= 24, table.link < sections.count else { return nil }
            let strings = sections[table.link]
            for index in 1..<max(1, table.size / table.entrySize) {
                let base = table.offset + index * table.entrySize
                guard let nameOffset = integer(base, UInt32.self), let section = integer(base + 6, UInt16.self) else { return nil }
                let binding = bytes[base + 4] >> 4
                guard binding == 1 || binding == 2 else { continue }  // global or weak
                let start = strings.offset + Int(nameOffset)
                guard Int(nameOffset) < strings.size else { return nil }
                var end = start
                while end < strings.offset + strings.size && bytes[end] != 0 { end += 1 }
                let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                if section == 0 { symbols.undefined.insert(name) } else { symbols.defined.insert(name) }
            }
        }
        return symbols
    }
}
