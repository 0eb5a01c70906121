import Foundation
import Testing
import Tutor

/// `tutor watch` driven by file edits, through the real `tutor`.
@Suite("tutor watch")
struct WatchTests {
    /// A running `tutor watch` whose standard error is collected as it comes.
    final class Session: @unchecked Sendable {
        let process = Process()
        private let lock = NSLock()
        private var collected = Data()

        init(_ arguments: [String]) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["NO_COLOR=1", TutorProcess.executable.path, "watch"] + arguments
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            err.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let data = handle.availableData
                self?.lock.withLock { self?.collected.append(data) }
            }
            try process.run()
        }

        var text: String { lock.withLock { String(decoding: collected, as: UTF8.self) } }

        /// Waits until `predicate` holds for the output so far (or `seconds` pass); returns whether it did.
        func wait(seconds: Double = 60, until predicate: (String) -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if predicate(text) { return true }
                usleep(50_000)
            }
            return predicate(text)
        }

        func count(_ needle: String) -> Int { text.components(separatedBy: needle).count - 1 }

        func interrupt() -> Int32 {
            process.interrupt()
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    static let passing = """
        # Watched

        ```swift exercise id=inc
        func increment(_ x: Int) -> Int {
            return x + 1
        }
        ```

        ```swift
        print("two is", increment(1))
        ```

        ```swift test for=inc
        @Test func incrementsOne() { #expect(increment(1) == 2) }
        ```
        """

    /// Replaces the lesson the way many editors save: write a new file, rename it over the old one.
    static func save(_ text: String, to path: String) throws {
        let temporary = path + ".swp~"
        try text.write(toFile: temporary, atomically: false, encoding: .utf8)
        guard rename(temporary, path) == 0 else { throw Failure(message: "rename failed") }
    }

    @Test("checks at start, again after each save (also by rename), shows a compile error at its Markdown line, Ctrl-C exits 130",
          arguments: [false, true])
    func watchSession(polling: Bool) throws {
        let folder = TutorProcess.outputFolder("watch-\(polling)-\(UInt32.random(in: 0...UInt32.max))")
        let lesson = folder.appendingPathComponent("lesson.md").path
        try Self.passing.write(toFile: lesson, atomically: true, encoding: .utf8)
        let session = try Session([lesson, "--output", folder.appendingPathComponent("out").path] + (polling ? ["--poll"] : []))
        defer { if session.process.isRunning { session.process.terminate() } }
        #expect(session.wait { $0.contains("checks 1/1 points") && $0.contains("Watching") }, "\(session.text)")
        let report = folder.appendingPathComponent("out/lesson.html").path
        #expect(FileManager.default.fileExists(atPath: report))

        // An edit that does not compile: the error at lesson.md:5 with the line and a caret.
        try Self.save(Self.passing.replacingOccurrences(of: "return x + 1", with: "return x + \"one\""), to: lesson)
        // The report is written after the result is printed, before the watcher says it is watching again.
        #expect(session.wait { $0.contains("\(lesson):5:") && $0.contains("checks 0/1 points") && $0.components(separatedBy: "Watching").count == 3 },
                "\(session.text)")
        #expect(session.text.contains("    return x + \"one\"\n"), "\(session.text)")
        #expect(try String(contentsOfFile: report, encoding: .utf8).contains("one"), "the report is rewritten")

        // Fixed again: a third result, passing.
        try Self.save(Self.passing.replacingOccurrences(of: "return x + 1", with: "return 1 + x"), to: lesson)
        #expect(session.wait { $0.components(separatedBy: "checks 1/1 points").count - 1 == 2 }, "\(session.text)")
        #expect(session.count("checking \(lesson)") == 3, "\(session.text)")

        #expect(session.interrupt() == 130)
    }

    @Test("a lesson saved while its check runs is checked again afterwards")
    func saveDuringCheck() throws {
        let slow = Self.passing.replacingOccurrences(of: "print(\"two is\", increment(1))",
                                                     with: "usleep(1_500_000)\nprint(\"two is\", increment(1))")
        let folder = TutorProcess.outputFolder("watch-coalesce-\(UInt32.random(in: 0...UInt32.max))")
        let lesson = folder.appendingPathComponent("lesson.md").path
        try slow.write(toFile: lesson, atomically: true, encoding: .utf8)
        let session = try Session([lesson, "--output", folder.appendingPathComponent("out").path])
        defer { if session.process.isRunning { session.process.terminate() } }
        #expect(session.wait { $0.contains("Watching") }, "\(session.text)")
        // Save, and save again while that check is still running (the step sleeps 1.5 s).
        try Self.save(slow + "\nfirst edit\n", to: lesson)
        #expect(session.wait { $0.components(separatedBy: "checking \(lesson)").count - 1 == 2 }, "\(session.text)")
        usleep(300_000)
        try Self.save(slow + "\nsecond edit\n", to: lesson)
        #expect(session.wait { $0.components(separatedBy: "checks 1/1 points").count - 1 == 3 }, "\(session.text)")
        #expect(session.interrupt() == 130)
    }

    @Test("watching nothing is an error naming the argument")
    func nothingToWatch() throws {
        let output = try TutorProcess.run(["watch", "/no/such/lesson.md"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("/no/such/lesson.md"), "\(output.stderr)")
    }
}
