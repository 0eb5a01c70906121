import Engine
import Foundation

/// Reads a state dict from a safetensors file or a PyTorch checkpoint (zip or legacy `torch.save` format),
/// choosing the format from the file's first bytes. No Python is involved.
public func loadStateDict(from url: URL) throws -> StateDict {
    let file = url.path
    if !FileManager.default.fileExists(atPath: file), url.lastPathComponent == DefaultWeights.efficientnetLite0FileName {
        throw ModelError.defaultWeightsMissing(searched: DefaultWeights.candidateURLs(fileName: url.lastPathComponent).map(\.path))
    }
    // Memory-mapped: tensors are decoded straight from the file's pages, without a copy of the whole file.
    let data: Data
    do {
        data = try Data(contentsOf: url, options: .alwaysMapped)
    } catch {
        throw ModelError.unreadable(file: file, detail: (error as NSError).localizedDescription)
    }
    return try loadStateDict(data: data, name: file)
}

/// Reads a state dict from checkpoint bytes held in memory (any of the formats `loadStateDict(from:)` reads);
/// `name` stands for the file in error messages (a `.safetensors` suffix also selects that format).
public func loadStateDict(data: Data, name file: String) throws -> StateDict {
    try data.withUnsafeBytes { bytes in
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            return try TorchCheckpoint.readZip(bytes: bytes, file: file)
        }
        if bytes.starts(with: TorchCheckpoint.legacyPrefix) {
            return try TorchCheckpoint.readLegacy(bytes: bytes, file: file)
        }
        if SafeTensors.looksLikeSafeTensors(bytes) || file.lowercased().hasSuffix(".safetensors") {
            return try SafeTensors.read(bytes: bytes, file: file)
        }
        if bytes.count < 16 {
            throw ModelError.notACheckpoint(file: file, reason: "only \(bytes.count) bytes")
        }
        if bytes.first == 0x80 {
            throw ModelError.notACheckpoint(file: file, reason: "a pickle stream without torch.save's magic number")
        }
        let hex = bytes.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
        throw ModelError.notACheckpoint(file: file, reason: "unrecognised leading bytes \(hex)")
    }
}

/// PyTorch's two checkpoint layouts.
enum TorchCheckpoint {
    /// `pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2)`: PROTO 2, LONG1 of 10 bytes, the magic, STOP.
    static let legacyPrefix: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E]

    // MARK: Legacy stream

    /// Legacy layout: magic pickle, protocol-version pickle, sys_info pickle, the object pickle (tensors point
    /// at storages by persistent id), a pickled list of storage keys, then per key an int64 element count and
    /// the raw little-endian data.
    static func readLegacy(bytes: UnsafeRawBufferPointer, file: String) throws -> StateDict {
        var refs: [String: StorageRef] = [:]
        var unpickler = Unpickler(bytes: bytes, start: legacyPrefix.count, file: file)
        let version = try unpickler.load()
        guard version.int == 1001 else {
            throw ModelError.notACheckpoint(file: file, reason: "legacy protocol version \(version.int.map(String.init) ?? version.typeName), expected 1001")
        }
        let sysInfo = try unpickler.load()
        if case let .dict(info) = sysInfo,
            let endian = info.pairs.first(where: { $0.key.string == "little_endian" }),
            case .bool(false) = endian.value {
            throw ModelError.notACheckpoint(file: file, reason: "written on a big-endian machine")
        }
        unpickler = Unpickler(bytes: bytes, start: unpickler.position, file: file) { pid in
            let ref = try storageRef(pid, file: file, legacy: true)
            if let known = refs[ref.key], known.dtype != ref.dtype {
                throw ModelError.malformedPickle(file: file, detail: "storage \(ref.key) used as \(known.dtype) and \(ref.dtype)")
            }
            if refs[ref.key] == nil || refs[ref.key]!.count < ref.count { refs[ref.key] = ref }
            return .storage(ref)
        }
        let root = try unpickler.load()
        var keyReader = Unpickler(bytes: bytes, start: unpickler.position, file: file)
        guard let keyList = try keyReader.load().elements else {
            throw ModelError.malformedPickle(file: file, detail: "the storage key list after the state dict is not a list")
        }
        var position = keyReader.position
        var storages: [String: Range<Int>] = [:]
        for item in keyList {
            guard let key = item.string else { throw ModelError.malformedPickle(file: file, detail: "storage key is \(item.typeName)") }
            guard let ref = refs[key] else {
                throw ModelError.malformedPickle(file: file, detail: "storage \(key) is in the key list but no tensor uses it")
            }
            guard bytes.count - position >= 8 else {
                throw ModelError.truncated(file: file, detail: "storage \(key): element count missing at byte \(position)")
            }
            var count: UInt64 = 0
            for i in (0..<8).reversed() { count = count << 8 | UInt64(bytes[position + i]) }
            position += 8
            // The count is the file's claim: its byte size must be computable and lie in the rest of the file.
            guard let elements = CheckedSize.int(Int64(bitPattern: count)), elements >= 0,
                let length = CheckedSize.bytes(count: elements, width: ref.dtype.byteWidth)
            else {
                throw ModelError.corruptCheckpoint(file: file, detail: "storage \(key) declares an impossible element count \(Int64(bitPattern: count)) at byte \(position - 8)")
            }
            guard length <= bytes.count - position else {
                throw ModelError.truncated(file: file, detail: "storage \(key) needs \(elements) × \(ref.dtype.byteWidth) bytes at byte \(position), the file has \(bytes.count - position) left")
            }
            storages[key] = position..<(position + length)
            position += length
        }
        var budget = DecodeBudget(file: file)
        return try makeStateDict(root, file: file, budget: &budget) { ref, _, decode in
            guard let range = storages[ref.key] else {
                throw ModelError.corruptCheckpoint(file: file, detail: "storage \(ref.key) is not in the file's storage list")
            }
            try decode(UnsafeRawBufferPointer(rebasing: bytes[range]))
        }
    }

    // MARK: Zip archive

    /// Zip layout (`torch.save` since 1.6): `<folder>/data.pkl` with persistent ids `('storage', type, key,
    /// location, numel)` and one entry `<folder>/data/<key>` per storage. Storages are read one at a time,
    /// each only as far as its tensors reach, and freed once its tensors are decoded.
    static func readZip(bytes: UnsafeRawBufferPointer, file: String) throws -> StateDict {
        let archive = try ZipArchive(bytes: bytes, file: file)
        guard let picklePath = archive.paths.first(where: { $0 == "data.pkl" || $0.hasSuffix("/data.pkl") }),
            let pickleEntry = archive.entries[picklePath]
        else {
            throw ModelError.notACheckpoint(file: file, reason: "a zip archive without data.pkl")
        }
        var budget = DecodeBudget(file: file)
        var inflated = 0
        let folder = String(picklePath.dropLast("data.pkl".count))
        if let order = archive.entries[folder + "byteorder"],
            let text = try? archive.contents(of: order, limit: 16, inflated: &inflated, inflationLimit: CheckpointLimits.maxInflatedBytes),
            String(decoding: text, as: UTF8.self).hasPrefix("big") {
            throw ModelError.notACheckpoint(file: file, reason: "big-endian tensor data")
        }
        let pickle = try archive.contents(
            of: pickleEntry, limit: CheckpointLimits.maxPickleBytes + 1, inflated: &inflated,
            inflationLimit: CheckpointLimits.maxInflatedBytes)
        guard pickle.count <= CheckpointLimits.maxPickleBytes else {
            throw ModelError.corruptCheckpoint(file: file, detail: "\(picklePath) is larger than the \(CheckpointLimits.maxPickleBytes >> 20) MiB a state dict's pickle can need")
        }
        let root = try pickle.withUnsafeBytes { pickleBytes in
            var unpickler = Unpickler(bytes: pickleBytes, file: file + ":" + picklePath) { pid in
                .storage(try storageRef(pid, file: file, legacy: false))
            }
            return try unpickler.load()
        }
        return try makeStateDict(root, file: file, budget: &budget) { ref, needed, decode in
            guard let entry = archive.entries[folder + "data/" + ref.key] else {
                throw ModelError.corruptCheckpoint(file: file, detail: "zip entry \(folder)data/\(ref.key) for a storage is missing")
            }
            guard let declared = CheckedSize.bytes(count: ref.count, width: ref.dtype.byteWidth), UInt64(declared) == entry.declaredSize else {
                throw ModelError.corruptCheckpoint(file: file, detail: "storage \(ref.key) declares \(ref.count) \(ref.dtype) elements but its zip entry declares \(entry.declaredSize) bytes")
            }
            if !entry.isCompressed {
                // Stored (what torch.save writes): decode straight from the mapped file, no copy.
                guard entry.data.count >= needed else {
                    throw ModelError.truncated(file: file, detail: "storage \(ref.key) holds \(entry.data.count) bytes, its tensors need \(needed)")
                }
                try decode(UnsafeRawBufferPointer(rebasing: bytes[entry.data.lowerBound..<(entry.data.lowerBound + needed)]))
                return
            }
            let data = try archive.contents(
                of: entry, limit: needed, inflated: &inflated, inflationLimit: CheckpointLimits.maxInflatedBytes)
            guard data.count >= needed else {
                throw ModelError.truncated(file: file, detail: "storage \(ref.key) holds \(data.count) bytes, its tensors need \(needed)")
            }
            try data.withUnsafeBytes { try decode($0) }
        }
    }

    // MARK: Shared

    /// Parses `('storage', torch.FloatStorage, key, location, numel[, view_metadata])`.
    static func storageRef(_ pid: PickleValue, file: String, legacy: Bool) throws -> StorageRef {
        guard let items = pid.elements, items.count >= 5, items[0].string == "storage" else {
            throw ModelError.malformedPickle(file: file, detail: "persistent id is \(pid.typeName), not a ('storage', …) tuple")
        }
        guard case let .global(module, name) = items[1] else {
            throw ModelError.malformedPickle(file: file, detail: "storage type is \(items[1].typeName)")
        }
        guard let key = items[2].string, let count = items[4].int else {
            throw ModelError.malformedPickle(file: file, detail: "storage key or size has the wrong type")
        }
        guard count >= 0 else {
            throw ModelError.malformedPickle(file: file, detail: "storage \(key) declares a negative size \(count)")
        }
        guard let dtype = storageDType(module: module, name: name) else {
            throw ModelError.unsupportedDType(file: file, key: "storage \(key)", dtype: "\(module).\(name)")
        }
        if legacy, items.count >= 6, items[5].elements != nil {
            throw ModelError.malformedPickle(file: file, detail: "storage views (view_metadata) of pre-1.0 checkpoints are not supported")
        }
        return StorageRef(key: key, dtype: dtype, count: count)
    }

    private static func storageDType(module: String, name: String) -> StoredDType? {
        guard module == "torch" else { return nil }
        switch name {
        case "FloatStorage": return .float32
        case "DoubleStorage": return .float64
        case "HalfStorage": return .float16
        case "BFloat16Storage": return .bfloat16
        case "LongStorage": return .int64
        case "IntStorage": return .int32
        case "ShortStorage": return .int16
        case "CharStorage": return .int8
        case "ByteStorage": return .uint8
        case "BoolStorage": return .bool
        default: return nil
        }
    }

    /// Walks the unpickled root (a dict of tensors, or a training checkpoint holding one under "state_dict",
    /// "model_state_dict" or "model") and decodes every tensor. `withStorage(ref, neededBytes, body)` hands
    /// `body` the bytes of one storage, at least the `neededBytes` its tensors reach; it is called once per
    /// storage, so a caller can free each storage before reading the next.
    static func makeStateDict(
        _ root: PickleValue, file: String, budget: inout DecodeBudget,
        withStorage: (StorageRef, Int, (UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws -> StateDict {
        let tensors = try namedTensors(root, file: file)
        // Tensors grouped by storage, storages in order of first use (the order torch.save writes them).
        var groups: [String: [Int]] = [:]
        var firstUse: [String: StorageRef] = [:]
        var storageOrder: [StorageRef] = []
        for (index, (key, ref)) in tensors.enumerated() {
            if groups[ref.storage.key] == nil { storageOrder.append(ref.storage); firstUse[ref.storage.key] = ref.storage }
            groups[ref.storage.key, default: []].append(index)
            if let first = firstUse[ref.storage.key], first.dtype != ref.storage.dtype {
                throw ModelError.malformedPickle(file: file, detail: "storage \(ref.storage.key) is used as \(first.dtype) and, by '\(key)', as \(ref.storage.dtype)")
            }
        }
        var decoded = [StateTensor?](repeating: nil, count: tensors.count)
        for storage in storageOrder {
            let members = groups[storage.key] ?? []
            let needed = try neededBytes(storage, tensors: members.map { tensors[$0] }, file: file)
            try withStorage(storage, needed) { bytes in
                budget.hold(bytes.count)
                for index in members {
                    let (key, ref) = tensors[index]
                    decoded[index] = try TensorDecoding.decode(
                        bytes, dtype: storage.dtype, offset: ref.offset, shape: ref.shape, strides: ref.strides,
                        file: file, key: key, budget: &budget)
                }
            }
        }
        var result = StateDict()
        for (index, (key, _)) in tensors.enumerated() {
            if let tensor = decoded[index] { result[key] = tensor }
        }
        return result
    }

    /// Bytes of `storage` that its tensors reach (at most the size the storage declares).
    private static func neededBytes(_ storage: StorageRef, tensors: [(String, TensorRef)], file: String) throws -> Int {
        var extent = 0
        for (key, ref) in tensors {
            guard let reach = CheckedSize.viewExtent(offset: ref.offset, shape: ref.shape, strides: ref.strides) else {
                throw ModelError.corruptCheckpoint(file: file, detail: "tensor '\(key)' (shape \(ref.shape), strides \(ref.strides), offset \(ref.offset)) has an overflowing or negative size, stride or offset")
            }
            guard reach <= storage.count else {
                throw ModelError.corruptCheckpoint(file: file, detail: "tensor '\(key)' (shape \(ref.shape), strides \(ref.strides), offset \(ref.offset)) reaches element \(reach - 1) of storage \(storage.key), which declares \(storage.count) elements")
            }
            extent = max(extent, reach)
        }
        // extent ≤ storage.count, and count × width is checked when the storage is read.
        guard let bytes = CheckedSize.bytes(count: extent, width: storage.dtype.byteWidth) else {
            throw ModelError.corruptCheckpoint(file: file, detail: "storage \(storage.key) of \(extent) elements overflows")
        }
        return bytes
    }

    /// The (key, tensor) pairs of the state dict inside `root`, in file order.
    private static func namedTensors(_ root: PickleValue, file: String) throws -> [(String, TensorRef)] {
        guard case var .dict(dict) = root else {
            throw ModelError.notACheckpoint(file: file, reason: "the pickled object is a \(root.typeName), not a state dict")
        }
        let hasTensors = dict.pairs.contains { if case .tensor = $0.value { true } else { false } }
        if !hasTensors {
            for wrapper in ["state_dict", "model_state_dict", "model"] {
                if let inner = dict.pairs.first(where: { $0.key.string == wrapper }), case let .dict(d) = inner.value {
                    dict = d
                    break
                }
            }
        }
        var result: [(String, TensorRef)] = []
        for (keyValue, value) in dict.pairs {
            guard let key = keyValue.string else {
                throw ModelError.malformedPickle(file: file, detail: "state dict key is \(keyValue.typeName), not a string")
            }
            guard case let .tensor(ref) = value else {
                throw ModelError.malformedPickle(file: file, detail: "state dict entry '\(key)' is \(value.typeName), not a tensor")
            }
            result.append((key, ref))
        }
        return result
    }
}
