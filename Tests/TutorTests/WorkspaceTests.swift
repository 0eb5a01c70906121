import Foundation
import Testing
import Tutor

/// The self-paced learner's commands, end to end: `tutor workspace`, `hint`, `reset`, `progress`, and `tutor check`
/// in a workspace (reference solutions for later steps, recorded results).
@Suite("learner workspace", .serialized)
struct WorkspaceTests {
    /// A private copy of the fixture course (so a test may change the "source") and a workspace path beside it.
    static func course(_ name: String) throws -> (source: URL, workspace: URL) {
        let root = TutorProcess.outputFolder("workspace-" + name)
        let source = root.appendingPathComponent("Course")
        let fixture = URL(fileURLWithPath: TutorProcess.lesson("workspace-course/01-numbers")).deletingLastPathComponent()
        try FileManager.default.copyItem(at: fixture, to: source)
        return (source, root.appendingPathComponent("Workspace"))
    }

    static func text(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    /// Replaces the body line of exercise `id` in a workspace lesson (the `TODO(…)` line or a previous answer).
    static func answer(_ lesson: URL, _ id: String, with code: String) throws {
        var lines = try text(lesson).components(separatedBy: "\n")
        let fence = try #require(lines.firstIndex(of: "```swift exercise id=\(id)"))
        lines[fence + 2] = "    " + code
        try lines.joined(separator: "\n").write(to: lesson, atomically: true, encoding: .utf8)
    }

    static func check(_ lesson: URL, _ name: String) throws -> (TutorProcess.Output, CheckResult, URL) {
        let out = TutorProcess.outputFolder("workspace-check-" + name)
        let json = out.appendingPathComponent("check.json")
        let output = try TutorProcess.run(["check", lesson.path, "--output", out.path, "--json", json.path])
        return (output, try JSONDecoder().decode(CheckResult.self, from: Data(contentsOf: json)), out)
    }

    @Test("creates the learner's copy: TODO() in every exercise, hints kept, no solution, no graded-only test, files along")
    func creates() throws {
        let (source, workspace) = try Self.course("create")
        let made = try TutorProcess.run(["workspace", source.path, "--out", workspace.path])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.stdout.contains("created") && made.stdout.contains("01-numbers.md") && made.stdout.contains("02-more.md"))
        let lesson = try Self.text(workspace.appendingPathComponent("01-numbers.md"))
        #expect(lesson.components(separatedBy: "TODO(").count - 1 == 3)
        #expect(!lesson.contains("BEGIN SOLUTION") && !lesson.contains("return x * x") && !lesson.contains("squaresNegative"))
        #expect(lesson.contains("<!-- hints for=triple") && lesson.contains("<!-- hints for=square"))
        #expect(try Self.text(workspace.appendingPathComponent("notes.txt")) == "notes for the workspace tests\n")
        let manifest = try WorkspaceManifest.read(workspace: workspace)
        let entry = try #require(manifest.lesson(file: "01-numbers.md"))
        #expect(entry.source == "../Course/01-numbers.md")
        #expect(entry.exercises.map(\.id) == ["triple", "square", "negate"])
        #expect(entry.exercises.first?.todoLines.contains { $0.contains("TODO(") } == true)
        let release = try ReleaseManifest.read(workspace.appendingPathComponent("release.json"))
        #expect(release.lessons.map(\.id) == ["01-numbers", "02-more"])
        // The hints parsed from the learner's copy are the author's, in order.
        let parsed = try LessonParser.parse(file: workspace.appendingPathComponent("01-numbers.md").path)
        #expect(parsed.hints(for: "triple") == ["Tripling is multiplying by three.", "Use the `*` operator on `x`.", "Return `x * 3`."])
        #expect(parsed.hints(for: "negate").isEmpty)
        // The source folder itself, or a folder inside it, is refused before anything is written.
        for target in [source, source.appendingPathComponent("ws")] {
            try expectUsageError(try TutorProcess.run(["workspace", source.path, "--out", target.path]), argument: target.path,
                                 mentions: ["must not be the lessons' own folder"])
        }
        try expectUsageError(try TutorProcess.run(["workspace", source.appendingPathComponent("01-numbers.md").path, "--out", source.path]),
                             argument: source.path, mentions: ["must not be the lessons' own folder"])
        #expect(try Self.text(source.appendingPathComponent("01-numbers.md")).contains("BEGIN SOLUTION"))
        #expect(!FileManager.default.fileExists(atPath: source.appendingPathComponent(".tutor").path))
    }

    @Test("re-creating keeps the learner's edits, adds new lessons, and replaces only with --force (backup kept)")
    func neverOverwrites() throws {
        let (source, workspace) = try Self.course("overwrite")
        let first = try TutorProcess.run(["workspace", source.appendingPathComponent("01-numbers.md").path, "--out", workspace.path])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(!FileManager.default.fileExists(atPath: workspace.appendingPathComponent("02-more.md").path))
        let lesson = workspace.appendingPathComponent("01-numbers.md")
        try Self.answer(lesson, "triple", with: "return x + x + x")
        let edited = try Self.text(lesson)

        let again = try TutorProcess.run(["workspace", source.path, "--out", workspace.path])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("kept") && again.stdout.contains("--force"))
        #expect(again.stdout.contains("created  \(workspace.path)/02-more.md"))
        #expect(try Self.text(lesson) == edited, "the learner's edited lesson was overwritten")
        #expect(FileManager.default.fileExists(atPath: workspace.appendingPathComponent("02-more.md").path))

        let forced = try TutorProcess.run(["workspace", source.path, "--out", workspace.path, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stdout.contains("replaced"))
        #expect(try !Self.text(lesson).contains("return x + x + x"))
        let backups = try FileManager.default.contentsOfDirectory(atPath: workspace.appendingPathComponent(".tutor/backups/01-numbers").path)
        #expect(backups.count == 1 && backups[0].hasPrefix("lesson-") && backups[0].hasSuffix(".md"))
        let backup = workspace.appendingPathComponent(".tutor/backups/01-numbers/\(backups[0])")
        #expect(try Self.text(backup) == edited)
        #expect(forced.stdout.contains(backups[0]))

        // A lesson the learner never edited follows its source, and the manifest records the new source.
        let more = source.appendingPathComponent("02-more.md")
        try (Self.text(more) + "\nA paragraph added later.\n").write(to: more, atomically: true, encoding: .utf8)
        let updated = try TutorProcess.run(["workspace", source.path, "--out", workspace.path])
        #expect(updated.stdout.contains("updated  \(workspace.path)/02-more.md"), "\(updated.stdout)")
        #expect(!updated.stdout.contains("01-numbers.md"), "an unchanged lesson was reported: \(updated.stdout)")
        #expect(try Self.text(workspace.appendingPathComponent("02-more.md")).contains("A paragraph added later."))
        let copy = try #require(WorkspaceLesson.locate(workspace.appendingPathComponent("02-more.md").path))
        #expect(copy.reference == .available(path: more.path))
    }

    @Test("hints come one at a time, in order, remembered between runs; --all lists them; bad requests exit 2")
    func hintsInOrder() throws {
        let (source, workspace) = try Self.course("hints")
        _ = try TutorProcess.run(["workspace", source.path, "--out", workspace.path])
        let lesson = workspace.appendingPathComponent("01-numbers.md").path
        var seen: [String] = []
        for _ in 0..<4 {
            let output = try TutorProcess.run(["hint", lesson, "triple"])
            #expect(output.status == 0, "\(output.stderr)")
            seen.append(output.stdout.split(separator: "\n").first.map(String.init) ?? "")
        }
        #expect(seen == ["hint 1 of 3 for `triple`: Tripling is multiplying by three.",
                         "hint 2 of 3 for `triple`: Use the `*` operator on `x`.",
                         "hint 3 of 3 for `triple`: Return `x * 3`.",
                         "hint 3 of 3 for `triple`: Return `x * 3`."])
        let square = try TutorProcess.run(["hint", lesson, "square", "--all"])
        #expect(square.stdout.contains("hint 1 of 2 for `square`: A square is a number times itself.\nhint 2 of 2 for `square`: Multiply `x` by `x`."))
        try expectUsageError(try TutorProcess.run(["hint", lesson, "negate"]), argument: lesson, mentions: ["negate", "no hints"])
        try expectUsageError(try TutorProcess.run(["hint", lesson, "cube"]), argument: lesson, mentions: ["cube", "triple"])
    }

    @Test("reset restores one exercise's TODO() form and keeps the learner's code, saying where")
    func resetWithBackup() throws {
        let (source, workspace) = try Self.course("reset")
        _ = try TutorProcess.run(["workspace", source.path, "--out", workspace.path])
        let lesson = workspace.appendingPathComponent("01-numbers.md")
        let original = try Self.text(lesson)
        try Self.answer(lesson, "square", with: "return x * x + 0")
        try Self.answer(lesson, "triple", with: "return 3 * x")
        let output = try TutorProcess.run(["reset", lesson.path, "square"])
        #expect(output.status == 0, "\(output.stderr)")
        let backups = try FileManager.default.contentsOfDirectory(atPath: workspace.appendingPathComponent(".tutor/backups/01-numbers").path)
        let name = try #require(backups.first)
        #expect(name.hasPrefix("square-") && name.hasSuffix(".swift"))
        #expect(output.stdout.contains(".tutor/backups/01-numbers/\(name)"))
        let saved = try Self.text(workspace.appendingPathComponent(".tutor/backups/01-numbers/\(name)"))
        #expect(saved.contains("return x * x + 0") && saved.contains("func square"))
        let now = try Self.text(lesson)
        #expect(!now.contains("return x * x + 0"))
        #expect(now.contains("return 3 * x"), "reset touched another exercise")
        #expect(now == original.replacingOccurrences(of: "    TODO(\"replace this with your solution\")\n}\n```\n\n<!-- hints for=triple",
                                                     with: "    return 3 * x\n}\n```\n\n<!-- hints for=triple"))
        let again = try TutorProcess.run(["reset", lesson.path, "square"])
        #expect(again.status == 0 && again.stdout.contains("already"))
        try expectUsageError(try TutorProcess.run(["reset", TutorProcess.lesson("todo"), "triple"]), argument: "todo.md", mentions: ["workspace"])
    }

    @Test("progress after done, failing and untouched exercises; a second failed check suggests a hint")
    func progressMix() throws {
        let (source, workspace) = try Self.course("progress")
        _ = try TutorProcess.run(["workspace", source.path, "--out", workspace.path])
        let lesson = workspace.appendingPathComponent("01-numbers.md")
        let before = try TutorProcess.run(["progress", workspace.path])
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.stdout.hasPrefix("0 of 4 exercises done · 0/5 points"))
        #expect(before.stdout.contains("· triple    not started   –/2"))

        try Self.answer(lesson, "triple", with: "return x * 3")
        try Self.answer(lesson, "square", with: "return x + x")
        let (first, checks, _) = try Self.check(lesson, "progress-1")
        #expect(first.status == 1)
        #expect(checks.exercises.map(\.pointsEarned) == [2, 0, 0])
        #expect(!first.stderr.contains("tutor hint"))

        let progress = try TutorProcess.run(["progress", workspace.path])
        #expect(progress.stdout.hasPrefix("1 of 4 exercises done · 2/5 points"), "\(progress.stdout)")
        #expect(progress.stdout.contains("✓ triple    done          2/2"))
        #expect(progress.stdout.contains("✗ square    failing       0/1"))
        #expect(progress.stdout.contains("· negate    not started   –/1"))
        #expect(progress.stdout.contains("· double    not started   –/1"))
        #expect(progress.stdout.contains("next: fix `square`"))
        #expect(!progress.stdout.contains("changed since last check"))

        // The same failing code checked again does not count; different failing code does.
        _ = try Self.check(lesson, "progress-2")
        try Self.answer(lesson, "square", with: "return x * 3")
        let (third, _, _) = try Self.check(lesson, "progress-3")
        #expect(third.stderr.contains("`square` failed 2 checks in a row; `tutor hint \(lesson.path) square` shows hint 1 of 2"), "\(third.stderr)")

        try Self.answer(lesson, "negate", with: "return -x")
        let changed = try TutorProcess.run(["progress", workspace.path])
        #expect(changed.stdout.contains("01-numbers.md — Numbers (1/3 done) · changed since last check"), "\(changed.stdout)")
        #expect(changed.stdout.contains("next: \(workspace.path)/01-numbers.md changed since its last check"))
        try expectUsageError(try TutorProcess.run(["progress", source.path]), argument: "workspace.json", mentions: ["not a workspace"])
    }

    @Test("steps after a TODO exercise run on the source's reference solution, marked; a changed source falls back with a note")
    func referenceSolution() throws {
        let (source, workspace) = try Self.course("reference")
        _ = try TutorProcess.run(["workspace", source.path, "--out", workspace.path])
        let lesson = workspace.appendingPathComponent("01-numbers.md")
        // `square` is done, so its checks run in the learner's program, where the step after `triple` meets its TODO():
        // that step leaves the check program quietly (not a crash: exit 1, not 3).
        try Self.answer(lesson, "square", with: "return x * x")
        let (output, checks, out) = try Self.check(lesson, "reference")
        #expect(output.status == 1, "\(output.stderr)")
        #expect(checks.exercises.map { $0.tests.map(\.status) } == [["not-run"], ["passed"], ["not-run"]])
        #expect(checks.errors.isEmpty, "\(checks.errors)")
        let exercise = try #require(checks.steps.first { $0.line == 5 })
        #expect(exercise.status == .todo)
        let caller = try #require(checks.steps.first { $0.line == 18 })
        #expect(caller.status == .ok)
        #expect(caller.ranOnReference == true)
        #expect(caller.output == [.text("thirty is 30\n")])
        #expect(checks.exercises.first?.tests.first?.status == "not-run", "the checks must grade the learner's TODO, not the reference")
        #expect(output.stderr.contains("ran on the reference solution"), "\(output.stderr)")
        let report = try Self.text(out.appendingPathComponent("01-numbers.html"))
        #expect(report.contains("ran on the reference solution"))
        #expect(!report.contains("Tripling is multiplying") && !report.contains("hints for"), "the report shows the hints")

        // The author changes the source lesson: its solutions no longer count for this copy.
        try (Self.text(source.appendingPathComponent("01-numbers.md")) + "\nA new paragraph.\n")
            .write(to: source.appendingPathComponent("01-numbers.md"), atomically: true, encoding: .utf8)
        let (changed, changedChecks, _) = try Self.check(lesson, "reference-changed")
        #expect(changed.stderr.contains("changed since this workspace was made"), "\(changed.stderr)")
        #expect(changedChecks.steps.first { $0.line == 18 }?.status == .notRun)
        try FileManager.default.removeItem(at: source.appendingPathComponent("01-numbers.md"))
        let (gone, _, _) = try Self.check(lesson, "reference-gone")
        #expect(gone.stderr.contains("is gone"), "\(gone.stderr)")
    }

    @Test("a workspace lesson's report goes to the workspace's own Output folder; its TODO points at `tutor hint`")
    func reportInsideWorkspace() throws {
        let (source, workspace) = try Self.course("report-folder")
        _ = try TutorProcess.run(["workspace", source.path, "--out", workspace.path])
        let lesson = workspace.appendingPathComponent("01-numbers.md")
        let output = try TutorProcess.run(["check", lesson.path])
        #expect(output.status == 1, "\(output.stderr)")
        #expect(FileManager.default.fileExists(atPath: workspace.appendingPathComponent("Output/01-numbers.html").path), "\(output.stderr)")
        #expect(output.stderr.contains("`tutor hint \(lesson.path) triple` shows a hint (3 in all)"), "\(output.stderr)")
        // `negate` has no hints: no help line for it.
        #expect(!output.stderr.contains("negate` shows a hint"))
        // Writing the report into the workspace does not change the lesson's inputs: the same check is answered from the cache.
        let again = try TutorProcess.run(["check", lesson.path])
        #expect(again.status == 1 && again.stderr.contains(", cached"), "\(again.stderr)")
    }

    @Test("hints comments are checked when a lesson is parsed, with their lines")
    func hintSyntaxErrors() throws {
        let exercise = "# T\n\n```swift exercise id=a\nlet a = 1\n```\n\n"
        let cases: [(String, Int, String)] = [
            ("<!-- hints for=b\n1. x\n-->\n", 7, "missing exercise `b`"),
            ("<!-- hints for=a\n1. x\n-->\n\n<!-- hints for=a\n1. y\n-->\n", 11, "a second hints comment"),
            ("<!-- hints for=a\nno number\n-->\n", 8, "before the first one"),
            ("<!-- hints for=a\n-->\n", 7, "empty"),
            ("<!-- hint for=a\n1. x\n-->\n", 7, "<!-- hints for=EXERCISE-ID"),
            ("<!-- hints\n1. x\n-->\n", 7, "names its exercise"),
        ]
        for (hints, line, message) in cases {
            let error = #expect(throws: TutorError.self) { try LessonParser.parse(text: exercise + hints, path: "x.md") }
            guard case .invalidLesson(let issues)? = error else { Issue.record("expected invalidLesson for \(hints)"); continue }
            #expect(issues.first?.line == line, "\(hints): \(issues)")
            #expect(issues.first?.message.contains(message) == true, "\(hints): \(issues)")
        }
        // An ordinary comment stays prose; hints never reach the rendered blocks.
        let lesson = try LessonParser.parse(text: exercise + "<!-- a note -->\n\n<!-- hints for=a\n- one\n-->\n", path: "x.md")
        #expect(lesson.hints(for: "a") == ["one"])
        let html = lesson.blocks.map { if case .prose(let html, _) = $0 { html } else { "" } }.joined()
        #expect(!html.contains("one"))
    }
}
