import Foundation
import Testing
import Tutor

/// Issue 12: lessons a learner or instructor did not write. Line endings are normalised, deep Markdown is an
/// error at its line instead of a stack overflow, and mutated lessons never crash the parser.
@Suite("untrusted lessons")
struct UntrustedLessonTests {
    static func passingText() throws -> String { try String(contentsOfFile: TutorProcess.lesson("passing"), encoding: .utf8) }

    /// (fence line, role, code) of every step: what must not change with the line endings.
    static func summary(_ lesson: Lesson) -> [String] {
        lesson.steps.map { "\($0.fenceLine) \($0.role) \($0.lines.joined(separator: "|"))" }
    }

    @Test("CR-only, CRLF and mixed line endings give the same steps as LF", arguments: ["\r", "\r\n", "mixed"])
    func lineEndingsAreNormalised(ending: String) throws {
        let text = try Self.passingText()
        let reference = try LessonParser.parse(text: text, path: "passing.md")
        #expect(reference.steps.count == 10)
        var converted = ""
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if n > 0 { converted += ending == "mixed" ? ["\r", "\r\n", "\n"][n % 3] : ending }
            converted += line
        }
        #expect(!converted.contains("\n") || ending != "\r")
        let lesson = try LessonParser.parse(text: converted, path: "passing.md")
        #expect(Self.summary(lesson) == Self.summary(reference))
        #expect(!lesson.text.contains("\r"))
    }

    @Test("70,000 nested block quotes are an error at their line, not a stack overflow")
    func deepQuotesAreAnError() throws {
        let text = "# Deep\n\n" + String(repeating: ">", count: 70_000) + " hello\n"
        do {
            _ = try LessonParser.parse(text: text, path: "deep.md")
            Issue.record("a 70,000-deep quote parsed")
        } catch TutorError.invalidLesson(let issues) {
            #expect(issues.count == 1)
            #expect(issues.first?.line == 3)
            #expect(issues.first?.description.contains("nested") == true)
            #expect(issues.first?.description.contains("at most \(100)") == true)
        }
    }

    @Test("a heading of 400,000 `*` and deeply nested emphasis parse without recursion")
    func longEmphasisRuns() throws {
        for heading in [String(repeating: "*", count: 400_000), String(repeating: "*a ", count: 50_000) + String(repeating: "a* ", count: 50_000)] {
            let text = "# " + heading + "\n\n```swift\nprint(1)\n```\n"
            do {
                let lesson = try LessonParser.parse(text: text, path: "stars.md")
                #expect(lesson.steps.count == 1)
            } catch TutorError.invalidLesson(let issues) {
                #expect(issues.allSatisfy { $0.message.contains("nested") }, "\(issues.map(\.description))")
            }
        }
    }

    @Test("a megabyte attribute word gives a clipped one-line issue")
    func longAttributeIsClipped() throws {
        let text = "```swift " + String(repeating: "x", count: 1 << 20) + "\nprint(1)\n```\n"
        do {
            _ = try LessonParser.parse(text: text, path: "long.md")
            Issue.record("parsed")
        } catch TutorError.invalidLesson(let issues) {
            let line = try #require(issues.first).description
            #expect(line.count < 800)
            #expect(line.hasPrefix("long.md:1: error: unknown attribute"))
        }
    }

    /// Text mutations aimed at what the parser trusts: fences, nesting, line endings, markers.
    struct TextMutator {
        var state: UInt64
        static let tokens = ["\r", "\r\n", "\n", "> ", ">>>>>>>>", "```", "```swift", "```swift exercise id=x", "~~~",
                             "* ", "1. ", "    ", "\t", "//| alt: a", "// BEGIN SOLUTION", "// END SOLUTION",
                             "// snippet.hide", "```swift test for=x points=99999999999999999999", "<div>", "*", "_", "[", "](",
                             "\u{0}", "é", "\u{FEFF}", "#", "timeout=1e308s"]

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

        mutating func mutate(_ text: String) -> String {
            var chars = Array(text.unicodeScalars)
            for _ in 0...below(4) {
                let at = below(chars.count + 1)
                switch below(4) {
                case 0:
                    let token = Self.tokens[below(Self.tokens.count)]
                    chars.insert(contentsOf: String(repeating: token, count: 1 + below(3) * below(50)).unicodeScalars, at: at)
                case 1:
                    chars.removeSubrange(at..<min(chars.count, at + below(80)))
                case 2:
                    let end = min(chars.count, at + below(200))
                    chars.insert(contentsOf: chars[at..<end], at: at)
                default:
                    if at < chars.count { chars[at] = Unicode.Scalar(UInt8(below(128))) }
                }
            }
            var out = String.UnicodeScalarView()
            out.append(contentsOf: chars)
            return String(out)
        }
    }

    @Test("mutated lessons parse or fail with one-line issues naming their line; none crashes")
    func mutatedLessonsFailCleanly() throws {
        var failures = 0
        for (n, name) in ["passing", "bad-attributes", "malformed", "todo"].enumerated() {
            let seed = try String(contentsOfFile: TutorProcess.lesson(name), encoding: .utf8)
            var mutator = TextMutator(state: UInt64(n + 1))
            for index in 0..<400 {
                let text = mutator.mutate(seed)
                do {
                    let lesson = try LessonParser.parse(text: text, path: "fuzz.md")
                    #expect(!lesson.text.contains("\r"))
                } catch TutorError.invalidLesson(let issues) {
                    failures += 1
                    for issue in issues where issue.description.contains("\n") || !issue.description.hasPrefix("fuzz.md:") {
                        Issue.record("\(name) case \(index): \(issue.description)")
                    }
                }
            }
        }
        #expect(failures > 100)
    }
}

@Suite("untrusted lessons: error volume")
struct LessonErrorVolumeTests {
    @Test("a lesson with a problem on each of 5,000 fences lists the first 100 and counts the rest")
    func manyIssuesAreCapped() throws {
        let text = String(repeating: "```swift bogus\nprint(1)\n```\n", count: 5_000)
        do {
            _ = try LessonParser.parse(text: text, path: "many.md")
            Issue.record("parsed")
        } catch let error as TutorError {
            let lines = error.description.split(separator: "\n")
            #expect(lines.count == 101)
            #expect(lines.last == "many.md: … and 4900 more problems")
            #expect(lines.first?.hasPrefix("many.md:1: error: unknown attribute `bogus`") == true)
        }
    }
}
