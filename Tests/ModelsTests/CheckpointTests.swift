import Engine
import Foundation
import Models
import Testing

/// The three on-disk formats decode to the same values, and broken files give typed errors naming the problem.
@Suite struct CheckpointTests {
    struct Expected {
        let dtype: String
        let shape: [Int]
        let values: [Double]
    }

    static func expected() throws -> [(String, Expected)] {
        let json = try Fixtures.json("checkpoints/tiny_expected.json") as! [String: Any]
        let tensors = json["tensors"] as! [String: Any]
        // Key order as the description lists it (JSON objects are unordered once parsed).
        let order = ["conv.weight", "conv.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var",
                     "bn.num_batches_tracked", "fc.weight", "fc.bias", "shared.a", "shared.b"]
        #expect(Set(order) == Set(tensors.keys))
        return order.map { key in
            let t = tensors[key] as! [String: Any]
            let values = (t["values"] as? [Double]) ?? [(t["values"] as! NSNumber).doubleValue]
            return (key, Expected(dtype: t["dtype"] as! String, shape: t["shape"] as! [Int], values: values))
        }
    }

    @Test(arguments: ["tiny_zip.pth", "tiny_zip_buffer.pth", "tiny_legacy.pth", "tiny.safetensors"])
    func formatsDecodeTheSameValues(file: String) throws {
        let sd = try loadStateDict(from: Fixtures.checkpoint(file))
        let expected = try Self.expected()
        #expect(sd.keys.sorted() == expected.map(\.0).sorted())
        if !file.hasSuffix(".safetensors") {
            #expect(sd.keys == expected.map(\.0), "PyTorch files keep the state dict's order")
        }
        for (key, e) in expected {
            let entry = try #require(sd[key], "\(file) lacks \(key)")
            #expect(entry.shape == e.shape, "\(file) \(key)")
            #expect(entry.dtype.rawValue == e.dtype, "\(file) \(key)")
            // Float32 values round-trip exactly through JSON's shortest decimal form.
            #expect(entry.tensor.scalars == e.values.map { Float($0) }, "\(file) \(key)")
            if e.dtype == "int64" { #expect(entry.integers == e.values.map { Int64($0) }) }
        }
    }

    @Test func nonContiguousAndSharedStoragesAreHonoured() throws {
        let sd = try loadStateDict(from: Fixtures.checkpoint("tiny_legacy.pth"))
        let a = try #require(sd.tensor("shared.a")).scalars
        let b = try #require(sd.tensor("shared.b")).scalars
        // shared.a = base[0..<6], shared.b = base[4..<10]: they overlap in two elements.
        #expect(Array(a[4..<6]) == Array(b[0..<2]))
    }

    @Test func truncatedFilesSayTruncated() {
        for file in ["truncated_zip.pth", "truncated_legacy.pth", "bad_header_length.safetensors"] {
            let error = modelError { _ = try loadStateDict(from: Fixtures.checkpoint(file)) }
            guard case .truncated(let path, _)? = error else {
                Issue.record("\(file): expected .truncated, got \(String(describing: error))")
                continue
            }
            #expect(path.hasSuffix(file))
            #expect(error!.description.contains(file))
        }
    }

    @Test func garbageIsNotACheckpoint() {
        let error = modelError { _ = try loadStateDict(from: Fixtures.checkpoint("garbage.pth")) }
        guard case .notACheckpoint? = error else {
            Issue.record("expected .notACheckpoint, got \(String(describing: error))")
            return
        }
        #expect(error!.description.contains("garbage.pth"))
    }

    @Test func brokenSafetensorsHeaders() {
        for (file, needle) in [("bad_header_json.safetensors", "JSON"), ("bad_shape.safetensors", "shape")] {
            let error = modelError { _ = try loadStateDict(from: Fixtures.checkpoint(file)) }
            guard case .corruptCheckpoint? = error else {
                Issue.record("\(file): expected .corruptCheckpoint, got \(String(describing: error))")
                continue
            }
            #expect(error!.description.contains(needle), "\(error!)")
        }
        let error = modelError { _ = try loadStateDict(from: Fixtures.checkpoint("bad_offsets.safetensors")) }
        #expect(error != nil)
        #expect(error.map { "\($0)".contains("bad_offsets.safetensors") } == true)
    }

    @Test func unknownPickleOpcodeReportsItsOffset() throws {
        // A legacy header, then a protocol-version pickle whose second byte is an opcode no pickle protocol has.
        let magic: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E]
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("models-bad-opcode-\(UUID()).pth")
        try Data(magic + [0x80, 0x02, 0xFF, 0x2E] + [UInt8](repeating: 0, count: 16)).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = modelError { _ = try loadStateDict(from: url) }
        guard case let .unknownPickleOpcode(_, opcode, offset)? = error else {
            Issue.record("expected .unknownPickleOpcode, got \(String(describing: error))")
            return
        }
        #expect(opcode == 0xFF)
        #expect(offset == magic.count + 2)
        #expect(error!.description.contains("0xff"))
    }

    /// Writes a safetensors file from a JSON header and raw data.
    static func safetensors(header: String, data: [UInt8]) throws -> URL {
        var bytes = [UInt8]()
        let json = Array(header.utf8)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { bytes += $0 }
        bytes += json + data
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("models-\(UUID()).safetensors")
        try Data(bytes).write(to: url)
        return url
    }

    @Test func halfPrecisionAndIntegersAreConverted() throws {
        // F16 [1.0, -2.5, 65504, 2^-24], BF16 [1.0, -0.15625], I64 [-3, 5000000000].
        let f16: [UInt8] = [0x00, 0x3C, 0x00, 0xC1, 0xFF, 0x7B, 0x01, 0x00]
        let bf16: [UInt8] = [0x80, 0x3F, 0x20, 0xBE]
        var i64 = [UInt8]()
        for v: Int64 in [-3, 5_000_000_000] { withUnsafeBytes(of: v.littleEndian) { i64 += $0 } }
        let header = #"{"h":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]},"n":{"dtype":"I64","shape":[2],"data_offsets":[12,28]},"__metadata__":{"format":"pt"}}"#
        let url = try Self.safetensors(header: header, data: f16 + bf16 + i64)
        defer { try? FileManager.default.removeItem(at: url) }
        let sd = try loadStateDict(from: url)
        #expect(sd.keys == ["h", "b", "n"], "file order")
        #expect(sd.tensor("h")?.scalars == [1, -2.5, 65504, 0x1p-24])
        #expect(sd.tensor("h")?.shape == [2, 2])
        #expect(sd.tensor("b")?.scalars == [1, -0.15625])
        #expect(sd["n"]?.integers == [-3, 5_000_000_000])
        #expect(sd["n"]?.dtype == .int64)
    }

    @Test func unsupportedDTypeNamesTheKey() throws {
        let url = try Self.safetensors(header: #"{"z":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8))
        defer { try? FileManager.default.removeItem(at: url) }
        let error = modelError { _ = try loadStateDict(from: url) }
        guard case let .unsupportedDType(_, key, dtype)? = error else {
            Issue.record("expected .unsupportedDType, got \(String(describing: error))")
            return
        }
        #expect(key == "z")
        #expect(dtype == "C64")
    }

    @Test func missingFileIsUnreadable() {
        let url = URL(fileURLWithPath: "/nonexistent/weights.pth")
        guard case .unreadable(let file, _)? = modelError({ _ = try loadStateDict(from: url) }) else {
            Issue.record("expected .unreadable")
            return
        }
        #expect(file == url.path)
    }

    @Test func pretrainedLite0CheckpointHasTheDocumentedKeys() throws {
        let sd = try loadStateDict(from: try DefaultWeights.locateEfficientnetLite0())
        #expect(sd.count == 296)
        #expect(sd.keys.first == "_conv_stem.weight")
        #expect(sd["_conv_stem.weight"]?.shape == [32, 3, 3, 3])
        #expect(sd["_fc.weight"]?.shape == [1000, 1280])
        #expect(sd.filter { $0.value.dtype == .int64 }.count == 49)
        #expect(sd["_blocks.0._expand_conv.weight"] == nil)
        #expect(sd["_blocks.3._depthwise_conv.weight"]?.shape == [144, 1, 5, 5])
    }
}
