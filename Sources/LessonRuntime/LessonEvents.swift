#if canImport(Glibc)
@preconcurrency import Glibc  // stdout/stderr are C globals; Swift 6 would reject them otherwise
#endif
import Foundation

/// The environment variable naming the runner's two inherited pipes ("READ_FD WRITE_FD"); removed on first use.
let runnerChannelVariable = "TUTOR_CHANNEL"

/// The runner's private line to a lesson program.
///
/// Settings (a per-run token, the image folder, which checks to run) arrive once on an inherited pipe and are
/// read before any lesson code runs; the variable that names the pipes is then removed from the environment and
/// the pipe closed. Events leave on a second inherited pipe, one JSON line each, stamped with the token: a line
/// without it did not come from this runtime, and the runner treats it as tampering.
final class RunnerChannel: @unchecked Sendable {
    static let shared = RunnerChannel()

    struct Settings: Decodable {
        var token: String
        var assets: String?
        var skip: [String]?
        var filter: [String]?
        /// Write step images for speed rather than size (the learner's checks; never a published site).
        var fastImages: Bool?
        /// Run the checks at once, without the steps (the runner runs the steps in a program of their own).
        var checksOnly: Bool?
        /// Run the steps only: the checks run in a program of their own.
        var stepsOnly: Bool?
    }

    let settings: Settings?
    private let eventsFD: Int32
    private let lock = NSLock()

    private init() {
        guard let spec = getenv(runnerChannelVariable).map({ String(cString: $0) }) else {
            settings = nil
            eventsFD = -1
            return
        }
        unsetenv(runnerChannelVariable)
        let parts = spec.split(separator: " ").compactMap { Int32($0) }
        // A third descriptor, when present, is the file-read trace (CReadTrace), not the runtime's.
        guard parts.count == 2 || parts.count == 3 else {
            settings = nil
            eventsFD = -1
            return
        }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(parts[0], &buffer, buffer.count)
            if count > 0 { data.append(contentsOf: buffer[0..<count]); continue }
            if count < 0 && errno == EINTR { continue }
            break
        }
        close(parts[0])
        settings = try? JSONDecoder().decode(Settings.self, from: data)
        eventsFD = settings == nil ? -1 : parts[1]
        if settings == nil { close(parts[1]) }
    }

    /// Sends one event line (the token is added here, never by callers).
    func send(_ record: [String: Any]) {
        guard let settings, eventsFD >= 0 else { return }
        var stamped = record
        stamped["token"] = settings.token
        guard let data = try? JSONSerialization.data(withJSONObject: stamped, options: [.sortedKeys]) else { return }
        let line = data + Data([0x0A])
        lock.withLock {
            line.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = write(eventsFD, raw.baseAddress! + offset, raw.count - offset)
                    if written > 0 { offset += written } else if written < 0 && errno == EINTR { continue } else { return }
                }
            }
        }
    }
}

/// The JSON-lines event log a lesson program sends the runner; images go to the folder the runner named.
///
/// Text output is not an event: it goes to stdout, and each event records how far stdout had got, so the
/// runner can slice stdout per step and place images between the text lines they followed.
final class LessonEventLog: @unchecked Sendable {
    /// The log of this process.
    static let shared = LessonEventLog()

    private let lock = NSLock()
    /// Folder for image files, or nil when the program runs outside the runner.
    let assetsDirectory: URL?
    private var currentStep = -1
    private var imageCounter = 0
    private var groupCounter = 0

    private init() {
        assetsDirectory = RunnerChannel.shared.settings?.assets.map { URL(fileURLWithPath: $0, isDirectory: true) }
    }

    /// The step that is running (-1 before the first).
    var step: Int { lock.withLock { currentStep } }

    /// Writes one event with the current step and stdout position.
    func emit(_ kind: String, _ fields: [String: Any] = [:]) {
        fflush(stdout)
        fflush(stderr)
        let stdoutOffset = lseek(STDOUT_FILENO, 0, SEEK_CUR)
        let stderrOffset = lseek(STDERR_FILENO, 0, SEEK_CUR)
        var record = fields
        record["kind"] = kind
        lock.withLock { if record["step"] == nil { record["step"] = currentStep } }
        record["stdout"] = Int(stdoutOffset)
        record["stderr"] = Int(stderrOffset)
        record["time"] = Date().timeIntervalSince1970
        RunnerChannel.shared.send(record)
    }

    /// Marks the start of step `index` (Markdown line `line`).
    func stepBegan(_ index: Int, line: Int) {
        lock.withLock { currentStep = index }
        emit("stepBegan", ["step": index, "line": line])
    }

    /// Marks the end of step `index`.
    func stepEnded(_ index: Int) {
        emit("stepEnded", ["step": index])
    }

    /// A fresh id for images shown together (one `show(heatmap:)` call).
    func nextGroup() -> Int {
        lock.withLock {
            groupCounter += 1
            return groupCounter
        }
    }

    /// A fresh file name for an image (or, with `extension` "json", a figure description) of the current step.
    func nextImageURL(role: String, extension ext: String = "png") -> URL? {
        guard let assetsDirectory else { return nil }
        let name = lock.withLock { () -> String in
            imageCounter += 1
            return "step\(max(currentStep, 0))-\(imageCounter)-\(role).\(ext)"
        }
        return assetsDirectory.appendingPathComponent(name)
    }
}

/// The generated program's handle on the runner: the only way to mark steps and run the checks.
///
/// The program gets it from `__tutorConnect()` as its first statement and keeps it in a variable whose name
/// changes with every build, so lesson code can neither name it nor get a second live one.
public final class __TutorRun: @unchecked Sendable {
    private let live: Bool

    fileprivate init(live: Bool) { self.live = live }

    private func tamper(_ what: String) {
        LessonEventLog.shared.emit("tamper", ["reason": "lesson code called the runner's \(what)"])
    }

    /// Marks the start of step `index` (Markdown line `line`).
    public func stepBegan(_ index: Int, line: Int) {
        guard live else { return tamper("stepBegan") }
        LessonEventLog.shared.stepBegan(index, line: line)
    }

    /// Marks the end of step `index`.
    public func stepEnded(_ index: Int) {
        guard live else { return tamper("stepEnded") }
        LessonEventLog.shared.stepEnded(index)
    }

    /// True when the runner asked for the checks alone: the program goes straight to them, skipping every step.
    public var checksOnly: Bool { live && RunnerChannel.shared.settings?.checksOnly == true }

    /// Marks the end of the last step.
    public func programEnded() {
        guard live else { return tamper("programEnded") }
        LessonEventLog.shared.emit("programEnded")
    }

    /// Runs the Swift Testing checks compiled into this program (one at a time), sends every record of their event
    /// stream to the runner, and exits with 0 when all passed, 1 otherwise.
    public func runChecks() async -> Never {
        guard live else {
            tamper("runChecks")
            exit(70)
        }
        if RunnerChannel.shared.settings?.stepsOnly == true {
            fflush(stdout)
            fflush(stderr)
            exit(0)
        }
        let passed = await SwiftTestingBridge.run(
            skip: RunnerChannel.shared.settings?.skip ?? [], filter: RunnerChannel.shared.settings?.filter ?? []
        ) { record in LessonEventLog.shared.emit("test", ["record": record]) }
        fflush(stdout)
        fflush(stderr)
        exit(passed ? 0 : 1)
    }
}

nonisolated(unsafe) private var connected = false
private let connectLock = NSLock()

/// Called first by a generated lesson program: reads the runner's settings and hands out the one live handle.
/// Any later call (from lesson code) gets a dead handle and is reported to the runner as tampering.
public func __tutorConnect() -> __TutorRun {
    let first = connectLock.withLock { () -> Bool in
        defer { connected = true }
        return !connected
    }
    guard first else {
        LessonEventLog.shared.emit("tamper", ["reason": "lesson code asked for the runner's handle"])
        return __TutorRun(live: false)
    }
    setvbuf(stdout, nil, _IOLBF, 0)  // output printed just before a crash survives
    OpenBLASSetup.configureThreads()  // before the first step: OpenBLAS's idle workers would spin through it
    _ = RunnerChannel.shared
    LessonEventLog.shared.emit("programBegan")
    return __TutorRun(live: true)
}

/// Always false; the runner wraps `no-run` steps in `if __tutorNoRun() { … }` so they compile but never run.
public func __tutorNoRun() -> Bool { getpid() == 0 }
