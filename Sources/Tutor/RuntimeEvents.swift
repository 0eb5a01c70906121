import Foundation

/// One event a lesson program sent on the runner's channel (see LessonRuntime's `RunnerChannel`).
struct RuntimeEvent {
    var kind: String
    var step: Int
    var stdoutOffset: Int
    var stderrOffset: Int
    var time: Double
    var fields: [String: Any]

    /// Parses one line; nil unless it is a JSON object carrying `token`.
    init?(line: Data, token: String) {
        guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
              object["token"] as? String == token, let kind = object["kind"] as? String else { return nil }
        self.kind = kind
        step = object["step"] as? Int ?? -1
        stdoutOffset = object["stdout"] as? Int ?? -1
        stderrOffset = object["stderr"] as? Int ?? -1
        time = object["time"] as? Double ?? 0
        fields = object
    }

    func string(_ key: String) -> String? { fields[key] as? String }
    func int(_ key: String) -> Int? { fields[key] as? Int }
}

/// Validates the events of one run as they arrive and keeps those it accepts.
///
/// A well-formed run: `programBegan`; then each planned step begins and ends once, in plan order; then
/// `programEnded`; then (check programs only) the Swift Testing records, in which each test starts once and ends
/// once, one at a time, between `runStarted` and `runEnded`. Every line must carry the run's token. Anything else
/// is tampering: the sequence stops accepting events and says why. Events after the program's end other than test
/// records (an image shown from inside a check) are dropped.
struct EventSequence {
    let token: String
    /// The steps compiled into the program, in order.
    let plannedSteps: [Int]
    let expectsChecks: Bool

    /// Accepted events up to the program's end (steps, images, TODO), images re-attributed to the open step.
    private(set) var events: [RuntimeEvent] = []
    /// Accepted Swift Testing records (JSON text), in order.
    private(set) var testRecords: [String] = []
    /// Why the run counts as tampered with, if it does.
    private(set) var tampered: String?
    /// The step that began and has not ended.
    private(set) var openStep: Int?
    private(set) var lastBegun: Int?
    private(set) var programEnded = false
    private(set) var checksEnded = false
    /// The function test that started and has not ended.
    private(set) var runningTest: String?
    private var pending = Data()
    /// Markdown fence lines of the steps that began, for messages.
    private var stepLines: [Int: Int] = [:]
    private var began = false
    private var nextStep = 0
    private var knownTests: Set<String> = []
    private var suites: Set<String> = []
    private var startedTests: Set<String> = []
    private var runStarted = false
    /// The latest `TODO()` reached, in a step or in a check (the program then exits with 86).
    private(set) var lastTODO: RuntimeEvent?
    /// When the last test record arrived (for the runner's per-test limit).
    private(set) var lastTestActivity: Date?

    init(token: String, plannedSteps: [Int], expectsChecks: Bool) {
        self.token = token
        self.plannedSteps = plannedSteps
        self.expectsChecks = expectsChecks
    }

    /// Feeds bytes read from the channel.
    mutating func consume(_ data: Data) {
        pending.append(data)
        while let newline = pending.firstIndex(of: 0x0A) {
            let line = Data(pending[pending.startIndex..<newline])
            pending.removeSubrange(pending.startIndex...newline)
            accept(line)
        }
    }

    private mutating func reject(_ reason: String) {
        if tampered == nil { tampered = reason }
    }

    private mutating func accept(_ line: Data) {
        guard tampered == nil else { return }
        guard let event = RuntimeEvent(line: line, token: token) else {
            return reject("a line on the runner's channel did not come from the lesson runtime")
        }
        if checksEnded { return reject("an event arrived after the checks ended") }
        switch event.kind {
        case "programBegan":
            guard !began else { return reject("the program began twice") }
            began = true
        case "stepBegan":
            guard began, !programEnded, openStep == nil, nextStep < plannedSteps.count, event.step == plannedSteps[nextStep] else {
                return reject("a step began out of order (step \(event.step))")
            }
            openStep = event.step
            lastBegun = event.step
            stepLines[event.step] = event.int("line")
            nextStep += 1
            events.append(event)
        case "stepEnded":
            guard let open = openStep, open == event.step, !programEnded else {
                return reject("a step ended that was not running (step \(event.step))")
            }
            openStep = nil
            events.append(event)
        case "programEnded":
            guard began, !programEnded, openStep == nil, nextStep == plannedSteps.count else {
                return reject("the program claimed to end before its last step ended")
            }
            programEnded = true
            lastTestActivity = Date()
        case "image", "todo":
            if event.kind == "todo" { lastTODO = event }
            // Output belongs to the step that is running; shown from a check, it is nobody's.
            guard !programEnded, let open = openStep else { return }
            var attributed = event
            attributed.step = open
            events.append(attributed)
        case "test":
            guard expectsChecks, programEnded, let record = event.string("record") else {
                return reject("a test record arrived outside the checks")
            }
            acceptTestRecord(record)
        case "tamper":
            reject(event.string("reason") ?? "lesson code used the runner's hooks")
        default:
            reject("an unknown event `\(event.kind)` arrived")
        }
    }

    private mutating func acceptTestRecord(_ text: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let kind = object["kind"] as? String, let payload = object["payload"] as? [String: Any] else {
            return reject("a malformed test record arrived")
        }
        lastTestActivity = Date()
        if kind == "test" {
            guard !runStarted, let id = payload["id"] as? String else { return reject("a test was declared during the run") }
            if payload["kind"] as? String == "function" { knownTests.insert(id) } else { suites.insert(id) }
            testRecords.append(text)
            return
        }
        guard kind == "event", let eventKind = payload["kind"] as? String else { return }
        let testID = payload["testID"] as? String
        switch eventKind {
        case "runStarted":
            guard !runStarted else { return reject("the checks started twice") }
            runStarted = true
        case "testStarted":
            guard runStarted, let testID else { return reject("a test started outside the run") }
            if knownTests.contains(testID) {
                guard runningTest == nil, !startedTests.contains(testID) else { return reject("a check started twice or while another ran") }
                runningTest = testID
                startedTests.insert(testID)
            } else if !suites.contains(testID) {
                return reject("an undeclared test started")
            }
        case "testEnded":
            guard runStarted, let testID else { return reject("a test ended outside the run") }
            if knownTests.contains(testID) {
                guard runningTest == testID else { return reject("a test ended that was not running") }
                runningTest = nil
            }
        case "runEnded":
            guard runStarted, runningTest == nil else { return reject("the checks ended while a test was running") }
            checksEnded = true
        default:
            break
        }
        testRecords.append(text)
    }

    /// Checks that the way the program ended agrees with what it said (call once, after it exited).
    mutating func finish(_ termination: Termination, killed: Bool) {
        guard tampered == nil, !killed else { return }
        if !pending.isEmpty { return reject("the channel ended with half a line") }
        guard case .exited(let code) = termination else { return }  // a signal: a crash, judged by the caller
        if expectsChecks && checksEnded {
            if code != 0 && code != 1 { reject("the check program ended with status \(code) after the checks") }
            return
        }
        if code == 86 && lastTODO != nil && (runningTest != nil || openStep != nil) { return }
        if code == 0 && programEnded && !expectsChecks { return }
        if !began { return }  // it never started the lesson: a setup problem, reported by the caller
        if code == 0 || code == 1 || code == 86 {
            // Never a test's name: it may be a hidden one.
            let place = runningTest.map { _ in "a check" }
                ?? openStep.map { step in stepLines[step].flatMap { $0 }.map { "the step at line \($0)" } ?? "step \(step)" }
                ?? "between steps"
            reject("the program ended itself with status \(code) during \(place)")
        }
    }
}

/// The crash report the Swift runtime writes with `SWIFT_BACKTRACE=…format=json,output-to=DIR`.
enum BacktraceReader {
    /// The innermost frame of the crashed thread that lies in `file`: its Markdown line.
    static func crashLine(in directory: URL, file: String) -> Int? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return nil }
        for name in names where name.hasSuffix(".json") {
            guard let data = SafeFiles.readRegularFile(in: directory, name: name, limit: 8 << 20),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let threads = object["threads"] as? [[String: Any]] else { continue }
            for thread in threads where thread["crashed"] as? Bool == true {
                for frame in thread["frames"] as? [[String: Any]] ?? [] {
                    // The backtracer may print the path relative to the working directory.
                    if let location = frame["sourceLocation"] as? [String: Any], let frameFile = location["file"] as? String,
                       samePath(frameFile, file), let line = location["line"] as? Int {
                        return line
                    }
                }
            }
        }
        return nil
    }

    /// The `Fatal error:` message on stderr, with the `file:line:` it names when that is the lesson.
    static func fatalMessage(in stderr: String, file: String) -> (message: String, line: Int?)? {
        for line in stderr.split(separator: "\n") {
            guard let range = line.range(of: "Fatal error:") else { continue }
            let message = line[range.upperBound...].trimmingCharacters(in: .whitespaces)
            let prefix = String(line[..<range.lowerBound])
            var markdownLine: Int?
            // Libraries built in Swift 6 mode forward `#file`, which is the file ID there ("LessonProgram/x.md").
            for name in [file, lessonFileID(file)] where prefix.hasPrefix(name + ":") {
                markdownLine = Int(prefix.dropFirst(name.count + 1).prefix { $0.isNumber })
            }
            return (message.isEmpty ? "fatal error" : message, markdownLine)
        }
        return nil
    }
}

/// How `#fileID` names the lesson inside the generated program's module.
func lessonFileID(_ path: String) -> String {
    "LessonProgram/" + URL(fileURLWithPath: path).lastPathComponent
}

/// True when a `#file` / `#filePath` / `#fileID` string names the lesson.
func namesLesson(_ file: String?, _ path: String) -> Bool {
    file == path || file == lessonFileID(path)
}

/// True when two paths (absolute, or relative to the working directory) name the same file.
func samePath(_ a: String, _ b: String) -> Bool {
    if a == b { return true }
    func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true))
            .standardizedFileURL.path
    }
    return absolute(a) == absolute(b)
}
