import Foundation
import Testing
import Tutor

/// Odd input found before anything runs: bounded points, ids that stay distinct, no diagnostic-moving directives,
/// file names that cannot break the generated source.
@Suite("lesson input rules")
struct LessonInputRulesTests {
    /// The (line, message) problems the parser reports; an unexpected error reads as one problem at line 0.
    private func issues(_ text: String) -> [(line: Int, message: String)] {
        do {
            _ = try LessonParser.parse(text: text, path: "odd.md")
            return []
        } catch TutorError.invalidLesson(let issues) {
            return issues.map { ($0.line, $0.message) }
        } catch {
            return [(0, "\(error)")]
        }
    }

    @Test("points are bounded per block (0…1000)", arguments: [("1000", true), ("1001", false), ("9223372036854775807", false), ("-1", false)])
    func pointsBound(points: String, valid: Bool) {
        let found = issues("```swift exercise id=a\nfunc a() {}\n```\n\n```swift test for=a points=\(points)\n@Test func t() {}\n```\n")
        #expect(found.isEmpty == valid)
        if !valid { #expect(found.first?.line == 5 && found.first?.message.contains("1000") == true) }
    }

    @Test("exercise ids equal up to case, - and _ are an error naming both")
    func normalisedIDs() {
        let found = issues("```swift exercise id=Map-Max\nfunc a() {}\n```\n\n```swift exercise id=map_max\nfunc b() {}\n```\n")
        #expect(found.count == 1)
        #expect(found.first?.line == 5)
        #expect(found.first?.message.contains("`map_max`") == true && found.first?.message.contains("`Map-Max`") == true)
        #expect(issues("```swift exercise id=a-b\nfunc a() {}\n```\n\n```swift exercise id=a-c\nfunc b() {}\n```\n").isEmpty)
    }

    @Test("#sourceLocation and the old #line directive are errors at their line in any step; #line as a value is fine")
    func sourceLocation() {
        let found = issues("```swift\nlet x = 1\n  #sourceLocation(file: \"x.md\", line: 1)\nlet y = 2\n#sourceLocation()\n```\n")
        #expect(found.map(\.line) == [3, 5])
        #expect(found.allSatisfy { $0.message.contains("#sourceLocation") })
        let old = issues("```swift\nlet here = #line\n#line 40 \"other.md\"\n```\n")
        #expect(old.map(\.line) == [3])
        #expect(old.first?.message.contains("#line") == true)
    }

    @Test("a path with a control character is refused with a clear error")
    func controlCharacterPath() {
        #expect(throws: TutorError.self) { try LessonParser.parse(file: "bad\nname.md") }
        do {
            _ = try LessonParser.parse(file: "bad\tname.md")
        } catch {
            #expect("\(error)".contains("control character"))
        }
    }
}
