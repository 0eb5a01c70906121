import Foundation
import Testing
import Tutor

/// The red team: hostile lessons (Lessons/RedTeam) that try to forge results, leak hidden checks, outlive their run
/// or reach outside it. Each test asserts the honest outcome. Serialized: the runs share two cores.
@Suite("red team: a learner's code cannot forge, leak, outlive or reach out", .serialized)
struct RedTeamTests {
    // MARK: - Shadowing what the checks call

    @Test("an extension of the generated suite is refused at its line; no points")
    func shadowingExtension() throws {
        let (output, checks) = try RedTeam.check("shadow-extension")
        #expect(output.status == 2)
        #expect(checks.pointsEarned == 0)
        #expect(checks.pointsPossible == 4)
        #expect(output.stderr.contains("shadow-extension.md:8"), "\(output.stderr)")
        #expect(checks.exercises[0].tests.allSatisfy { $0.status == "not-run" })
    }

    @Test("a top-level operator that would redefine == inside the checks is refused")
    func shadowingOperator() throws {
        let (output, checks) = try RedTeam.check("shadow-operator")
        #expect(output.status == 2)
        #expect(checks.pointsEarned == 0 && checks.pointsPossible == 4)
        #expect(output.stderr.contains("shadow-operator.md:7"), "\(output.stderr)")
    }

    @Test("redeclaring a library type the checks use is refused, naming it")
    func shadowingLibraryType() throws {
        let (output, checks) = try RedTeam.check("shadow-library")
        #expect(output.status == 2)
        #expect(checks.pointsEarned == 0 && checks.pointsPossible == 3)
        #expect(output.stderr.contains("shadow-library.md:8") && output.stderr.contains("MapComparison"), "\(output.stderr)")
    }

    @Test("a type named like a module the checks' macros use is refused")
    func shadowingModuleName() throws {
        let (output, checks) = try RedTeam.check("shadow-module")
        #expect(output.status == 2)
        #expect(checks.pointsEarned == 0 && checks.pointsPossible == 2)
        #expect(output.stderr.contains("shadow-module.md:5"), "\(output.stderr)")
    }

    @Test("a learner's own @Test does not count and the lesson's test still does")
    func foreignTest() throws {
        let (output, checks) = try RedTeam.check("foreign-test")
        #expect(output.status == 1)
        #expect(checks.pointsEarned == 0 && checks.pointsPossible == 4)
        #expect(checks.exercises[0].tests.map(\.name) == ["increments()"])
    }

    // MARK: - Steering and forging

    @Test("no runner setting is in the environment; skipping checks or rewriting their events is impossible")
    func environmentSteering() throws {
        let (output, checks) = try RedTeam.check("env-steering")
        #expect(output.status == 1)
        #expect(checks.pointsEarned == 0)
        #expect(checks.pointsPossible == 4, "possible points never shrink")
        #expect(checks.exercises[0].tests.map(\.status) == ["failed", "failed"])
        #expect(checks.steps.first?.output.contains(.text("runner variables: none\n")) == true)
    }

    @Test("lines written straight to the runner's pipe are tampering: the step and its checks count as failed")
    func forgedPipe() throws {
        let (runOutput, run) = try RedTeam.run("forge-pipe")
        #expect(runOutput.status == 1)
        #expect(run.step(atLine: 3)?.status == .tampered)
        #expect(run.step(atLine: 16)?.status == .ok)
        #expect(run.step(atLine: 16)?.output == [.text("after the exercise\n")])
        let (output, checks) = try RedTeam.check("forge-pipe")
        #expect(output.status == 1)
        #expect(checks.pointsEarned == 0 && checks.pointsPossible == 2)
        #expect(checks.exercises[0].tests.map(\.status) == ["tampered"])
        #expect(try String(contentsOf: RedTeam.lastFolder.appendingPathComponent("forge-pipe.html"), encoding: .utf8).contains("tampered"))
    }

    @Test("a second handle on the runner is dead and its use is reported as tampering")
    func forgedHandle() throws {
        let (_, run) = try RedTeam.run("forge-handle")
        #expect(run.step(atLine: 3)?.status == .tampered)
        #expect(run.step(atLine: 3)?.message?.contains("tampered") == true)
        let (output, checks) = try RedTeam.check("forge-handle")
        #expect(output.status == 1)
        #expect(checks.pointsEarned == 0)
    }

    @Test("closing the runner's pipe leaves a step without its end: tampered, not passed")
    func closedChannel() throws {
        let (_, run) = try RedTeam.run("close-channel")
        #expect(run.step(atLine: 3)?.status == .tampered)
        #expect(run.step(atLine: 17)?.status == .ok)
        let (output, checks) = try RedTeam.check("close-channel")
        #expect(output.status == 1)
        #expect(checks.pointsEarned == 0 && checks.pointsPossible == 3)
        #expect(checks.exercises[0].tests.map(\.status) == ["tampered"])
    }

    @Test("exit(0) from inside a check is tampering: every check of that run fails")
    func exitInsideCheck() throws {
        let (output, checks) = try RedTeam.check("exit-in-test")
        #expect(output.status == 1)
        #expect(checks.pointsEarned == 0 && checks.pointsPossible == 4)
        #expect(checks.exercises[0].tests.allSatisfy { $0.status == "tampered" })
        #expect(checks.errors.contains { $0.contains("tampered") })
    }

    @Test("a TODO() reached from a check fails that check honestly; the other checks still run")
    func todoInsideCheck() throws {
        let (output, checks) = try RedTeam.check("todo-in-check")
        #expect(output.status == 1)
        let tests = checks.exercises[0].tests
        #expect(tests.map(\.status) == ["failed", "passed"])
        #expect(tests.first?.message?.contains("TODO not done at line 5") == true)
        #expect(checks.errors.isEmpty, "\(checks.errors)")
    }

    @Test("#sourceLocation in lesson code is an error at its line")
    func sourceLocationDirective() throws {
        let output = try TutorProcess.run(["run", try RedTeam.copy("source-location").path, "--output", RedTeam.lastFolder.path])
        #expect(output.status == 2)
        #expect(output.stderr.contains("source-location.md:5: error:") && output.stderr.contains("#sourceLocation"), "\(output.stderr)")
    }

    // MARK: - Hidden checks stay in the check program

    @Test("hidden checks that do not build leak nothing: not the log, not their names, not their values")
    func hiddenCompileErrors() throws {
        let (output, checks) = try RedTeam.check("hidden-compile", extra: ["--with-hidden"])
        #expect(output.status == 2)
        let hidden = checks.exercises[0].tests.filter(\.hidden)
        #expect(!hidden.isEmpty && hidden.allSatisfy { $0.status == "not-run" })
        #expect(checks.pointsEarned == 1 && checks.pointsPossible == 6)
        #expect(checks.errors.isEmpty || checks.errors.allSatisfy { !$0.contains("checks.swift") })
        let html = try String(contentsOf: RedTeam.lastFolder.appendingPathComponent("hidden-compile.html"), encoding: .utf8)
        let json = try String(contentsOf: RedTeam.lastFolder.appendingPathComponent("check.json"), encoding: .utf8)
        for text in [output.stderr, output.stdout, html, json] {
            #expect(!text.contains("4711") && !text.contains("SECRET") && !text.contains("secretBox"))
        }
    }

    @Test("what the learner's code prints during hidden checks appears nowhere")
    func hiddenOutput() throws {
        let (output, checks) = try RedTeam.check("hidden-output", extra: ["--with-hidden"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(checks.pointsEarned == 2)
        let html = try String(contentsOf: RedTeam.lastFolder.appendingPathComponent("hidden-output.html"), encoding: .utf8)
        let json = try String(contentsOf: RedTeam.lastFolder.appendingPathComponent("check.json"), encoding: .utf8)
        #expect(html.contains("echo saw 1"))
        for text in [output.stderr, output.stdout, html, json] {
            #expect(!text.contains("987654") && !text.contains("secretEcho"))
        }
    }

    @Test("--json hides hidden tests' names and messages unless --reveal-hidden")
    func hiddenJSON() throws {
        let folder = TutorProcess.outputFolder("redteam-json")
        let json = folder.appendingPathComponent("check.json")
        _ = try TutorProcess.run(["check", TutorProcess.lesson("checks"), "--with-hidden", "--output", folder.path, "--json", json.path])
        let redacted = try String(contentsOf: json, encoding: .utf8)
        #expect(!redacted.contains("hiddenNegative") && !redacted.contains("hiddenCrash"))
        #expect(redacted.contains("hidden test"))
        _ = try TutorProcess.run(["check", TutorProcess.lesson("checks"), "--with-hidden", "--reveal-hidden",
                                  "--output", folder.path, "--json", json.path])
        #expect(try String(contentsOf: json, encoding: .utf8).contains("hiddenNegative"))
    }

    @Test("a step that traps only in the check program is reported as a crash")
    func trapOnlyInCheckProgram() throws {
        let (output, checks) = try RedTeam.check("check-only-trap")
        #expect(output.status == 3)
        // When the checks ride on the lesson's first run, the step is the crash there; otherwise the checks say so.
        let trapped = checks.steps.first { $0.line == 7 }?.status == .trapped
        #expect(trapped || checks.errors.contains { $0.contains("line 7") && $0.contains("stopped the check program") }, "\(checks.errors)")
        #expect(checks.exercises[0].tests.map(\.status) == ["passed"])
    }

    // MARK: - Containment

    @Test("SIGINT: tutor kills the program and everything it started, then exits 130", .enabled(if: RedTeam.namespacesAllowed, "needs PID namespaces (root or user namespaces)"))
    func interruptKillsEverything() throws {
        try RedTeam.interrupt(with: SIGINT, expecting: 130)
    }

    @Test("SIGTERM: tutor kills the program and everything it started, then exits 143", .enabled(if: RedTeam.namespacesAllowed, "needs PID namespaces (root or user namespaces)"))
    func terminateKillsEverything() throws {
        try RedTeam.interrupt(with: SIGTERM, expecting: 143)
    }

    @Test("a step's timeout kills the step's whole process tree, setsid children included", .enabled(if: RedTeam.namespacesAllowed, "needs PID namespaces (root or user namespaces)"))
    func timeoutKillsDescendants() throws {
        let (output, run) = try RedTeam.run("timeout-children")
        #expect(output.status == 1)
        #expect(run.step(atLine: 3)?.status == .timedOut)
        #expect(run.step(atLine: 8)?.status == .ok)
        #expect(RedTeam.processes(matching: "4343.75").isEmpty)
    }

    // MARK: - Files and cache

    @Test("images through planted symlinks: nothing outside is read, deleted or written")
    func symlinkedAssets() throws {
        let folder = try RedTeam.copy("symlink-assets")
        let outside = folder.deletingLastPathComponent()
        try "TOPSECRET".write(to: outside.appendingPathComponent("secret.txt"), atomically: true, encoding: .utf8)
        let victim = outside.appendingPathComponent("victim")
        try FileManager.default.createDirectory(at: victim, withIntermediateDirectories: true)
        for name in ["run1-step0-1-image.png", "run2-step0-1-image.png"] {
            try "VICTIM".write(to: victim.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let output = try TutorProcess.run(["run", folder.path, "--output", outside.path, "--no-cache"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(try String(contentsOf: outside.appendingPathComponent("secret.txt"), encoding: .utf8) == "TOPSECRET")
        for name in ["run1-step0-1-image.png", "run2-step0-1-image.png"] {
            #expect(try String(contentsOf: victim.appendingPathComponent(name), encoding: .utf8) == "VICTIM")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: victim.path).count == 2)
        let html = try String(contentsOf: outside.appendingPathComponent("symlink-assets.html"), encoding: .utf8)
        #expect(!html.contains(Data("TOPSECRET".utf8).base64EncodedString().prefix(8)))
    }

    @Test("the cache misses when a file the lesson reads changes, in another folder, and between run and check")
    func cacheKeyCoversInputs() throws {
        let lesson = try RedTeam.copy("cache-input")
        let data = lesson.deletingLastPathComponent().appendingPathComponent("data.txt")
        try "ok".write(to: data, atomically: true, encoding: .utf8)
        let output = RedTeam.lastFolder
        #expect(try TutorProcess.run(["check", lesson.path, "--output", output.path]).status == 0)
        #expect(try TutorProcess.run(["check", lesson.path, "--output", output.path]).status == 0)
        try "bad".write(to: data, atomically: true, encoding: .utf8)
        let changed = try TutorProcess.run(["check", lesson.path, "--output", output.path])
        #expect(changed.status == 3, "a changed data file must not be answered from the cache")

        // The same lesson text in another folder (whose data file is bad) gets its own result.
        try "ok".write(to: data, atomically: true, encoding: .utf8)
        #expect(try TutorProcess.run(["check", lesson.path, "--output", output.path]).status == 0)
        let other = try RedTeam.copy("cache-input")
        try "bad".write(to: other.deletingLastPathComponent().appendingPathComponent("data.txt"), atomically: true, encoding: .utf8)
        #expect(try TutorProcess.run(["check", other.path, "--output", RedTeam.lastFolder.path]).status == 3)

        // `run` and `check` build different programs: a `run` result never answers `check`.
        let fresh = try RedTeam.copy("cache-input")
        try "ok".write(to: fresh.deletingLastPathComponent().appendingPathComponent("data.txt"), atomically: true, encoding: .utf8)
        let reports = RedTeam.lastFolder
        #expect(try TutorProcess.run(["run", fresh.path, "--output", reports.path]).status == 0)
        #expect(try TutorProcess.run(["check", fresh.path, "--output", reports.path]).status == 0)
        let html = try String(contentsOf: reports.appendingPathComponent("cache-input.html"), encoding: .utf8)
        #expect(!html.contains("from cache"))
    }

    // MARK: - Odd lessons

    @Test("points beyond 1000 per block are an error, not an overflow")
    func hugePoints() throws {
        let output = try TutorProcess.run(["check", try RedTeam.copy("odd-points").path, "--output", RedTeam.lastFolder.path])
        #expect(output.status == 2)
        #expect(output.stderr.contains("odd-points.md:7: error:") && output.stderr.contains("1000"), "\(output.stderr)")
    }

    @Test("exercise ids equal after normalisation are an error naming both")
    func collidingIDs() throws {
        let output = try TutorProcess.run(["run", try RedTeam.copy("odd-ids").path, "--output", RedTeam.lastFolder.path])
        #expect(output.status == 2)
        #expect(output.stderr.contains("odd-ids.md:7: error:") && output.stderr.contains("`a_b`") && output.stderr.contains("`a-b`"), "\(output.stderr)")
    }

    @Test("odd file names: control characters get a clear error, colons and quotes work")
    func oddFileNames() throws {
        let newline = try RedTeam.copy("odd-ids", as: "new\nline.md")
        let bad = try TutorProcess.run(["run", newline.path, "--output", RedTeam.lastFolder.path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("control character"), "\(bad.stderr)")
        let odd = try RedTeam.copy("foreign-test", as: "we:ird \"name\" \\ x.md")
        let (output, checks) = try RedTeam.check(path: odd)
        #expect(output.status == 1, "\(output.stderr)")
        #expect(checks.exercises[0].tests.first?.status == "failed")
        #expect(checks.exercises[0].tests.first?.line == 10)

        // Compiler errors in such a file still land on their step and line.
        let broken = odd.deletingLastPathComponent().appendingPathComponent("b:r \"o\" \\ ken.md")
        try "# t\n\n```swift\nlet x: Int = \"s\"\n```\n\n```swift\nprint(\"ok\")\n```\n".write(to: broken, atomically: true, encoding: .utf8)
        let json = RedTeam.lastFolder.appendingPathComponent("broken.json")
        let run = try TutorProcess.run(["run", broken.path, "--output", RedTeam.lastFolder.path, "--json", json.path])
        #expect(run.status == 1, "\(run.stderr)")
        let result = try #require(try JSONDecoder().decode([LessonRunResult].self, from: Data(contentsOf: json)).first)
        #expect(result.step(atLine: 3)?.status == .compileError)
        #expect(result.step(atLine: 3)?.failureLine == 4)
        #expect(result.step(atLine: 7)?.status == .ok)
    }
}

/// Helpers for the red team: fresh copies of hostile fixtures, runs, and looking for surviving processes.
enum RedTeam {
    nonisolated(unsafe) static var lastFolder = URL(fileURLWithPath: "/tmp")

    /// Whether this machine lets `tutor` put lesson programs in a PID namespace (without one, a `setsid` child
    /// can leave the program's session, and the containment tests do not apply).
    static let namespacesAllowed: Bool = {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        probe.arguments = (getuid() == 0 ? [] : ["--user", "--map-root-user"]) + ["--pid", "--fork", "--mount-proc", "--kill-child=SIGKILL", "/bin/true"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()

    /// Copies fixture `name` into a fresh folder of its own (with a fresh report folder beside it).
    static func copy(_ name: String, as fileName: String? = nil) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tutor-redteam-\(getpid())-\(UUID().uuidString.prefix(8))")
        let folder = root.appendingPathComponent("lesson")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        lastFolder = root.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: lastFolder, withIntermediateDirectories: true)
        let target = folder.appendingPathComponent(fileName ?? "\(name).md")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: TutorProcess.lesson("RedTeam/\(name)")), to: target)
        return target
    }

    static func check(_ name: String, extra: [String] = []) throws -> (TutorProcess.Output, CheckResult) {
        try check(path: try copy(name), extra: extra)
    }

    static func check(path: URL, extra: [String] = []) throws -> (TutorProcess.Output, CheckResult) {
        let json = lastFolder.appendingPathComponent("check.json")
        let output = try TutorProcess.run(["check", path.path, "--output", lastFolder.path, "--json", json.path] + extra)
        guard let data = try? Data(contentsOf: json), let result = try? JSONDecoder().decode(CheckResult.self, from: data) else {
            throw Failure(message: "tutor check gave no JSON (status \(output.status)): \(output.stderr)")
        }
        return (output, result)
    }

    static func run(_ name: String) throws -> (TutorProcess.Output, LessonRunResult) {
        let path = try copy(name)
        let json = lastFolder.appendingPathComponent("run.json")
        let output = try TutorProcess.run(["run", path.path, "--output", lastFolder.path, "--json", json.path])
        guard let data = try? Data(contentsOf: json), let result = try? JSONDecoder().decode([LessonRunResult].self, from: data).first else {
            throw Failure(message: "tutor run gave no JSON (status \(output.status)): \(output.stderr)")
        }
        return (output, result)
    }

    /// Pids of processes whose command line contains `marker`.
    static func processes(matching marker: String) -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { name -> Int32? in
            guard let pid = Int32(name), let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") else { return nil }
            let line = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return line.contains(marker) ? pid : nil
        }
    }

    /// Starts `tutor run` on the outlive lesson, interrupts it once its endless step runs, and checks that nothing
    /// it started survives (by pid and command line) and that the escaped child never writes its file.
    static func interrupt(with signalNumber: Int32, expecting status: Int32) throws {
        let lesson = try copy("outlive")
        let folder = lesson.deletingLastPathComponent()
        let process = Process()
        process.executableURL = TutorProcess.executable
        process.arguments = ["run", lesson.path, "--output", lastFolder.path, "--no-cache"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let start = Date()
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("running.txt").path) {
            guard process.isRunning, Date().timeIntervalSince(start) < 120 else { break }
            usleep(50_000)
        }
        let survivorsBefore = processes(matching: "4242.25")
        #expect(!survivorsBefore.isEmpty, "the lesson's background child should be running before the interrupt")
        kill(process.processIdentifier, signalNumber)
        process.waitUntilExit()
        #expect(process.terminationStatus == status)
        usleep(300_000)
        for pid in survivorsBefore {
            #expect(kill(pid, 0) != 0, "process \(pid) outlived tutor")
        }
        #expect(processes(matching: "4242.25").isEmpty)
        sleep(6)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("escaped.txt").path))
    }
}
