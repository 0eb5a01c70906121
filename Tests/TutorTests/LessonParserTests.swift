import Foundation
import Testing
import Tutor

@Suite("Lesson parsing")
struct LessonParserTests {
    @Test("steps, roles, attributes and Markdown lines")
    func parsesSteps() throws {
        let lesson = try LessonParser.parse(file: TutorProcess.lesson("passing"))
        #expect(lesson.title == "A lesson that passes")
        let steps = lesson.steps
        #expect(steps.count == 10)
        #expect(steps[0].role == .setup)
        #expect(steps[0].fenceLine == 5)
        #expect(steps[1].options["caption"] == "a plain step")
        #expect(steps[1].visible.first == false)
        #expect(steps[2].role == .exercise(id: "double"))
        #expect(steps[2].solutionRegions == [1...3])
        #expect(steps[3].visible.prefix(3) == [false, false, false])
        #expect(steps[4].role == .test(exerciseID: "double", points: 2, hidden: false))
        #expect(steps[5].role == .test(exerciseID: "double", points: 1, hidden: true))
        #expect(steps[6].expectation == .shouldTrap)
        #expect(steps[7].expectation == .compileFail)
        #expect(steps[8].expectation == .noRun)
        #expect(lesson.step(containingLine: 20)?.index == 2)
    }

    @Test("the student form replaces solution regions with TODO() and keeps the line count")
    func studentForm() throws {
        let lesson = try LessonParser.parse(file: TutorProcess.lesson("passing"))
        let exercise = try #require(lesson.exercises.first)
        let student = exercise.studentLines()
        #expect(student.count == exercise.lines.count)
        #expect(student[2].trimmingCharacters(in: .whitespaces).hasPrefix("TODO("))
        #expect(!student.joined().contains("x * 2"))
    }

    @Test("bad attributes are reported with their lines before anything runs")
    func badAttributes() throws {
        let error = #expect(throws: TutorError.self) { try LessonParser.parse(file: TutorProcess.lesson("bad-attributes")) }
        guard case .invalidLesson(let issues) = error else { Issue.record("expected invalidLesson"); return }
        let lines = issues.map(\.line)
        #expect(lines == [7, 11, 15, 21, 26])
        #expect(issues[0].message.contains("duplicate exercise id `one`"))
        #expect(issues[1].message.contains("unknown attribute `frobnicate`"))
        #expect(issues[2].message.contains("test for missing exercise `missing`"))
        #expect(issues[3].message.contains("unterminated solution region"))
        #expect(issues[4].message.contains("points=many"))
    }

    @Test("an unclosed fence is an error at the fence line")
    func unclosedFence() throws {
        let error = #expect(throws: TutorError.self) { try LessonParser.parse(file: TutorProcess.lesson("malformed")) }
        guard case .invalidLesson(let issues) = error else { Issue.record("expected invalidLesson"); return }
        #expect(issues.map(\.line) == [3])
        #expect(issues[0].message.contains("never closed"))
    }

    @Test("option lines, timeouts and nested blocks", arguments: [
        ("```swift timeout=soon\nlet a = 1\n```\n", 1, "timeout=soon"),
        ("```swift\n//| colour: red\nlet a = 1\n```\n", 2, "unknown option"),
        ("- item\n\n  ```swift\n  let a = 1\n  ```\n", 3, "inside a list"),
        ("```swift exercise\nlet a = 1\n```\n", 1, "needs `id=NAME`"),
        ("```swift should-trap no-run\nlet a = 1\n```\n", 1, "choose one"),
        ("```swift\n// END SOLUTION\n```\n", 2, "without a `// BEGIN SOLUTION`"),
    ])
    func invalidSnippets(text: String, line: Int, message: String) throws {
        let error = #expect(throws: TutorError.self) { try LessonParser.parse(text: text, path: "x.md") }
        guard case .invalidLesson(let issues) = error else { Issue.record("expected invalidLesson"); return }
        #expect(issues.first?.line == line)
        #expect(issues.first?.message.contains(message) == true, "\(issues)")
    }

    @Test("non-swift blocks are prose; timeouts parse")
    func prose() throws {
        let lesson = try LessonParser.parse(text: "# T\n\n```python\nprint(1)\n```\n\n```swift timeout=500ms\nlet a = 1\n```\n", path: "t.md")
        #expect(lesson.steps.count == 1)
        #expect(lesson.steps[0].timeout == 0.5)
        #expect(lesson.steps[0].markdownLine(0) == 8)
    }
}
