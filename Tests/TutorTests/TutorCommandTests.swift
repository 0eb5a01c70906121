import Foundation
import Testing
import Tutor

/// End-to-end: the real `tutor` on the fixture lessons. Serialized: runs share two cores and the result cache.
@Suite("tutor run and tutor check", .serialized)
struct TutorCommandTests {
    @Test("a lesson that passes: every step as declared, then served from the cache")
    func passingLesson() throws {
        let (output, result, folder) = try TutorProcess.runLesson("passing", extra: ["--no-cache"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(result.steps.allSatisfy { $0.status.isAsDeclared })
        #expect(result.step(atLine: 11)?.output == [.text("hello, world\nsum: 6\n")])
        #expect(result.step(atLine: 48)?.status == .failedAsDeclared)
        #expect(result.step(atLine: 53)?.status == .failedAsDeclared)
        #expect(result.step(atLine: 57)?.status == .compiledOnly)
        #expect(result.step(atLine: 61)?.output == [.text("the end\n")])
        let html = try String(contentsOf: folder.appendingPathComponent("passing.html"), encoding: .utf8)
        #expect(html.contains("prefers-color-scheme: dark"))
        #expect(!html.contains("http://") && !html.contains("https://"), "the report must not load anything")
        #expect(html.contains("hello, world"))
        #expect(!html.contains("doublesNegative"), "hidden test source must never reach the report")

        let (again, cached, _) = try TutorProcess.runLesson("passing")
        #expect(again.status == 0)
        #expect(cached.cached)
    }

    @Test("a compile error in an ordinary step: reported at its line, dependents not run, the rest runs")
    func compileError() throws {
        let (output, result, _) = try TutorProcess.runLesson("compile-error")
        #expect(output.status == 1)
        let broken = try #require(result.step(atLine: 10))
        #expect(broken.status == .compileError)
        #expect(broken.failureLine == 11)
        #expect(broken.diagnostics.contains { $0.line == 11 && $0.severity == "error" })
        #expect(result.step(atLine: 17)?.status == .notRun)
        #expect(result.step(atLine: 23)?.status == .ok)
        #expect(result.step(atLine: 23)?.output == [.text("base + 1 = 21\n")])
    }

    @Test("an unclosed brace is blamed on its step, not on the generated program")
    func unclosedBrace() throws {
        let (output, result, _) = try TutorProcess.runLesson("unclosed-brace")
        #expect(output.status == 1)
        #expect(result.step(atLine: 7)?.status == .compileError)
        #expect(result.step(atLine: 7)?.failureLine == 8)
        #expect(result.step(atLine: 3)?.status == .ok)
        #expect(result.step(atLine: 12)?.status == .ok)
    }

    @Test("a compile error in an exercise: its check is not run and check exits 2")
    func exerciseCompileError() throws {
        let (_, result, _) = try TutorProcess.runLesson("exercise-compile-error")
        #expect(result.step(atLine: 3)?.status == .compileError)
        #expect(result.step(atLine: 3)?.failureLine == 5)
        #expect(result.step(atLine: 9)?.status == .notRun)
        #expect(result.step(atLine: 14)?.status == .ok)
        let (output, checks, _) = try TutorProcess.checkLesson("exercise-compile-error")
        #expect(output.status == 2)
        #expect(checks.exercises.first?.tests.first?.status == "not-run")
    }

    @Test("a trap in an exercise called from a later step is reported at the exercise's line")
    func trapInExercise() throws {
        let (output, result, _) = try TutorProcess.runLesson("trap-in-exercise")
        #expect(output.status == 1)
        let exercise = try #require(result.step(atLine: 3))
        #expect(exercise.status == .trapped)
        #expect(exercise.failureLine == 5)
        #expect(exercise.message?.contains("Index out of range") == true)
        #expect(result.step(atLine: 9)?.status == .notRun)
        #expect(result.step(atLine: 14)?.status == .notRun)
        #expect(result.step(atLine: 18)?.status == .ok)
        let (checkOutput, checks, _) = try TutorProcess.checkLesson("trap-in-exercise")
        #expect(checkOutput.status == 3)
        let tests = try #require(checks.exercises.first?.tests)
        #expect(tests.count == 2)
        #expect(tests.allSatisfy { $0.status == "crashed" && $0.line == 5 })
    }

    @Test("an infinite loop is stopped by the step's limit; the next step still runs")
    func infiniteLoop() throws {
        let (output, result, _) = try TutorProcess.runLesson("infinite-loop")
        #expect(output.status == 1)
        #expect(result.step(atLine: 7)?.status == .timedOut)
        #expect(result.step(atLine: 12)?.status == .ok)
        #expect(result.step(atLine: 12)?.output == [.text("after the loop\n")])
    }

    @Test("an exercise at TODO without a reference: reported not done, dependents not run")
    func todoWithoutReference() throws {
        let (output, result, _) = try TutorProcess.runLesson("todo-learner")
        #expect(output.status == 1)
        #expect(result.step(atLine: 3)?.status == .todo)
        #expect(result.step(atLine: 3)?.failureLine == 5)
        #expect(result.step(atLine: 9)?.status == .notRun)
        #expect(result.step(atLine: 14)?.status == .ok)
        let (checkOutput, checks, _) = try TutorProcess.checkLesson("todo-learner")
        #expect(checkOutput.status == 1)
        #expect(checks.pointsEarned == 0)
    }

    @Test("the student form: TODO reported, later steps continue on the reference solution")
    func studentFormContinuesOnReference() throws {
        let (output, result, _) = try TutorProcess.runLesson("todo", extra: ["--student"])
        #expect(output.status == 1)
        let exercise = try #require(result.step(atLine: 3))
        #expect(exercise.status == .todo)
        #expect(exercise.failureLine == 6)
        #expect(result.step(atLine: 11)?.status == .ok)
        #expect(result.step(atLine: 11)?.output == [.text("thirty is 30\n")])
        #expect(result.step(atLine: 16)?.status == .ok)
        // The author's lesson itself passes its checks.
        let (checkOutput, checks, _) = try TutorProcess.checkLesson("todo")
        #expect(checkOutput.status == 0)
        #expect(checks.pointsEarned == 3)
    }

    @Test("a learner's trapping exercise with --reference: trap reported, the caller continues on the reference")
    func learnerCopyWithReference() throws {
        let reference = ["--reference", TutorProcess.lesson("todo")]
        let (output, result, _) = try TutorProcess.runLesson("learner-trap", extra: reference)
        #expect(output.status == 1)
        let exercise = try #require(result.step(atLine: 3))
        #expect(exercise.status == .trapped)
        #expect(exercise.failureLine == 5)
        let caller = try #require(result.step(atLine: 9))
        #expect(caller.status == .ok)
        #expect(caller.reliesOnReferenceOf == "triple")
        #expect(caller.output == [.text("thirty is 30\n")])
        #expect(result.step(atLine: 14)?.status == .ok)
        let (checkOutput, checks, _) = try TutorProcess.checkLesson("learner-trap", extra: reference)
        #expect(checkOutput.status == 3)
        #expect(checks.exercises.first?.tests.first?.status == "crashed")
        #expect(checks.exercises.first?.tests.first?.line == 5)
    }

    @Test("failing and passing checks, points and Markdown lines; hidden tests only on request")
    func checks() throws {
        let (output, checks, folder) = try TutorProcess.checkLesson("checks")
        #expect(output.status == 1)
        let tests = try #require(checks.exercises.first?.tests)
        #expect(tests.map(\.status) == ["passed", "passed", "failed"])
        #expect(tests[2].line == 22)
        #expect(tests[2].message?.contains("values below 0 must become 0") == true)
        #expect(checks.pointsEarned == 4)
        #expect(checks.pointsPossible == 6)
        #expect(!output.stderr.contains("hidden"))
        let html = try String(contentsOf: folder.appendingPathComponent("checks.html"), encoding: .utf8)
        #expect(!html.contains("hiddenNegative") && !html.contains("values[3]"))

        let (hiddenOutput, withHidden, hiddenFolder) = try TutorProcess.checkLesson("checks", extra: ["--with-hidden"])
        #expect(hiddenOutput.status == 3, "a hidden test crashes")
        let all = try #require(withHidden.exercises.first?.tests)
        #expect(all.count == 5)
        #expect(all.filter(\.hidden).map(\.status) == ["failed", "crashed"])
        #expect(withHidden.pointsPossible == 16)
        #expect(!hiddenOutput.stderr.contains("clampToUnit(-0.5)"), "hidden test details stay out of learner-facing output")
        let hiddenHTML = try String(contentsOf: hiddenFolder.appendingPathComponent("checks.html"), encoding: .utf8)
        #expect(!hiddenHTML.contains("hiddenNegative") && !hiddenHTML.contains("values[3]"))
    }

    @Test("a check that hangs is stopped by the runner's limit and the other checks still count")
    func hangingCheck() throws {
        let (output, checks, _) = try TutorProcess.checkLesson("check-hang", extra: ["--test-timeout", "2"])
        #expect(output.status == 3)
        let tests = try #require(checks.exercises.first?.tests)
        #expect(tests.first { $0.name == "fromEven()" }?.status == "passed")
        let hung = try #require(tests.first { $0.name == "fromOdd()" })
        #expect(hung.status == "timed-out")
        #expect(hung.line == 13)
        #expect(checks.pointsEarned == 1)
    }

    @Test("an import inside a test block is lifted to file scope; the test keeps its Markdown line")
    func importsInChecks() throws {
        let (output, checks, _) = try TutorProcess.checkLesson("check-imports")
        #expect(output.status == 0, "\(output.stderr)")
        #expect(checks.exercises.first?.tests.first?.line == 9)
        #expect(checks.pointsEarned == 1)
    }

    @Test("malformed Markdown and bad attributes: exit 2 with file:line errors, nothing runs")
    func invalidLessons() throws {
        let malformed = try TutorProcess.run(["run", TutorProcess.lesson("malformed"), "--output", TutorProcess.outputFolder("malformed").path])
        #expect(malformed.status == 2)
        #expect(malformed.stderr.contains("malformed.md:3: error:"))
        let bad = try TutorProcess.run(["check", TutorProcess.lesson("bad-attributes"), "--output", TutorProcess.outputFolder("bad").path])
        #expect(bad.status == 2)
        for line in [7, 11, 15, 21, 26] { #expect(bad.stderr.contains("bad-attributes.md:\(line): error:")) }
    }
}
