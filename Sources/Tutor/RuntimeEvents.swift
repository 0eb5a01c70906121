import Foundation

/// One event a lesson program wrote (see LessonRuntime's `LessonEventLog`).
struct RuntimeEvent {
    var kind: String
    var step: Int
    var stdoutOffset: Int
    var stderrOffset: Int
    var time: Double
    var fields: [String: Any]

    init?(line: Substring) {
        guard let data = line.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let kind = object["kind"] as? String else { return nil }
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

/// Reads an event file as it grows, so the runner can see which step is running.
final class EventTail {
    let path: String
    private var offset = 0
    private var pending = Data()
    private(set) var events: [RuntimeEvent] = []

    init(path: String) { self.path = path }

    /// Reads whatever was appended since the last call.
    func poll() {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        defer { try? handle.close() }
        try? handle.seek(toOffset: UInt64(offset))
        let data = handle.readDataToEndOfFile()
        offset += data.count
        pending.append(data)
        while let newline = pending.firstIndex(of: 0x0A) {
            let lineData = pending[pending.startIndex..<newline]
            pending.removeSubrange(pending.startIndex...newline)
            if let text = String(data: lineData, encoding: .utf8), let event = RuntimeEvent(line: Substring(text)) {
                events.append(event)
            }
        }
    }

    /// The step that began last and has not ended, if any.
    var runningStep: Int? {
        guard let began = events.last(where: { $0.kind == "stepBegan" }) else { return nil }
        return events.contains(where: { $0.kind == "stepEnded" && $0.step == began.step }) ? nil : began.step
    }
}

/// The crash report the Swift runtime writes with `SWIFT_BACKTRACE=…format=json,output-to=DIR`.
enum BacktraceReader {
    /// The innermost frame of the crashed thread that lies in `file`: its Markdown line.
    static func crashLine(in directory: URL, file: String) -> Int? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return nil }
        for name in names where name.hasSuffix(".json") {
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path),
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
