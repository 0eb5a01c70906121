import Foundation
import Testing
import Tutor

/// Runs the real, release-built `tutor` next to the test bundle and decodes its JSON summaries.
enum TutorProcess {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `tutor` executable: `TUTOR_EXECUTABLE`, or the one built beside this test bundle.
    static var executable: URL {
        if let path = ProcessInfo.processInfo.environment["TUTOR_EXECUTABLE"] { return URL(fileURLWithPath: path) }
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("tutor")
    }

    /// A fixture lesson's path.
    static func lesson(_ name: String) -> String {
        Bundle.module.url(forResource: "Lessons/\(name)", withExtension: "md")!.path
    }

    /// A fresh output folder for one test.
    static func outputFolder(_ name: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tutor-tests-\(getpid())/\(name)")
        try? FileManager.default.removeItem(at: url)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func run(_ arguments: [String]) throws -> Output {
        try runTool(executable.path, arguments)
    }

    /// `tutor run LESSON --json` → the step results.
    static func runLesson(_ name: String, extra: [String] = []) throws -> (Output, LessonRunResult, URL) {
        let folder = outputFolder(name + extra.joined())
        let json = folder.appendingPathComponent("run.json")
        let output = try run(["run", lesson(name), "--output", folder.path, "--json", json.path] + extra)
        let results = try JSONDecoder().decode([LessonRunResult].self, from: Data(contentsOf: json))
        guard let result = results.first else { throw Failure(message: "tutor run \(name) gave no result: \(output.stderr)") }
        return (output, result, folder)
    }

    /// `tutor check LESSON --json` → the check summary.
    static func checkLesson(_ name: String, extra: [String] = []) throws -> (Output, CheckResult, URL) {
        let folder = outputFolder("check-" + name + extra.joined())
        let json = folder.appendingPathComponent("check.json")
        let output = try run(["check", lesson(name), "--output", folder.path, "--json", json.path] + extra)
        let result = try JSONDecoder().decode(CheckResult.self, from: Data(contentsOf: json))
        return (output, result, folder)
    }
}

/// A test helper's failure, with what `tutor` printed.
struct Failure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension LessonRunResult {
    /// The result of the step whose fence is on Markdown line `line`.
    func step(atLine line: Int) -> StepResult? { steps.first { $0.line == line } }
}

extension TutorProcess {
    /// Runs another program (for example script(1)) and collects its output.
    static func runTool(_ path: String, _ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// Exit code 2 (not a trap, not success) and an `error:` line naming `argument` and each of `mentions`.
func expectUsageError(_ output: TutorProcess.Output, argument: String, mentions: [String],
                      sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(output.status == 2, "exit code \(output.status); stderr: \(output.stderr)", sourceLocation: sourceLocation)
    let message = try #require(output.stderr.split(separator: "\n").first { $0.hasPrefix("error:") },
                               "no error line in stderr: \(output.stderr)", sourceLocation: sourceLocation)
    #expect(message.contains(argument), "the error does not name \(argument): \(message)", sourceLocation: sourceLocation)
    for word in mentions {
        #expect(message.contains(word), "the error does not mention \(word): \(message)", sourceLocation: sourceLocation)
    }
    #expect(!output.stderr.contains("Fatal error") && !output.stderr.contains("Stack dump"),
            "trapped: \(output.stderr)", sourceLocation: sourceLocation)
}
