import Foundation
import Testing
import Tutor

/// Issue 12 end to end: crafted checkpoints, images and lessons given to the real `tutor` end in exit 2 and one
/// `error:` line naming the file and the problem, never a trap.
@Suite("tutor on crafted files", .serialized)
struct UntrustedFilesCLITests {
    static let folder = TutorProcess.outputFolder("untrusted-cli")

    static func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// Exit 2, one `error:` line on stderr naming `file` and every word in `mentions`, no trap.
    func expectCleanFailure(_ output: TutorProcess.Output, file: String, mentions: [String],
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(output.status == 2, "exit \(output.status); stderr: \(output.stderr)", sourceLocation: sourceLocation)
        let errors = output.stderr.split(separator: "\n").filter { $0.contains("error") }
        #expect(errors.count == 1, "\(output.stderr)", sourceLocation: sourceLocation)
        let line = String(errors.first ?? "")
        #expect(line.contains((file as NSString).lastPathComponent), "\(line)", sourceLocation: sourceLocation)
        for word in mentions { #expect(line.contains(word), "\(line)", sourceLocation: sourceLocation) }
        #expect(line.count < 2_200, sourceLocation: sourceLocation)
        #expect(!output.stderr.contains("Fatal error") && !output.stderr.contains("Stack dump"), sourceLocation: sourceLocation)
    }

    /// A safetensors file from its JSON header and data.
    static func safetensors(_ header: String, data: [UInt8] = [0, 0, 0, 0]) -> [UInt8] {
        var bytes = [UInt8]()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes += $0 }
        return bytes + Array(header.utf8) + data
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// A PNG whose header claims `width`×`height` RGB pixels (the image data is a stub).
    static func pngClaiming(width: UInt32, height: UInt32) -> [UInt8] {
        func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            return be(UInt32(data.count)) + body + be(crc32(body))
        }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", be(width) + be(height) + [8, 2, 0, 0, 0])
            + chunk("IDAT", [0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01]) + chunk("IEND", [])
    }

    @Test("predict --weights: overflowing safetensors shapes and offsets")
    func craftedWeights() throws {
        let cases = [
            ("shape.safetensors", #"{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}}"#),
            ("offsets.safetensors", #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[-9223372036854775807,9223372036854775807]}}"#),
            ("zero.safetensors", #"{"w":{"dtype":"F32","shape":[4611686018427387904,4611686018427387904,0],"data_offsets":[0,0]}}"#),
        ]
        for (name, header) in cases {
            let path = try Self.write(name, Self.safetensors(header))
            let output = try TutorProcess.run(["predict", "--model", "resnet18", "--weights", path, "--image", "/nonexistent.png"])
            expectCleanFailure(output, file: path, mentions: ["--weights", "corrupt checkpoint"])
        }
    }

    @Test("predict and saliency --image: a 1,000,000² header and a thin strip are refused before decoding")
    func craftedImages() throws {
        let huge = try Self.write("huge.png", Self.pngClaiming(width: 1_000_000, height: 1_000_000))
        let strip = try Self.write("strip.png", Self.pngClaiming(width: 1, height: 200_000))
        for path in [huge, strip] {
            let predict = try TutorProcess.run(["predict", "--model", "efficientnet-lite0", "--image", path])
            expectCleanFailure(predict, file: path, mentions: ["--image", "too large"])
            let saliency = try TutorProcess.run(
                ["saliency", "--model", "efficientnet-lite0", "--image", path, "--method", "gradient", "--target", "1",
                 "--out", Self.folder.appendingPathComponent("m.png").path])
            expectCleanFailure(saliency, file: path, mentions: ["--image", "too large"])
        }
    }

    @Test("run: a lesson of 70,000 nested quotes is a lesson error at its line")
    func craftedLesson() throws {
        let path = try Self.write("deep.md", Array(("# Deep\n\n" + String(repeating: ">", count: 70_000) + " x\n").utf8))
        let output = try TutorProcess.run(["run", path, "--output", Self.folder.path])
        #expect(output.status == 2, "exit \(output.status): \(output.stderr)")
        #expect(output.stderr.contains("deep.md:3: error: Markdown nested"), "\(output.stderr)")
        #expect(!output.stderr.contains("Fatal error"))
    }

    @Test("run: a lesson with CR-only line endings runs its steps (never a silent 0/0)")
    func crOnlyLessonRuns() throws {
        let text = "# CR only\r\rFirst step:\r\r```swift\rlet crOnly = 6 * 7\rprint(crOnly)\r```\r\r```swift\rprint(crOnly + 1)\r```\r"
        let path = try Self.write("cr-only.md", Array(text.utf8))
        let json = Self.folder.appendingPathComponent("cr-only.json")
        let output = try TutorProcess.run(["run", path, "--output", Self.folder.path, "--json", json.path])
        #expect(output.status == 0, "\(output.stderr)")
        let results = try JSONDecoder().decode([LessonRunResult].self, from: Data(contentsOf: json))
        let steps = try #require(results.first).steps
        #expect(steps.map(\.line) == [5, 10])
        #expect(steps.allSatisfy { $0.status.isAsDeclared })
    }
}
