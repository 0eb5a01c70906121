import Foundation
import Testing
import Tutor

/// The validation of the runner's channel and the screening of exercise code, alone (no compiler, no process).
@Suite("integrity rules")
struct IntegrityRulesTests {
    private let token = "feedc0de"

    private func event(_ kind: String, _ fields: [String: Any] = [:], token: String? = nil) -> String {
        var record = fields
        record["kind"] = kind
        record["token"] = token ?? self.token
        let data = try! JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    private func testRecord(_ kind: String, _ payload: [String: Any]) -> String {
        let record: [String: Any] = ["kind": kind, "payload": payload, "version": "0"]
        let text = String(decoding: try! JSONSerialization.data(withJSONObject: record), as: UTF8.self)
        return event("test", ["record": text])
    }

    private var wellFormedSteps: [String] {
        [event("programBegan"), event("stepBegan", ["step": 0]), event("stepEnded", ["step": 0]),
         event("stepBegan", ["step": 2]), event("image", ["file": "step2-1-image.png"]), event("stepEnded", ["step": 2]),
         event("programEnded")]
    }

    private var checkRecords: [String] {
        let id = "LessonProgram.__TutorChecks_0/a()/checks.swift:5:1"
        return [testRecord("test", ["kind": "function", "id": id, "name": "a()"]),
                testRecord("event", ["kind": "runStarted"]),
                testRecord("event", ["kind": "testStarted", "testID": id]),
                testRecord("event", ["kind": "testEnded", "testID": id]),
                testRecord("event", ["kind": "runEnded"])]
    }

    @Test("a well-formed run and a well-formed check run are accepted")
    func wellFormed() {
        #expect(IntegrityRules.tampering(transcript: wellFormedSteps, token: token, plannedSteps: [0, 2], expectsChecks: false,
                                         termination: .exited(0)) == nil)
        #expect(IntegrityRules.tampering(transcript: wellFormedSteps + checkRecords, token: token, plannedSteps: [0, 2],
                                         expectsChecks: true, termination: .exited(1)) == nil)
    }

    @Test("a crash inside a step and a TODO() are not tampering")
    func honestStops() {
        let crashed = Array(wellFormedSteps.prefix(4))
        #expect(IntegrityRules.tampering(transcript: crashed, token: token, plannedSteps: [0, 2], expectsChecks: false,
                                         termination: .signaled(4)) == nil)
        let todo = crashed + [event("todo", ["line": 9])]
        #expect(IntegrityRules.tampering(transcript: todo, token: token, plannedSteps: [0, 2], expectsChecks: false,
                                         termination: .exited(86)) == nil)
    }

    @Test("forged, reordered, repeated or late events are tampering", arguments: [
        "no token", "wrong token", "skipped step", "step twice", "end before last step", "exit 0 mid-step",
        "exit 86 without TODO", "test record before the end", "test started twice", "event after the checks", "handle misuse",
        "garbage line",
    ])
    func tampering(_ attack: String) {
        var lines = wellFormedSteps
        var checks = false
        var termination = Termination.exited(0)
        switch attack {
        case "no token": lines.insert(#"{"kind":"stepEnded","step":0}"#, at: 2)
        case "wrong token": lines[2] = event("stepEnded", ["step": 0], token: "guessed")
        case "skipped step": lines = [lines[0], event("stepBegan", ["step": 2]), event("stepEnded", ["step": 2]), event("programEnded")]
        case "step twice": lines.insert(contentsOf: [event("stepBegan", ["step": 0]), event("stepEnded", ["step": 0])], at: 3)
        case "end before last step": lines = Array(lines.prefix(3)) + [event("programEnded")]
        case "exit 0 mid-step": lines = Array(lines.prefix(4))
        case "exit 86 without TODO":
            lines = Array(lines.prefix(4))
            termination = .exited(86)
        case "test record before the end":
            checks = true
            lines.insert(checkRecords[0], at: 2)
        case "test started twice":
            checks = true
            lines += checkRecords.prefix(4) + [checkRecords[2], checkRecords[3], checkRecords[4]]
        case "event after the checks":
            checks = true
            lines += checkRecords + [event("image", ["file": "step2-2-image.png"])]
        case "handle misuse": lines.insert(event("tamper", ["reason": "lesson code asked for the runner's handle"]), at: 2)
        default: break
        }
        if attack == "garbage line" { lines.insert("not json at all", at: 1) }
        let reason = IntegrityRules.tampering(transcript: lines, token: token, plannedSteps: [0, 2], expectsChecks: checks,
                                              termination: termination)
        #expect(reason != nil, "\(attack) was accepted")
    }

    private func lesson(_ exercise: String, extra: String = "") throws -> Lesson {
        try LessonParser.parse(text: "\(extra)```swift exercise id=x\n\(exercise)\n```\n\n```swift test for=x\n@Test func t() {}\n```\n", path: "r.md")
    }

    @Test("exercise code that could change what the checks call is refused at its line", arguments: [
        ("func f() -> Int { 1 }\nextension Checks_x { func f() -> Int { 2 } }", 3),
        ("func f() -> Int { 1 }\nextension Int { static func ==(a: Int, b: Int) -> Bool { true } }", 3),
        ("func == (a: Int, b: Int) -> Bool { true }", 2),
        ("enum Testing {}", 2),
        ("func __tutorConnect() {}", 2),
        ("@_silgen_name(\"exit\") func quit(_ code: Int32)", 2),
        ("func f() {\n#sourceLocation(file: \"x\", line: 1)\n}", 3),
    ])
    func refused(code: String, line: Int) throws {
        // #sourceLocation is already an error when parsing; the other rules apply to exercises only.
        if code.contains("#sourceLocation") {
            #expect(throws: TutorError.self) { try lesson(code) }
            return
        }
        let findings = IntegrityRules.refusedExerciseCode(in: try lesson(code))
        #expect(findings.first?.line == line, "\(findings)")
        #expect(findings.first?.exercise == "x")
    }

    @Test("ordinary exercise code passes: own types, extensions of them, strings and comments that only mention things")
    func accepted() throws {
        let code = """
        struct Rule: Equatable { var k = 1 }
        extension Rule { static func == (a: Rule, b: Rule) -> Bool { a.k == b.k } }
        // extension Int { }  and  enum Testing {} in a comment
        let text = "extension Tensor { } @_silgen_name __tutor"
        let raw = #"func == "# + \"\"\"
        enum Testing {}
        \"\"\"
        func helper(_ x: Int) -> Int { x + 1 }
        """
        #expect(IntegrityRules.refusedExerciseCode(in: try lesson(code)).isEmpty)
        // A type the lesson declares in an ordinary step may be extended by an exercise.
        let declared = try lesson("extension Shared { func twice() -> Int { k * 2 } }", extra: "```swift\nstruct Shared { var k = 2 }\n```\n\n")
        #expect(IntegrityRules.refusedExerciseCode(in: declared).isEmpty)
    }
}
