#if canImport(Glibc)
@preconcurrency import Glibc  // stdout/stderr are C globals; Swift 6 would reject them otherwise
#endif
import Foundation

/// The JSON-lines event log a lesson program writes for the runner (`TUTOR_EVENTS`); images go to `TUTOR_ASSETS`.
///
/// Text output is not an event: it goes to stdout, and each event records how far stdout had got, so the
/// runner can slice stdout per step and place images between the text lines they followed.
public final class LessonEventLog: @unchecked Sendable {
    /// The log of this process.
    public static let shared = LessonEventLog()

    private let lock = NSLock()
    private let handle: FileHandle?
    /// Folder for image files, or nil when the program runs outside the runner.
    public let assetsDirectory: URL?
    private var currentStep = -1
    private var imageCounter = 0
    private var groupCounter = 0

    private init() {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["TUTOR_EVENTS"] {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            handle = FileHandle(forWritingAtPath: path)
        } else {
            handle = nil
        }
        assetsDirectory = environment["TUTOR_ASSETS"].map { URL(fileURLWithPath: $0, isDirectory: true) }
    }

    /// The step that is running (-1 before the first).
    public var step: Int { lock.withLock { currentStep } }

    /// Writes one event with the current step and stdout position.
    public func emit(_ kind: String, _ fields: [String: Any] = [:]) {
        fflush(stdout)
        fflush(stderr)
        let stdoutOffset = lseek(STDOUT_FILENO, 0, SEEK_CUR)
        let stderrOffset = lseek(STDERR_FILENO, 0, SEEK_CUR)
        lock.withLock {
            var record = fields
            record["kind"] = kind
            if record["step"] == nil { record["step"] = currentStep }
            record["stdout"] = Int(stdoutOffset)
            record["stderr"] = Int(stderrOffset)
            record["time"] = Date().timeIntervalSince1970
            guard let handle, let data = try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]) else { return }
            handle.write(data + Data([0x0A]))
        }
    }

    /// Marks the start of step `index` (Markdown line `line`).
    public func stepBegan(_ index: Int, line: Int) {
        lock.withLock { currentStep = index }
        emit("stepBegan", ["step": index, "line": line])
    }

    /// Marks the end of step `index`.
    public func stepEnded(_ index: Int) {
        emit("stepEnded", ["step": index])
    }

    /// A fresh id for images shown together (one `show(heatmap:)` call).
    public func nextGroup() -> Int {
        lock.withLock {
            groupCounter += 1
            return groupCounter
        }
    }

    /// A fresh file name for an image (or, with `extension` "json", a figure description) of the current step.
    public func nextImageURL(role: String, extension ext: String = "png") -> URL? {
        guard let assetsDirectory else { return nil }
        let name = lock.withLock { () -> String in
            imageCounter += 1
            return "step\(currentStep)-\(imageCounter)-\(role).\(ext)"
        }
        return assetsDirectory.appendingPathComponent(name)
    }
}

/// Called first by a generated lesson program: line-buffered stdout so output printed before a crash survives.
public func __tutorProgramBegan() {
    setvbuf(stdout, nil, _IOLBF, 0)
    LessonEventLog.shared.emit("programBegan")
}

/// Called by a generated lesson program before each step.
public func __tutorStepBegan(_ index: Int, line: Int) { LessonEventLog.shared.stepBegan(index, line: line) }

/// Called by a generated lesson program after each step.
public func __tutorStepEnded(_ index: Int) { LessonEventLog.shared.stepEnded(index) }

/// Called last by a generated lesson program.
public func __tutorProgramEnded() { LessonEventLog.shared.emit("programEnded") }

/// Always false; the runner wraps `no-run` steps in `if __tutorNoRun() { … }` so they compile but never run.
public func __tutorNoRun() -> Bool { ProcessInfo.processInfo.environment["TUTOR_NEVER"] == "never-set" }
