import Engine
import Foundation
import Models
import Testing

/// Issue 12: one regression per crash class found by fuzzing the checkpoint loaders. Each crafted file must end
/// in a `ModelError` whose one-line message names the file and the problem, never a trap or a huge allocation.
@Suite struct UntrustedCheckpointTests {
    /// Loads `bytes` saved as `name`; returns the error's message (failing the test when it loads).
    func failure(_ name: String, _ bytes: [UInt8], _ needle: String,
                 sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let url = try Crafted.file(name, bytes)
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            _ = try loadStateDict(from: url)
            Issue.record("\(name) loaded", sourceLocation: sourceLocation)
            return ""
        } catch let error as ModelError {
            let message = error.description
            #expect(message.contains(name), "message does not name the file: \(message)", sourceLocation: sourceLocation)
            #expect(message.contains(needle), "\(message)", sourceLocation: sourceLocation)
            #expect(!message.contains("\n"), sourceLocation: sourceLocation)
            #expect(message.count <= 2_100, sourceLocation: sourceLocation)
            return message
        }
    }

    static func oneTensor(count: Int64 = 4, offset: Int64 = 0, shape: [Int64] = [4], strides: [Int64] = [1],
                          legacy: Bool = false) -> [UInt8] {
        Crafted.Pickle.stateDict([("w", { $0.tensor(storageKey: "0", storageCount: count, offset: offset, shape: shape, strides: strides, legacy: legacy) })])
    }

    // MARK: zip

    @Test("permuted and offset views of a storage read every element from its place, whatever the rank")
    func permutedViewsLoad() throws {
        let storage = (0..<30).map(Float.init)
        // (shape, strides, offset): a 3-d permutation, a transposed matrix, a view with a size-1 axis, a contiguous tail.
        let cases: [([Int64], [Int64], Int64)] = [([2, 3, 4], [1, 2, 6], 0), ([3, 2], [1, 3], 5), ([2, 1, 3], [3, 99, 1], 4),
                                                   ([4], [1], 26)]
        for (shape, strides, offset) in cases {
            let url = try Crafted.file("view.pth", Crafted.torchZip(
                pickle: Self.oneTensor(count: 30, offset: offset, shape: shape, strides: strides),
                storages: [.init(name: "0", stored: Crafted.floats(storage))]))
            defer { try? FileManager.default.removeItem(at: url) }
            // Row-major over the logical shape: element (i, j, …) sits at offset + Σ index × stride.
            var expected: [Float] = []
            var index = [Int64](repeating: 0, count: shape.count)
            for _ in 0..<shape.reduce(1, *) {
                expected.append(storage[Int(offset + zip(index, strides).map { $0 * $1 }.reduce(0, +))])
                var d = shape.count - 1
                while d >= 0 { index[d] += 1; if index[d] < shape[d] { break }; index[d] = 0; d -= 1 }
            }
            #expect(try loadStateDict(from: url).tensor("w")?.scalars == expected, "shape \(shape), strides \(strides)")
        }
    }

    @Test func craftedZipOfAValidTensorLoads() throws {
        // The builders themselves are right: the same construction with honest numbers loads.
        let data = Crafted.floats([1, 2, 3, 4])
        let url = try Crafted.file("valid.pth", Crafted.torchZip(pickle: Self.oneTensor(), storages: [.init(name: "0", stored: data)]))
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try loadStateDict(from: url).tensor("w")?.scalars == [1, 2, 3, 4])
        // Deflated storage entries inflate to the same values.
        let zeros = Crafted.deflatedZeros(16)
        let deflated = try Crafted.file("deflated.pth", Crafted.torchZip(
            pickle: Self.oneTensor(), storages: [.init(name: "0", stored: zeros, method: 8, declaredSize: 16)]))
        defer { try? FileManager.default.removeItem(at: deflated) }
        #expect(try loadStateDict(from: deflated).tensor("w")?.scalars == [0, 0, 0, 0])
    }

    @Test func zipStorageCountNear2To62IsAnError() throws {
        let pickle = Self.oneTensor(count: 1 << 62, shape: [1 << 62], strides: [1])
        _ = try failure("count62.pth", Crafted.torchZip(pickle: pickle, storages: [.init(name: "0", stored: Crafted.floats([1]))]), "storage")
        // The same count behind a one-element tensor: the storage's declared size cannot match its entry.
        let small = Self.oneTensor(count: 1 << 62, shape: [1], strides: [1])
        _ = try failure("count62small.pth", Crafted.torchZip(pickle: small, storages: [.init(name: "0", stored: Crafted.floats([1]))]), "declares")
    }

    @Test(arguments: [UInt64(1) << 63, UInt64(1) << 40, UInt64.max])
    func zip64HugeDeclaredSizesAreErrors(size: UInt64) throws {
        let stored = Crafted.torchZip(pickle: Self.oneTensor(), storages: [.init(name: "0", stored: Crafted.floats([1, 2, 3, 4]), declaredSize: size)])
        _ = try failure("zip64-\(size).pth", stored, "declares")
        let deflated = Crafted.torchZip(pickle: Self.oneTensor(), storages: [
            .init(name: "0", stored: Crafted.deflatedZeros(16), method: 8, declaredSize: size),
        ])
        _ = try failure("zip64-deflated-\(size).pth", deflated, "declares")
    }

    @Test func deflateBombStopsAtTheInflationLimit() throws {
        // 2^28 float32 elements (1 GiB) declared, backed by deflated zeros just over the 128 MiB limit (6.5 MB
        // with fixed Huffman codes; zlib's would be 130 KB): the loader stops inflating at the limit.
        let count: Int64 = 1 << 28
        let pickle = Self.oneTensor(count: count, shape: [count], strides: [1])
        let bomb = Crafted.deflatedZeros(Int(CheckpointLimits.maxInflatedBytes) + (1 << 20))
        #expect(bomb.count < 7_000_000)
        let message = try failure("bomb.pth", Crafted.torchZip(pickle: pickle, storages: [
            .init(name: "0", stored: bomb, method: 8, declaredSize: UInt64(count) * 4),
        ]), "inflates beyond")
        #expect(message.contains("128 MiB"))
    }

    @Test func inflationStopsAtTheBytesTheTensorNeeds() throws {
        // A small tensor over a storage whose entry inflates to much more: only the needed bytes are produced,
        // so the file loads (the rest of the entry is never inflated).
        let pickle = Self.oneTensor(count: 1 << 20, shape: [4], strides: [1])
        let url = try Crafted.file("partial.pth", Crafted.torchZip(pickle: pickle, storages: [
            .init(name: "0", stored: Crafted.deflatedZeros(4 << 20), method: 8, declaredSize: 4 << 20),
        ]))
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try loadStateDict(from: url).tensor("w")?.scalars == [0, 0, 0, 0])
    }

    @Test func truncatedDeflateStreamIsAnErrorNotAHang() throws {
        let stream = Crafted.deflatedZeros(4096)
        _ = try failure("cut.pth", Crafted.torchZip(pickle: Self.oneTensor(count: 1024, shape: [1024], strides: [1]), storages: [
            .init(name: "0", stored: Array(stream.prefix(stream.count / 2)), method: 8, declaredSize: 4096),
        ]), "truncated")
    }

    @Test func zipDirectoryPointingOutsideTheFileIsAnError() throws {
        var bytes = Crafted.torchZip(pickle: Self.oneTensor(), storages: [.init(name: "0", stored: Crafted.floats([1, 2, 3, 4]))])
        // The central directory offset (last 6..2 bytes of the end record) → far past the end.
        let at = bytes.count - 6
        for i in 0..<4 { bytes[at + i] = 0xEE }
        _ = try failure("cdoffset.pth", bytes, "outside")
    }

    // MARK: legacy

    @Test func legacyElementCountThatWrapsIsAnError() throws {
        let pickle = Self.oneTensor(shape: [4], strides: [1], legacy: true)
        _ = try failure("legacy-wrap.pth", Crafted.legacy(pickle: pickle, storages: [("0", 0x3FFF_FFFF_FFFF_FFFF, Crafted.floats([1, 2, 3, 4]))]), "impossible element count")
        _ = try failure("legacy-negative.pth", Crafted.legacy(pickle: pickle, storages: [("0", -4, Crafted.floats([1, 2, 3, 4]))]), "impossible element count")
    }

    @Test func craftedLegacyOfAValidTensorLoads() throws {
        let pickle = Self.oneTensor(shape: [4], strides: [1], legacy: true)
        let url = try Crafted.file("legacy-ok.pth", Crafted.legacy(pickle: pickle, storages: [("0", 4, Crafted.floats([1, 2, 3, 4]))]))
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try loadStateDict(from: url).tensor("w")?.scalars == [1, 2, 3, 4])
    }

    // MARK: views

    @Test func hugeStrideOnASizeOneDimensionIsHarmless() throws {
        // Size-1 dimensions never move the index: the view is the plain 2×2 matrix.
        let pickle = Self.oneTensor(shape: [1, 2, 2], strides: [Int64.max, 2, 1])
        let url = try Crafted.file("stride-max.pth", Crafted.torchZip(pickle: pickle, storages: [.init(name: "0", stored: Crafted.floats([1, 2, 3, 4]))]))
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try loadStateDict(from: url).tensor("w")?.scalars == [1, 2, 3, 4])
    }

    @Test func hugeStrideOnALongerDimensionIsAnError() throws {
        let pickle = Self.oneTensor(shape: [2, 2], strides: [Int64.max, 1])
        _ = try failure("stride-overflow.pth", Crafted.torchZip(pickle: pickle, storages: [.init(name: "0", stored: Crafted.floats([1, 2, 3, 4]))]), "overflowing")
    }

    @Test(arguments: [Int64(1) << 31, Int64(1) << 28, 5])
    func strideZeroViewLargerThanItsStorageIsAnError(elements: Int64) throws {
        let pickle = Self.oneTensor(count: 1, shape: [elements], strides: [0])
        _ = try failure("stride0-\(elements).pth", Crafted.torchZip(pickle: pickle, storages: [.init(name: "0", stored: Crafted.floats([7]))]), "storage holds only 1")
    }

    @Test func manyTensorsOverOneStorageExceedTheDecodeBudget() throws {
        // 100 tensors each viewing the whole 1,024-element storage: 100× the data the file holds.
        var entries: [(String, (inout Crafted.Pickle) -> Void)] = []
        for i in 0..<100 { entries.append(("w\(i)", { $0.tensor(storageKey: "0", storageCount: 1024, shape: [1024], strides: [1]) })) }
        let pickle = Crafted.Pickle.stateDict(entries)
        _ = try failure("repeat.pth", Crafted.torchZip(pickle: pickle, storages: [.init(name: "0", stored: Crafted.floats(.init(repeating: 1, count: 1024)))]), "storage bytes the file holds")
    }

    // MARK: pickle

    @Test func deeplyNestedTuplesHitTheNestingLimit() throws {
        var p = Crafted.Pickle()
        p.op(0x29)  // EMPTY_TUPLE
        for _ in 0..<50_000 { p.op(0x85) }  // TUPLE1
        p.op(0x2E)
        _ = try failure("tuples.pth", Crafted.torchZip(pickle: p.bytes, storages: []), "nest deeper than \(CheckpointLimits.maxPickleNesting)")
    }

    @Test func deeplyNestedListsHitTheNestingLimit() throws {
        var p = Crafted.Pickle()
        p.bytes += [UInt8](repeating: 0x28, count: 50_000)  // MARK
        p.op(0x5D)  // EMPTY_LIST
        p.bytes += [UInt8](repeating: 0x6C, count: 50_000)  // LIST
        p.op(0x2E)
        _ = try failure("lists.pth", Crafted.torchZip(pickle: p.bytes, storages: []), "nest deeper")
    }

    @Test func nestingBuiltThroughTheMemoIsReleasedWithoutRecursion() throws {
        // 200,000 lists L0 ← L1 ← … appended in an order the depth count cannot see; the error path then frees a
        // 200,000-deep structure, which must not overflow the stack.
        let n = 200_000
        var p = Crafted.Pickle()
        func put(_ i: Int) { p.op(0x72); withUnsafeBytes(of: UInt32(i).littleEndian) { p.bytes += $0 } }  // LONG_BINPUT
        func get(_ i: Int) { p.op(0x6A); withUnsafeBytes(of: UInt32(i).littleEndian) { p.bytes += $0 } }  // LONG_BINGET
        for i in 0..<n { p.op(0x5D); put(i); p.op(0x30) }
        for i in 0..<(n - 1) { get(i); get(i + 1); p.op(0x61); p.op(0x30) }
        get(0)
        p.op(0x2E)
        _ = try failure("memo-chain.pth", Crafted.torchZip(pickle: p.bytes, storages: []), "not a state dict")
    }

    @Test func millionReduceChainIsAShortError() throws {
        var p = Crafted.Pickle()
        p.global("builtins", "object")
        for _ in 0..<1_000_000 { p.op(0x29); p.op(0x52) }  // EMPTY_TUPLE, REDUCE
        p.op(0x2E)
        let message = try failure("reduce-chain.pth", Crafted.torchZip(pickle: p.bytes, storages: []), "nest deeper")
        #expect(message.count < 400)
    }

    @Test func megabyteKeyGivesAClippedMessage() throws {
        var p = Crafted.Pickle()
        p.op(0x7D)
        p.string(String(repeating: "k", count: 1 << 20))
        p.op(0x4E)  // NONE: not a tensor
        p.op(0x73)
        p.op(0x2E)
        let message = try failure("long-key.pth", Crafted.torchZip(pickle: p.bytes, storages: []), "more characters")
        #expect(message.count <= 2_100)
    }

    // MARK: safetensors

    @Test(arguments: [
        (#"{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,16]}}"#, "overflow"),
        (#"{"w":{"dtype":"F32","shape":[2305843009213693952],"data_offsets":[0,16]}}"#, "do not hold"),
        (#"{"w":{"dtype":"F32","shape":[4],"data_offsets":[-9223372036854775807,9223372036854775807]}}"#, "do not hold"),
        (#"{"w":{"dtype":"F32","shape":[0,4611686018427387904,4611686018427387904],"data_offsets":[0,0]}}"#, "overflows"),
        (#"{"w":{"dtype":"F32","shape":[4611686018427387904,4611686018427387904,0],"data_offsets":[0,0]}}"#, "overflows"),
        (#"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"v":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"u":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, "storage bytes"),
    ])
    func safetensorsOverflowsAreErrors(header: String, needle: String) throws {
        var bytes = [UInt8]()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes += $0 }
        bytes += Array(header.utf8) + Crafted.floats([1, 2, 3, 4])
        // Cases run in parallel: each needs its own file.
        let name = "crafted-\(UUID().uuidString.prefix(8)).safetensors"
        let message = try failure(name, bytes, name)
        #expect(message.contains(needle) || (needle == "overflow" && message.contains("do not hold")), "\(message)")
    }

    @Test func deeplyNestedSafetensorsHeaderIsAnError() throws {
        let header = "{\"a\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        var bytes = [UInt8]()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes += $0 }
        bytes += Array(header.utf8)
        _ = try failure("nested.safetensors", bytes, "safetensors")
    }
}
