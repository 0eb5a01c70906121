import Foundation
import Testing
import Tutor

/// `tutor release`: the student copy holds no solution and no hidden test, keeps what the lessons use, and runs.
@Suite("tutor release", .serialized)
struct ReleaseTests {
    static var smallCourse: String { TutorProcess.lesson("grading/small-course") }

    /// Lines of `lesson` that only its solutions or hidden tests contain (shared lines, like `}`, do not count).
    static func secretLines(of lesson: Lesson) -> [String] {
        var secret: [String] = [], open: [String] = []
        for step in lesson.steps {
            var hiddenHere = Set<Int>()
            if case .test(_, _, true) = step.role { hiddenHere = Set(step.lines.indices) }
            for region in step.solutionRegions { hiddenHere.formUnion((region.lowerBound + 1)..<region.upperBound) }
            for (i, line) in step.lines.enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if hiddenHere.contains(i) { secret.append(trimmed) } else { open.append(trimmed) }
            }
        }
        // A line counts as secret when every occurrence in the file is in a solution or a hidden test.
        let all = lesson.text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        return Set(secret).filter { line in
            line.count >= 8 && !line.hasPrefix("// hint:") && !open.contains(line)
                && all.filter { $0 == line }.count == secret.filter { $0 == line }.count
        }.sorted()
    }

    @Test("the copy of the course has no solution line, no hidden test and no trace of either")
    func courseCopyHasNoSecrets() throws {
        let out = TutorProcess.outputFolder("release-course")
        let lessons = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Lessons").standardizedFileURL
        let result = try TutorProcess.run(["release", lessons.path, "--out", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        let manifest = try ReleaseManifest.read(out.appendingPathComponent("release.json"))
        let courseLessons = try FileManager.default.contentsOfDirectory(atPath: lessons.path)
            .filter { $0.first?.isNumber == true && $0.hasSuffix(".md") }.sorted().map { String($0.dropLast(3)) }
        #expect(manifest.lessons.map(\.id) == courseLessons)
        #expect(manifest.files.contains("images/cat.png") && manifest.files.contains("images/LICENSES.md"))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("images/dog-and-cat.png").path))
        for entry in manifest.lessons {
            let source = try LessonParser.parse(file: lessons.appendingPathComponent(entry.file).path)
            let released = try String(contentsOf: out.appendingPathComponent(entry.file), encoding: .utf8)
            #expect(!released.contains("BEGIN SOLUTION") && !released.contains("END SOLUTION"), "\(entry.id)")
            #expect(!released.contains("hidden"), "\(entry.id): the word `hidden` survives (an attribute or a trace)")
            let secrets = Self.secretLines(of: source)
            #expect(!secrets.isEmpty, "\(entry.id): no solution or hidden-test line to look for")
            for line in secrets {
                #expect(!released.contains(line), "\(entry.id) leaks a solution or hidden-test line: \(line)")
            }
            // Hidden tests' names and points leave no trace either.
            for step in source.steps {
                guard case .test(_, _, true) = step.role else { continue }
                for line in step.lines {
                    var names: [String] = []
                    if let range = line.range(of: "func ") { names.append(String(line[range.upperBound...].prefix { $0 != "(" })) }
                    if let range = line.range(of: "@Test(\"") { names.append(String(line[range.upperBound...].prefix { $0 != "\"" })) }
                    for name in names where name.count > 3 {
                        #expect(!released.contains(name), "\(entry.id) leaks the hidden test `\(name)`")
                    }
                }
            }
            // Exercise ids, public points and the hash of every locked block are recorded, and the hashes hold.
            #expect(entry.exercises.map(\.id) == source.exercises.compactMap(\.exerciseID))
            #expect(LockedBlock.blocks(of: released) == entry.locked)
            #expect(entry.locked.count == source.steps.filter { step in
                if case .test(_, _, true) = step.role { return false }
                return step.exerciseID == nil
            }.count)
            let reparsed = try LessonParser.parse(text: released, path: entry.file)
            #expect(reparsed.exercises.allSatisfy { $0.lines.contains { $0.contains("TODO(") } })
        }
        // The released first lesson runs: the steps that need the unfinished exercise are not run, the rest are fine.
        let json = out.appendingPathComponent("check-01.json")
        let check = try TutorProcess.run(["check", out.appendingPathComponent("01-gradient.md").path, "--output", out.path, "--json", json.path])
        #expect(check.status == 1, "\(check.stderr)")
        let summary = try JSONDecoder().decode(CheckResult.self, from: Data(contentsOf: json))
        #expect(!summary.steps.contains { $0.status == .compileError || $0.status == .trapped })
        #expect(summary.steps.contains { $0.status == .notRun && $0.message?.contains("to-saliency") == true })
        #expect(summary.steps.filter { $0.status == .ok }.count >= 5)
        #expect(summary.exercises.flatMap(\.tests).allSatisfy { !$0.hidden })

        let manifestText = try String(contentsOf: out.appendingPathComponent("release.json"), encoding: .utf8)
        #expect(!manifestText.contains("perImage") && !manifestText.contains("hidden"))
    }

    @Test("a student checks the released copy: public checks only, dependent steps not run")
    func studentChecksTheCopy() throws {
        let out = TutorProcess.outputFolder("release-small")
        let result = try TutorProcess.run(["release", Self.smallCourse, "--out", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        let copy = out.appendingPathComponent("small-course.md")
        let text = try String(contentsOf: copy, encoding: .utf8)
        #expect(text.contains("TODO(\"multiply by two\")"))
        #expect(text.contains("TODO(\"use string interpolation\")"))
        for secret in ["x * 2", "reduce(0, +)", "Hello, \\(name)!\"", "secret", "SECRET", "points=2", "hidden"] {
            #expect(!text.contains(secret), "the copy contains `\(secret)`")
        }
        #expect(!text.contains("\n\n\n"), "a removed block leaves a double gap")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("pictures/cat.png").path))

        let json = out.appendingPathComponent("check.json")
        let check = try TutorProcess.run(["check", copy.path, "--output", out.path, "--json", json.path])
        #expect(check.status == 1, "\(check.stderr)")
        let summary = try JSONDecoder().decode(CheckResult.self, from: Data(contentsOf: json))
        #expect(summary.exercises.flatMap(\.tests).allSatisfy { !$0.hidden })
        #expect(summary.pointsPossible == 3)
        #expect(summary.pointsEarned == 0)
        let firstStep = try LessonParser.parse(file: copy.path).steps[1].fenceLine
        let dependent = try #require(summary.steps.first { $0.line == firstStep })
        #expect(dependent.status == .notRun, "\(dependent)")
        #expect(dependent.message?.contains("not done (TODO)") == true)
        #expect(!check.stderr.contains("secret") && !check.stdout.contains("secret"))
    }

    @Test("StudentForm keeps the hint, collapses the region and drops hidden blocks")
    func studentFormTransformation() throws {
        let lesson = try LessonParser.parse(file: Self.smallCourse)
        let double = try #require(lesson.exercises.first)
        #expect(StudentForm.exerciseLines(double) == ["func double(_ x: Int) -> Int {", "    TODO(\"multiply by two\")", "}"])
        let released = StudentForm.releasedText(of: lesson)
        let reparsed = try LessonParser.parse(text: released, path: "small-course.md")
        #expect(reparsed.steps.count == lesson.steps.count - 2)
        #expect(reparsed.exercises.map(\.exerciseID) == ["double", "sum", "greet"])
        #expect(StudentForm.normalized("\u{FEFF}a\r\nb\rc\n") == "a\nb\nc\n")
    }
}
