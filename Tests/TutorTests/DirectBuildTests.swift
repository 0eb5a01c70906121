import Foundation
import Testing
import Tutor

/// A body edit of one exercise is rebuilt without the Swift driver; any other edit goes through it. Each edit below must
/// show in what the steps and checks see, whichever way it was built.
@Suite("rebuilding after an edit of one exercise")
struct DirectBuildTests {
    static func lesson(exercise: String) -> String {
        """
        # Rebuilds

        ```swift exercise id=pair
        \(exercise)
        ```

        ```swift
        let made = make()
        print("sum:", made.a + made.b, "scaled:", scale(made.a))
        ```

        ```swift test for=pair points=1
        @Test func positive() { #expect(make().a > 0) }
        ```
        """
    }

    /// Checks the lesson in `folder` after writing `exercise` into it; returns the steps' text and the points.
    static func check(_ lesson: String, folder: URL, exercise: String) throws -> (text: String, earned: Int) {
        try Self.lesson(exercise: exercise).write(toFile: lesson, atomically: true, encoding: .utf8)
        let (output, result) = try LearnerLoopTests.check(lesson, folder: folder)
        #expect(output.status == (result.pointsEarned == 1 ? 0 : 1), "\(output.stderr)")
        return (LearnerLoopTests.text(result), result.pointsEarned)
    }

    @Test("body edits, a new parameter and a new stored property all reach the program")
    func editsReachTheProgram() throws {
        let (folder, lesson) = try LearnerLoopTests.lessonFolder("direct", Self.lesson(exercise: "struct Pair { var a: Int; var b: Int }\nfunc make() -> Pair { Pair(a: 1, b: 2) }\nfunc scale(_ x: Int) -> Int { x * 10 }"))
        var got = try Self.check(lesson, folder: folder, exercise: "struct Pair { var a: Int; var b: Int }\nfunc make() -> Pair { Pair(a: 1, b: 2) }\nfunc scale(_ x: Int) -> Int { x * 10 }")
        #expect(got.text.contains("sum: 3 scaled: 10") && got.earned == 1, "\(got.text)")
        // Bodies only: rebuilt without the driver.
        got = try Self.check(lesson, folder: folder, exercise: "struct Pair { var a: Int; var b: Int }\nfunc make() -> Pair { Pair(a: 4, b: 2) }\nfunc scale(_ x: Int) -> Int { x * 100 }")
        #expect(got.text.contains("sum: 6 scaled: 400") && got.earned == 1, "\(got.text)")
        // A new stored property before `b` moves it: the steps must be compiled again against the new layout.
        got = try Self.check(lesson, folder: folder, exercise: "struct Pair { var a: Int; var extra: Int = 7; var b: Int }\nfunc make() -> Pair { Pair(a: 4, b: 5) }\nfunc scale(_ x: Int) -> Int { x * 100 }")
        #expect(got.text.contains("sum: 9 scaled: 400"), "\(got.text)")
        // A parameter with a default value changes what the steps call.
        got = try Self.check(lesson, folder: folder, exercise: "struct Pair { var a: Int; var extra: Int = 7; var b: Int }\nfunc make() -> Pair { Pair(a: 4, b: 5) }\nfunc scale(_ x: Int, by k: Int = 3) -> Int { x * k }")
        #expect(got.text.contains("sum: 9 scaled: 12"), "\(got.text)")
        // Bodies again, after the driver's builds.
        got = try Self.check(lesson, folder: folder, exercise: "struct Pair { var a: Int; var extra: Int = 7; var b: Int }\nfunc make() -> Pair { Pair(a: -1, b: 5) }\nfunc scale(_ x: Int, by k: Int = 3) -> Int { x * k * 2 }")
        #expect(got.text.contains("sum: 4 scaled: -6") && got.earned == 0, "\(got.text)")
    }

    @Test("a body edit is judged against the last build that worked, not against a version that did not compile")
    func bodyEditAfterAFailedBuild() throws {
        let first = "struct Pair { var a: Int; var b: Int }\nfunc make() -> Pair { Pair(a: 1, b: 2) }\nfunc scale(_ x: Int) -> Int { x * 10 }"
        let (folder, lesson) = try LearnerLoopTests.lessonFolder("direct-failed", Self.lesson(exercise: first))
        var got = try Self.check(lesson, folder: folder, exercise: first)
        #expect(got.text.contains("sum: 3 scaled: 10"), "\(got.text)")
        // A new stored property and, in the same save, a body that does not compile: nothing is built.
        let broken = "struct Pair { var a: Int; var extra: Int = 7; var b: Int }\nfunc make() -> Pair { Pair(a: 4, b: missing) }\nfunc scale(_ x: Int) -> Int { x * 10 }"
        try Self.lesson(exercise: broken).write(toFile: lesson, atomically: true, encoding: .utf8)
        let (output, _) = try LearnerLoopTests.check(lesson, folder: folder)
        #expect(output.status == 2, "\(output.stderr)")
        // Fixing the body alone: against the broken version only a body changed, against the last build the layout did.
        got = try Self.check(lesson, folder: folder, exercise: broken.replacingOccurrences(of: "missing", with: "5"))
        #expect(got.text.contains("sum: 9 scaled: 40"), "\(got.text)")
    }

    @Test("what other files see of an exercise: bodies and comments do not count, signatures and layouts do")
    func interfaces() {
        let base = ExerciseInterface.of("/// Doubles.\nfunc twice(_ x: Int) -> Int {\n    return 2 * x  // { not a brace\n}\n")
        #expect(base != nil)
        #expect(ExerciseInterface.of("func twice(_ x: Int) -> Int {\n    let s = \"}\\(x)\"\n    return 3 * x\n}") == base)
        #expect(ExerciseInterface.of("func twice(_ x: Int) -> Int { 2 * x }\nfunc other() {}") != base)
        #expect(ExerciseInterface.of("func twice(_ x: Int, by k: Int = 2) -> Int { k * x }") != base)
        #expect(ExerciseInterface.of("func twice(_ x: Int) -> Double { 2 * Double(x) }") != base)
        let layout = ExerciseInterface.of("struct P { var a: Int\n init() { a = 1 } }")
        #expect(layout == ExerciseInterface.of("struct P { var a: Int\n init() { a = 2 } }"))
        #expect(layout != ExerciseInterface.of("struct P { var a: Int; var b = 0\n init() { a = 1 } }"))
        // A computed property's body is kept (conservative); a protocol's requirements have no bodies to drop.
        #expect(ExerciseInterface.of("struct P { var a: Int { 1 } }") != ExerciseInterface.of("struct P { var a: Int { 2 } }"))
        #expect(ExerciseInterface.of("protocol Q { func f() -> Int\n var g: Int { get } }") != nil)
        // Bodies that other files may compile against, and text this reading does not follow.
        #expect(ExerciseInterface.of("func values() -> some Collection { [1, 2] }") == nil)
        #expect(ExerciseInterface.of("@inlinable func f() -> Int { 1 }") == nil)
        #expect(ExerciseInterface.of("func f() -> String { \"\"\"\n a\n \"\"\" }") == nil)
        #expect(ExerciseInterface.of("func f() -> Int { (1") == nil)
    }
}
