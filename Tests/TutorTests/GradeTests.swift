import Foundation
import Testing
import Tutor

/// `tutor grade` end to end on a synthetic class: every status, the gradebook row by row, repeatable runs,
/// shards that merge to the same gradebook, and feedback that never shows a hidden check's code or message.
@Suite("tutor grade", .serialized)
struct GradeTests {
    static let source = TutorProcess.lesson("grading/small-course")
    static let correct = ["double": "return x * 2", "sum": "return values.reduce(0, +)", "greet": "return \"Hello, \\(name)!\""]
    /// The TODO line of each exercise in the released copy.
    static let todoLines = ["double": "TODO(\"multiply by two\")", "sum": "TODO(\"replace this with your solution\")",
                            "greet": "TODO(\"use string interpolation\")"]

    /// Each student's bodies for the exercises (absent: left at TODO), and any other edit of the released text.
    static let students: [String: [String: String]] = [
        "alice": correct,
        "bob": correct,
        "carol": ["double": "return x + 2", "sum": correct["sum"]!],
        "dave": ["double": "return x *", "sum": correct["sum"]!, "greet": correct["greet"]!],
        "erin": ["double": correct["double"]!, "sum": "while true { }\n    return 0", "greet": correct["greet"]!],
        "frank": ["double": "let none: [Int] = []\n    return none[x]", "sum": correct["sum"]!, "greet": "exit(0)"],
        "gina": ["double": correct["double"]!, "greet": correct["greet"]!,
                 "sum": "var hoard: [[UInt8]] = []\n    for _ in 0..<64 { hoard.append([UInt8](unsafeUninitializedCapacity: 1 << 30) { $1 = 1 << 30 }) }\n    return hoard.count"],
        "hank": ["sum": correct["sum"]!,
                 "greet": "let path = ProcessInfo.processInfo.environment[\"TUTOR_TEST_EVENTS\"] ?? \"\"\n    return \"Hello, \\(name)!\" + path.prefix(0)"],
        "judy": correct,
    ]

    /// The expected gradebook, row by row.
    static let expected: [String] = [
        "alice,small-course,double,3,3,passed", "alice,small-course,sum,2,2,passed", "alice,small-course,greet,1,1,passed",
        "bob,small-course,double,3,3,passed", "bob,small-course,sum,2,2,passed", "bob,small-course,greet,1,1,passed",
        "carol,small-course,double,0,3,failed", "carol,small-course,sum,2,2,passed", "carol,small-course,greet,0,1,todo",
        "dave,small-course,double,0,3,compile-error", "dave,small-course,sum,2,2,passed", "dave,small-course,greet,1,1,passed",
        "erin,small-course,double,3,3,passed", "erin,small-course,sum,0,2,timeout", "erin,small-course,greet,1,1,passed",
        "frank,small-course,double,0,3,crashed", "frank,small-course,sum,2,2,passed", "frank,small-course,greet,0,1,tampered",
        "gina,small-course,double,3,3,passed", "gina,small-course,sum,0,2,memory", "gina,small-course,greet,1,1,passed",
        "hank,small-course,double,0,3,todo", "hank,small-course,sum,2,2,passed", "hank,small-course,greet,0,1,tampered",
        "ivan,small-course,double,0,3,missing", "ivan,small-course,sum,0,2,missing", "ivan,small-course,greet,0,1,missing",
        "judy,small-course,double,3,3,passed", "judy,small-course,sum,2,2,passed", "judy,small-course,greet,1,1,passed",
        "kate,small-course,double,0,3,missing", "kate,small-course,sum,0,2,missing", "kate,small-course,greet,0,1,missing",
        "lena,small-course,double,0,3,missing", "lena,small-course,sum,0,2,missing", "lena,small-course,greet,0,1,missing",
    ]

    /// Writes the class: a release of the small course, then each student's copy with their code put in.
    static func makeClass(_ name: String) throws -> (submissions: URL, release: URL) {
        let root = TutorProcess.outputFolder(name)
        let release = root.appendingPathComponent("release")
        let made = try TutorProcess.run(["release", source, "--out", release.path])
        guard made.status == 0 else { throw Failure(message: "release failed: \(made.stderr)") }
        let copy = try String(contentsOf: release.appendingPathComponent("small-course.md"), encoding: .utf8)
        let submissions = root.appendingPathComponent("submissions")
        for (student, bodies) in students {
            var text = copy
            for (exercise, body) in bodies { text = text.replacingOccurrences(of: todoLines[exercise]!, with: body) }
            if student == "hank" {
                // Edits a public check so that it always passes.
                text = text.replacingOccurrences(of: "#expect(double(21) == 42, \"double(21) should be 42\")", with: "#expect(true)")
                // And adds a check of their own.
                text += "\n```swift test for=double points=5\n@Test func mine() { #expect(true) }\n```\n"
            }
            if student == "carol" {
                // Deletes a step (the original still runs).
                text = text.replacingOccurrences(of: "```swift\nprint(\"total:\", total([1, 2, 3]))\n```\n", with: "")
            }
            if student == "judy" { text = text.replacingOccurrences(of: "\n", with: "\r\n") }
            try write(text, to: submissions.appendingPathComponent("\(student)/small-course.md"))
        }
        try write("I forgot to hand in my lesson.", to: submissions.appendingPathComponent("ivan/notes.txt"))
        try write("Notes, not the lesson.\n", to: submissions.appendingPathComponent("lena/small-course.md"))
        let folder = submissions.appendingPathComponent("kate")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data([0x23, 0x20, 0xFF, 0xFE, 0x00, 0xC3, 0x28]).write(to: folder.appendingPathComponent("small-course.md"))
        return (submissions, release)
    }

    static func write(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    static let limits = ["--step-timeout", "10", "--test-timeout", "10", "--memory", "2048", "--jobs", "2"]

    static func grade(_ submissions: URL, _ out: URL, _ extra: [String] = []) throws -> TutorProcess.Output {
        try TutorProcess.run(["grade", submissions.path, "--source", source, "--out", out.path] + limits + extra)
    }

    /// Rows without the note column.
    static func rows(_ out: URL) throws -> [String] {
        let text = try String(contentsOf: out.appendingPathComponent("gradebook.csv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { row in
            // Notes may be quoted and hold commas: keep the first six fields.
            row.split(separator: ",", maxSplits: 6, omittingEmptySubsequences: false).prefix(6).joined(separator: ",")
        }
    }

    @Test("a synthetic class: every status, row by row; re-running changes nothing; shards merge to the same gradebook")
    func gradesAClass() throws {
        let (submissions, release) = try Self.makeClass("grade-class")
        let out = submissions.deletingLastPathComponent().appendingPathComponent("grades")
        let started = Date()
        // With the release manifest; the runs below derive the locked blocks from the source and must agree.
        let first = try Self.grade(submissions, out, ["--manifest", release.appendingPathComponent("release.json").path])
        let seconds = Date().timeIntervalSince(started)
        #expect(first.status == 0, "\(first.stderr)")
        let rows = try Self.rows(out)
        #expect(rows.count == Self.expected.count)
        for (row, expected) in zip(rows, Self.expected) { #expect(row == expected) }
        // The infinite loop finished within its limits: one step limit plus the builds, not the 600 s default.
        #expect(seconds < 300, "grading took \(seconds) s")

        let csv = try String(contentsOf: out.appendingPathComponent("gradebook.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("student,lesson,exercise,points,possible,status,note\n"))
        #expect(csv.contains("hank,small-course,double,0,3,todo,") && csv.contains("edited the public test for `double`"))
        #expect(csv.contains("not UTF-8"))
        #expect(csv.contains("lena,small-course,double,0,3,missing,small-course.md is not this lesson's Markdown"))
        #expect(csv.contains("added a public test for `double`"))
        #expect(csv.contains("carol,small-course,double,0,3,failed,2 of 2 checks failed; changed locked blocks (ignored): 1"))
        #expect(try String(contentsOf: out.appendingPathComponent("carol/small-course.html"), encoding: .utf8).contains("removed the step"))
        #expect(try String(contentsOf: out.appendingPathComponent("carol/small-course.html"), encoding: .utf8).contains("total: 6"))
        #expect(!csv.contains("SECRET-MESSAGE") && !csv.contains("secretNegativeDoubling"))

        // Feedback: code, outputs, public messages; hidden checks by name and outcome only.
        let carol = try String(contentsOf: out.appendingPathComponent("carol/small-course.html"), encoding: .utf8)
        #expect(carol.contains("return x + 2"))
        #expect(carol.contains("double(21) should be 42"))
        #expect(carol.contains("hidden check: secretly doubles negatives — failed"))
        #expect(!carol.contains("SECRET-MESSAGE-DOUBLE") && !carol.contains("#expect(double(-4)"))
        #expect(carol.contains("double of 21: 23"))
        #expect(carol.contains("no network") && carol.contains("RLIMIT_DATA"))
        // Frank's `double` traps: the steps that use it ran on the course's solution, whose output is not shown.
        let frank = try String(contentsOf: out.appendingPathComponent("frank/small-course.html"), encoding: .utf8)
        #expect(frank.contains("ran with the course's solution for `double`, which yours did not complete; its output is not shown"))
        #expect(!frank.contains("double of 21: 42"))
        let hank = try String(contentsOf: out.appendingPathComponent("hank/small-course.html"), encoding: .utf8)
        #expect(hank.contains("tampered"))
        let summary = try String(contentsOf: out.appendingPathComponent("summary.html"), encoding: .utf8)
        for student in ["erin", "frank", "gina", "hank"] { #expect(summary.contains("href=\"\(student)/small-course.html\"")) }
        #expect(summary.contains("hidden: secretly doubles negatives"))

        try Self.openInBrowser([out.appendingPathComponent("carol/small-course.html"), out.appendingPathComponent("summary.html")],
                               screenshots: out)

        // Again: nothing is graded anew and nothing changes.
        let before = try Data(contentsOf: out.appendingPathComponent("gradebook.csv"))
        let pageBefore = try Data(contentsOf: out.appendingPathComponent("carol/small-course.html"))
        let second = try Self.grade(submissions, out)
        #expect(second.status == 0)
        #expect(second.stdout.contains("graded 0 submissions, kept 12 earlier results"), "\(second.stdout)")
        #expect(try Data(contentsOf: out.appendingPathComponent("gradebook.csv")) == before)
        #expect(try Data(contentsOf: out.appendingPathComponent("carol/small-course.html")) == pageBefore)

        // Shards: two disjoint halves that merge to the same gradebook. Grading itself is covered above, so each
        // shard starts from the kept results of its own students: a shard that picked anyone else would grade them.
        let everyone = Self.students.keys.sorted() + ["ivan", "kate", "lena"]
        var shards: [URL] = []
        for index in 1...2 {
            let shard = out.deletingLastPathComponent().appendingPathComponent("shard-\(index)")
            let mine = everyone.sorted().enumerated().filter { $0.offset % 2 == index - 1 }.map(\.element)
            for student in mine {
                let kept = shard.appendingPathComponent(".grading/results/\(student)")
                try FileManager.default.createDirectory(at: kept.deletingLastPathComponent(), withIntermediateDirectories: true)
                try FileManager.default.copyItem(at: out.appendingPathComponent(".grading/results/\(student)"), to: kept)
            }
            try FileManager.default.copyItem(at: out.appendingPathComponent(".grading/source-ok"),
                                             to: shard.appendingPathComponent(".grading/source-ok"))
            let run = try Self.grade(submissions, shard, ["--shard", "\(index)/2"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.contains("graded 0 submissions, kept \(mine.count) earlier results"), "\(run.stdout)")
            #expect(Set(try Self.rows(shard).map { String($0.prefix { $0 != "," }) }) == Set(mine))
            shards.append(shard)
        }
        let shardOne = shards[0], shardTwo = shards[1]
        let merged = out.deletingLastPathComponent().appendingPathComponent("merged")
        let merge = try TutorProcess.run(["gradebook", "merge", shardOne.path, shardTwo.path, "--out", merged.path])
        #expect(merge.status == 0, "\(merge.stderr)")
        #expect(try Data(contentsOf: merged.appendingPathComponent("gradebook.csv")) == before)
        #expect(FileManager.default.fileExists(atPath: merged.appendingPathComponent("gina/small-course.html").path))
    }

    @Test("bad input: empty class, missing source, bad shard, a source that fails its own checks")
    func badInput() throws {
        let root = TutorProcess.outputFolder("grade-bad")
        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let none = try TutorProcess.run(["grade", empty.path, "--source", Self.source, "--out", root.appendingPathComponent("g1").path])
        #expect(none.status == 2)
        #expect(none.stderr.contains("holds no student folders"), "\(none.stderr)")

        let missing = try TutorProcess.run(["grade", empty.path, "--source", "/nonexistent/lesson.md", "--out", root.appendingPathComponent("g2").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/lesson.md"))

        let shard = try TutorProcess.run(["grade", empty.path, "--source", Self.source, "--out", root.path, "--shard", "3/2"])
        #expect(shard.status == 2)
        #expect(shard.stderr.contains("--shard"))

        // A source whose reference fails a check is refused, naming the lesson and the check.
        let broken = try String(contentsOfFile: Self.source, encoding: .utf8).replacingOccurrences(of: "return x * 2", with: "return x * 3")
        let brokenSource = root.appendingPathComponent("src/small-course.md")
        try Self.write(broken, to: brokenSource)
        try Self.write("anything", to: root.appendingPathComponent("class/zoe/small-course.md"))
        let refused = try TutorProcess.run(["grade", root.appendingPathComponent("class").path, "--source", brokenSource.path,
                                           "--out", root.appendingPathComponent("g3").path] + Self.limits)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("small-course fails its own checks"), "\(refused.stderr)")
        #expect(refused.stderr.contains("doubles 21"), "\(refused.stderr)")
    }

    /// Opens pages in headless Chromium (when installed): they must load with no console message, and a screenshot of
    /// each is kept next to them.
    static func openInBrowser(_ pages: [URL], screenshots folder: URL) throws {
        guard let chromium = ReportBrowserTests.chromium else { return }
        for page in pages {
            let shot = folder.appendingPathComponent("screenshot-" + page.deletingPathExtension().lastPathComponent + ".png")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: chromium)
            process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                                 "--enable-logging=stderr", "--v=0", "--window-size=1200,1600", "--screenshot=\(shot.path)", page.absoluteString]
            let err = Pipe()
            process.standardOutput = FileHandle.nullDevice
            process.standardError = err
            try process.run()
            let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let console = log.split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains("Uncaught") }
            #expect(console.isEmpty, "console messages on \(page.lastPathComponent): \(console)")
            let bytes = try Data(contentsOf: shot)
            #expect(bytes.count > 5_000 && bytes.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]), "no screenshot of \(page.lastPathComponent)")
            print("screenshot: \(shot.path)")
        }
    }

    @Test("CSV fields are quoted and cannot start a spreadsheet formula")
    func csvFields() {
        let grade = LessonGrade(student: "=cmd|' /C calc'!A0", lesson: "l", key: "k",
                                exercises: [ExerciseGrade(id: "e", points: 1, possible: 2, status: .failed, note: "a, \"b\"\nc", code: nil, tests: [])],
                                changes: [], steps: [], images: [:], limits: [], problems: [])
        let csv = Gradebook.csv([grade])
        #expect(csv == "student,lesson,exercise,points,possible,status,note\n'=cmd|' /C calc'!A0,l,e,1,2,failed,\"a, \"\"b\"\" c\"\n")
    }
}
