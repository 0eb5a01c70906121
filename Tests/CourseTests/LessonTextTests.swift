import Course
import Foundation
import Testing

/// The fenced blocks and the prose of one lesson file, read line by line (the course's lessons use ``` fences only).
struct LessonText {
    struct Block {
        let info: [String]        // the info string's words after "swift"
        let startLine: Int        // 1-based line of the opening fence
        let endLine: Int          // 1-based line of the closing fence
        let body: String

        func value(of key: String) -> String? {
            info.first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
        }
        var isExercise: Bool { info.first == "exercise" }
        var isTest: Bool { info.first == "test" }
        var isHidden: Bool { info.contains("hidden") }
        var points: Int { Int(value(of: "points") ?? "1") ?? 1 }
        /// The display names of its `@Test("…")` functions.
        var testNames: [String] {
            body.components(separatedBy: "\n").compactMap { line in
                guard let start = line.range(of: "@Test(\"") else { return nil }
                let rest = line[start.upperBound...]
                return rest.range(of: "\"").map { String(rest[..<$0.lowerBound]) }
            }
        }
    }

    let name: String
    let lines: [String]
    let blocks: [Block]

    init(url: URL) throws {
        name = url.lastPathComponent
        lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
        var blocks: [Block] = []
        var open: (info: [String], line: Int, body: [String])?
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if var current = open {
                if trimmed == "```" {
                    blocks.append(Block(info: current.info, startLine: current.line, endLine: index + 1,
                                        body: current.body.joined(separator: "\n")))
                    open = nil
                } else {
                    current.body.append(line)
                    open = current
                }
            } else if trimmed.hasPrefix("```") {
                let words = trimmed.dropFirst(3).split { $0 == " " || $0 == "," }.map(String.init)
                open = (words.first == "swift" ? Array(words.dropFirst()) : ["other"] + words, index + 1, [])
            }
        }
        self.blocks = blocks
    }

    /// The prose (outside fences) between two 1-based lines, whitespace collapsed.
    func prose(from start: Int, to end: Int) -> String {
        var inFence = false
        var words: [String] = []
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") { inFence.toggle(); continue }
            if inFence || index + 1 < start || index + 1 >= end { continue }
            words += trimmed.split(separator: " ").map(String.init)
        }
        return words.joined(separator: " ")
    }

    /// Exercise ids in lesson order.
    var exerciseIDs: [String] { blocks.filter(\.isExercise).compactMap { $0.value(of: "id") } }

    static func all() throws -> [LessonText] {
        let folder = try CourseFiles.repositoryRoot().appendingPathComponent("Lessons")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".md") && $0.first?.isNumber == true }.sorted()
        return try names.map { try LessonText(url: folder.appendingPathComponent($0)) }
    }
}

@Suite("Lesson text: every exercise says what it grades")
struct LessonTextTests {
    @Test("the lessons are found and hold exercises with checks")
    func lessonsFound() throws {
        let lessons = try LessonText.all()
        #expect(lessons.count >= 3)
        for lesson in lessons {
            #expect(!lesson.exerciseIDs.isEmpty, "\(lesson.name) has no exercise")
            for id in lesson.exerciseIDs {
                #expect(lesson.blocks.contains { $0.isTest && $0.value(of: "for") == id },
                        "\(lesson.name): exercise \(id) has no checks")
            }
        }
    }

    @Test("before its checks, each exercise's text states every hidden requirement and the public points")
    func hiddenChecksStated() throws {
        for lesson in try LessonText.all() {
            var windowStart = 1
            for id in lesson.exerciseIDs {
                let related = lesson.blocks.filter { $0.value(of: "id") == id || $0.value(of: "for") == id }
                let tests = related.filter(\.isTest)
                guard let firstTest = tests.first, let lastBlock = related.last else { continue }
                let text = lesson.prose(from: windowStart, to: firstTest.startLine).lowercased()
                for block in tests where block.isHidden {
                    for name in block.testNames {
                        let requirement = name.lowercased().replacingOccurrences(of: "hidden: ", with: "")
                        let stated = text.contains(requirement)
                        #expect(stated, "\(lesson.name): the text before exercise \(id)'s checks never states the hidden requirement \"\(requirement)\"")
                    }
                }
                let publicPoints = tests.filter { !$0.isHidden }.reduce(0) { $0 + $1.points * $1.testNames.count }
                let hiddenPoints = tests.filter(\.isHidden).reduce(0) { $0 + $1.points * $1.testNames.count }
                // The released copy keeps this text, so it gives the public points only and no trace of the hidden
                // checks' number, names or points (tutor release): their requirements are stated in the prose.
                let points = "\(publicPoints) point\(publicPoints == 1 ? "" : "s")"
                let statement = hiddenPoints > 0 ? "what is graded (\(points) here, more when graded)" : "what is graded (\(points))"
                let stated = text.contains(statement)
                #expect(stated, "\(lesson.name): exercise \(id) should say \"\(statement)\" before its checks")
                windowStart = lastBlock.endLine + 1
            }
        }
    }

    @Test("the lessons build seeds with BackwardTarget, not by writing into raw buffers")
    func noRawBuffers() throws {
        for lesson in try LessonText.all() {
            #expect(!lesson.lines.contains { $0.contains("withUnsafeMutableBufferPointer") },
                    "\(lesson.name) writes into a raw buffer; use BackwardTarget.classIndex(id).backwardGradient(for:) or covering(_:columns:)")
        }
    }
}
