import Engine
import Foundation
import Testing

@Suite struct NPYTests {
    let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("engine-npy-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    @Test func float32RoundTrip() throws {
        let url = directory.appendingPathComponent("t.npy")
        let t = Tensor(shape: [2, 3, 1], scalars: [1, -2, 3.5, 0, .infinity, 1e-30])
        try t.writeNPY(to: url)
        let back = try Tensor(npyFile: url)
        #expect(back.shape == [2, 3, 1])
        #expect(back.scalars == t.scalars)
        let bytes = [UInt8](try Data(contentsOf: url))
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        #expect(bytes[10 + headerLength - 1] == 0x0A)
    }

    @Test func scalarAndVectorShapes() throws {
        for shape in [[], [4], [0, 3]] {
            let url = directory.appendingPathComponent("s\(shape.count).npy")
            let t = Tensor(repeating: 7, shape: shape)
            try t.writeNPY(to: url)
            #expect(try Tensor(npyFile: url).shape == shape)
        }
    }

    @Test func int64AndVersion2Header() throws {
        // Version 2.0 header by hand, int64 data.
        let header = "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }"
        var padded = header + String(repeating: " ", count: (64 - (12 + header.count + 1) % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 2, 0]
        let n = padded.utf8.count
        bytes += [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), 0, 0]
        bytes += Array(padded.utf8)
        for v: Int64 in [1, -2, 1 << 40] { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
        #expect(try NPY.parse(bytes) == .int64([1, -2, 1 << 40], [3]))
        padded = ""
        let url = directory.appendingPathComponent("i.npy")
        try NPY.write(.int64([5, 6], [2, 1]), to: url)
        #expect(try NPY.read(url) == .int64([5, 6], [2, 1]))
        #expect(throws: NPYError.self) { try Tensor(npyFile: url) }
    }

    private func file(descr: String = "<f4", fortran: String = "False", shape: String = "(2,)", data: Int = 8) -> [UInt8] {
        let header = "{'descr': '\(descr)', 'fortran_order': \(fortran), 'shape': \(shape), }\n"
        var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.utf8.count), 0]
        bytes += Array(header.utf8)
        bytes += [UInt8](repeating: 0, count: data)
        return bytes
    }

    @Test func corruptFilesGiveErrorsNamingTheFile() throws {
        #expect(throws: NPYError.badMagic(path: "x.npy")) { try NPY.parse(Array("PK\u{3}\u{4}not numpy".utf8), path: "x.npy") }
        #expect(throws: NPYError.unsupportedDType(path: "x.npy", dtype: "<f8")) { try NPY.parse(file(descr: "<f8"), path: "x.npy") }
        #expect(throws: NPYError.unsupportedDType(path: "x.npy", dtype: ">f4")) { try NPY.parse(file(descr: ">f4"), path: "x.npy") }
        #expect(throws: NPYError.fortranOrder(path: "x.npy")) { try NPY.parse(file(fortran: "True"), path: "x.npy") }
        #expect(throws: NPYError.truncated(path: "x.npy", expectedBytes: 8, actualBytes: 5)) { try NPY.parse(file(data: 5), path: "x.npy") }
        #expect(throws: NPYError.self) { try NPY.parse(Array(file().prefix(20)), path: "x.npy") }
        let missing = directory.appendingPathComponent("missing.npy")
        do {
            _ = try Tensor(npyFile: missing)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("missing.npy"))
        }
        #expect(NPYError.truncated(path: "a.npy", expectedBytes: 8, actualBytes: 5).description.contains("a.npy"))
    }
}
