import Foundation
import Testing
import Tutor

/// The learner's loop: cached checks, terminal feedback, incremental builds and `tutor watch`, end to end through
/// the real `tutor` on lessons written into a fresh folder per test.
@Suite("learner's loop")
struct LearnerLoopTests {
    /// A fresh folder holding `lesson.md` with `text` (and whatever else the test puts there).
    static func lessonFolder(_ name: String, _ text: String) throws -> (folder: URL, lesson: String) {
        let folder = TutorProcess.outputFolder("loop-\(name)-\(UInt32.random(in: 0...UInt32.max))")
        let lesson = folder.appendingPathComponent("lesson.md")
        try text.write(to: lesson, atomically: true, encoding: .utf8)
        return (folder, lesson.path)
    }

    /// `tutor check` with NO_COLOR set; returns the output and the decoded JSON summary.
    /// The report and the JSON go to a folder beside the lesson's (files in the lesson's folder are its inputs).
    static func check(_ lesson: String, folder: URL, extra: [String] = []) throws -> (TutorProcess.Output, CheckResult) {
        let results = URL(fileURLWithPath: folder.path + "-results")
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        let json = results.appendingPathComponent("check-\(UInt32.random(in: 0...UInt32.max)).json")
        let output = try TutorProcess.runTool("/usr/bin/env", ["NO_COLOR=1", TutorProcess.executable.path, "check", lesson,
                                                                "--output", results.appendingPathComponent("out").path,
                                                                "--json", json.path] + extra)
        let result = try JSONDecoder().decode(CheckResult.self, from: Data(contentsOf: json))
        return (output, result)
    }

    static let randomLesson = """
        # Random

        ```swift exercise id=twice
        func twice(_ x: Int) -> Int {
            return 2 * x
        }
        ```

        ```swift
        print("random:", UInt64.random(in: 0...UInt64.max), twice(21))
        ```

        ```swift test for=twice points=1
        @Test func doubles() { #expect(twice(4) == 8) }
        ```
        """

    @Test("an unchanged lesson's check answers from the cache: nothing runs again")
    func cachedCheckDoesNotRerun() throws {
        let (folder, lesson) = try Self.lessonFolder("cached", Self.randomLesson)
        let (first, firstResult) = try Self.check(lesson, folder: folder)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(firstResult.cached == nil)
        let (second, secondResult) = try Self.check(lesson, folder: folder)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(secondResult.cached == true)
        #expect(second.stderr.contains("cached"), "\(second.stderr)")
        // The step prints a fresh random number whenever it runs: the same number means it did not run again.
        #expect(firstResult.steps.map(\.output) == secondResult.steps.map(\.output))
        #expect(secondResult.pointsEarned == 1 && secondResult.pointsPossible == 1)
        // Any edit of the lesson misses.
        try (Self.randomLesson + "\nOne more line.\n").write(toFile: lesson, atomically: true, encoding: .utf8)
        let (_, third) = try Self.check(lesson, folder: folder)
        #expect(third.cached == nil)
        #expect(third.steps.map(\.output) != firstResult.steps.map(\.output))
    }

    @Test("the cache misses when an image the lesson reads changes")
    func imageChangeMissesCache() throws {
        let text = """
            # Reads an image

            ```swift
            let picture = try Image(pngFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("images/dot.png"))
            print("first pixel:", picture.pixels[0])
            ```
            """
        let (folder, lesson) = try Self.lessonFolder("image", text)
        let images = folder.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        try Data(base64Encoded: Self.grey10PNG)!.write(to: images.appendingPathComponent("dot.png"))
        let (first, firstResult) = try Self.check(lesson, folder: folder)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(Self.text(firstResult).contains("first pixel: 10"))
        let (_, cached) = try Self.check(lesson, folder: folder)
        #expect(cached.cached == true)
        try Data(base64Encoded: Self.grey200PNG)!.write(to: images.appendingPathComponent("dot.png"))
        let (_, after) = try Self.check(lesson, folder: folder)
        #expect(after.cached == nil, "a changed image must miss the cache")
        #expect(Self.text(after).contains("first pixel: 200"), "\(Self.text(after))")
    }

    @Test("the cache misses when a file outside the lesson's folder that the lesson read changes (read trace)")
    func tracedReadMissesCache() throws {
        let data = TutorProcess.outputFolder("loop-data-\(UInt32.random(in: 0...UInt32.max))").appendingPathComponent("data.txt")
        try "first".write(to: data, atomically: true, encoding: .utf8)
        let text = """
            # Reads a file elsewhere

            ```swift
            print("data:", try String(contentsOfFile: \(Self.swiftLiteral(data.path)), encoding: .utf8))
            ```
            """
        let (folder, lesson) = try Self.lessonFolder("traced", text)
        let (first, firstResult) = try Self.check(lesson, folder: folder)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(Self.text(firstResult).contains("data: first"))
        let (_, cached) = try Self.check(lesson, folder: folder)
        #expect(cached.cached == true)
        try "second".write(to: data, atomically: true, encoding: .utf8)
        let (_, after) = try Self.check(lesson, folder: folder)
        #expect(after.cached == nil, "a changed file the lesson read must miss the cache")
        #expect(Self.text(after).contains("data: second"), "\(Self.text(after))")
    }

    static func swiftLiteral(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// 2 × 2 RGB PNGs, every byte 10 and every byte 200.
    static let grey10PNG = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAADklEQVR4nGPgAgMGCAUAA1YAeWtYhwQAAAAASUVORK5CYII="
    static let grey200PNG = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAADklEQVR4nGM4AQYMEAoAQa4JYQOnncMAAAAASUVORK5CYII="

    static func text(_ result: CheckResult) -> String {
        result.steps.flatMap(\.output).map { if case .text(let t) = $0 { t } else { "" } }.joined()
    }

    @Test("a compile error in an exercise: file.md:line:column, the line and a caret, no colour with NO_COLOR")
    func compileErrorFeedback() throws {
        let text = """
            # Compile error

            ```swift exercise id=square
            func square(_ x: Int) -> Int {
                return x * "x"
            }
            ```

            ```swift test for=square
            @Test func squaresThree() { #expect(square(3) == 9) }
            ```
            """
        let (folder, lesson) = try Self.lessonFolder("diagnostics", text)
        let (output, _) = try Self.check(lesson, folder: folder)
        #expect(output.status == 2)
        let lines = output.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let index = try #require(lines.firstIndex { $0.hasPrefix("\(lesson):5:") && $0.contains(": error: ") }, "\(output.stderr)")
        let column = Int(lines[index].dropFirst("\(lesson):5:".count).prefix { $0.isNumber })!
        #expect(lines[index + 1] == "    return x * \"x\"")
        #expect(lines[index + 2] == String(repeating: " ", count: column - 1) + "^", "\(output.stderr)")
        #expect(!output.stderr.contains("\u{1B}["), "NO_COLOR is set: no escape codes")
        #expect(output.stderr.contains("square"))
    }

    @Test("a failing check with its message, line and caret; a trap and a TODO at the learner's line")
    func checkTrapAndTODOFeedback() throws {
        let checks = try Self.check(TutorProcess.lesson("checks"), folder: TutorProcess.outputFolder("loop-checks"))
        let path = TutorProcess.lesson("checks")
        #expect(checks.0.stderr.contains("\(path):22:5: failed: clamp › clips below zero: "), "\(checks.0.stderr)")
        #expect(checks.0.stderr.contains("values below 0 must become 0\n    #expect(clampToUnit(-2) == 0, \"values below 0 must become 0\")\n    ^"),
                "\(checks.0.stderr)")
        let trap = try Self.check(TutorProcess.lesson("trap-in-exercise"), folder: TutorProcess.outputFolder("loop-trap"))
        let trapPath = TutorProcess.lesson("trap-in-exercise")
        #expect(trap.0.stderr.contains("\(trapPath):5:5: error: trapped: "), "\(trap.0.stderr)")
        #expect(trap.0.stderr.contains("    return values[index + 10]\n    ^"), "\(trap.0.stderr)")
        let todo = try Self.check(TutorProcess.lesson("todo-learner"), folder: TutorProcess.outputFolder("loop-todo"))
        let todoPath = TutorProcess.lesson("todo-learner")
        #expect(todo.0.stderr.contains("\(todoPath):5:5: todo: TODO not done: divide by two"), "\(todo.0.stderr)")
        #expect(todo.0.stderr.contains("    TODO(\"divide by two\")\n    ^"), "\(todo.0.stderr)")
    }

    @Test("an unfinished exercise's checks are one line that says they wait for it, not one line per check")
    func unfinishedExerciseChecksInOneLine() throws {
        let folder = TutorProcess.outputFolder("loop-todo-grouped")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let lesson = folder.appendingPathComponent("todo-two-checks.md")
        try """
        # Two checks wait for one exercise

        ```swift exercise id=halve
        func halve(_ x: Int) -> Int {
            TODO("divide by two")
        }
        ```

        ```swift test for=halve
        @Test func halvesTen() { #expect(halve(10) == 5) }
        @Test func halvesZero() { #expect(halve(0) == 0) }
        ```

        """.write(to: lesson, atomically: true, encoding: .utf8)
        let (output, result) = try Self.check(lesson.path, folder: folder)
        // No step calls `halve`, so its checks are what meet the TODO.
        #expect(result.exercises.first?.tests.map(\.status) == ["failed", "failed"])
        let waiting = output.stderr.split(separator: "\n").filter { $0.contains("halve ›") }
        #expect(waiting.count == 1 && waiting[0].contains("halve › its 2 checks wait for the exercise to be done"), "\(output.stderr)")
    }

    @Test("colour only on a terminal, and not with NO_COLOR")
    func colourOnTerminalOnly() throws {
        let lesson = TutorProcess.lesson("exercise-compile-error")
        let out = TutorProcess.outputFolder("loop-colour").path
        let command = "\(TutorProcess.executable.path) check '\(lesson)' --output '\(out)'"
        let tty = try TutorProcess.runTool("/usr/bin/script", ["-qefc", "env -u NO_COLOR " + command, "/dev/null"])
        #expect(tty.stdout.contains("\u{1B}[1;31merror:"), "\(tty.stdout)")
        let noColor = try TutorProcess.runTool("/usr/bin/script", ["-qefc", "env NO_COLOR=1 " + command, "/dev/null"])
        #expect(noColor.stdout.contains("error:"), "\(noColor.stdout)")
        #expect(!noColor.stdout.contains("\u{1B}[1;31m"), "\(noColor.stdout)")
        let piped = try TutorProcess.runTool("/usr/bin/env", ["-u", "NO_COLOR", TutorProcess.executable.path, "check", lesson, "--output", out])
        #expect(piped.stderr.contains("error:") && !piped.stderr.contains("\u{1B}["), "\(piped.stderr)")
    }

    @Test("an edited exercise rebuilds only its own file; a changed struct layout still rebuilds its users")
    func incrementalBuild() throws {
        let text = """
            # Incremental

            ```swift exercise id=point
            struct Spot: CustomStringConvertible {
                var x: Int
                var description: String { "(\\(x))" }
            }
            ```

            ```swift
            print("point:", Spot(x: 1))
            ```
            """
        let (folder, lesson) = try Self.lessonFolder("incremental", text)
        let (first, firstResult) = try Self.check(lesson, folder: folder)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(Self.text(firstResult).contains("point: (1)"))
        let builds = try Self.buildFolders(containing: lesson)
        let main = try #require(builds.first).appendingPathComponent("main.o")
        let mainDate = try FileManager.default.attributesOfItem(atPath: main.path)[.modificationDate] as? Date
        // A body-only edit: main.o is kept.
        try text.replacingOccurrences(of: "\"(\\(x))\"", with: "\"<\\(x)>\"").write(toFile: lesson, atomically: true, encoding: .utf8)
        let (_, second) = try Self.check(lesson, folder: folder)
        #expect(Self.text(second).contains("point: <1>"), "\(Self.text(second))")
        #expect(try FileManager.default.attributesOfItem(atPath: main.path)[.modificationDate] as? Date == mainDate)
        // A new stored property changes the layout and the memberwise initialiser: the step is rebuilt and sees it.
        try text.replacingOccurrences(of: "var x: Int\n", with: "var x: Int\n    var y = 7\n")
            .replacingOccurrences(of: "\"(\\(x))\"", with: "\"(\\(x), \\(y))\"").write(toFile: lesson, atomically: true, encoding: .utf8)
        let (_, third) = try Self.check(lesson, folder: folder)
        #expect(Self.text(third).contains("point: (1, 7)"), "\(Self.text(third))")
    }

    /// The persistent build folders whose `exercise-*.swift` names `lesson`.
    static func buildFolders(containing lesson: String) throws -> [URL] {
        let environment = try BuildEnvironment.locate(libraryDirectory: TutorProcess.executable.deletingLastPathComponent().path)
        let root = environment.libraryDirectory.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("tutor-builds")
        return try FileManager.default.contentsOfDirectory(at: root, includingPropertiesForKeys: nil).filter { folder in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            return names.contains { $0.hasPrefix("exercise-") && $0.hasSuffix(".swift")
                && ((try? String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8))?.contains(lesson) ?? false) }
        }
    }

    @Test("only declaration-only exercises get a file of their own")
    func declarationsOnly() {
        #expect(ExerciseLayout.isDeclarationsOnly(["/// Doc", "func f() -> Int {", "    let s = \"}\"", "    return 1", "}"]))
        #expect(ExerciseLayout.isDeclarationsOnly(["struct R: BackwardRule {", "  func g() {}", "}", "", "extension R {}"]))
        #expect(!ExerciseLayout.isDeclarationsOnly(["func f() {}", "let x = f()"]))
        #expect(!ExerciseLayout.isDeclarationsOnly(["print(1)"]))
        #expect(!ExerciseLayout.isDeclarationsOnly(["func f() {", "}", "var total = 0"]))
        #expect(!ExerciseLayout.isDeclarationsOnly(["func f() -> String {", "  \"\"\"", "  }", "  \"\"\"", "}", "f()"]))
        #expect(!ExerciseLayout.isDeclarationsOnly(["// only a comment"]))
    }
}
