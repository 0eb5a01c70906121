import Foundation

/// What a workspace remembers between commands, in `WORKSPACE/.tutor/state.json`: each lesson's last check (per
/// exercise: state, points, failed checks in a row) and how many hints of each exercise were shown. `tutor progress`
/// reads it without compiling anything.
public struct WorkspaceState: Sendable, Codable, Equatable {
    /// An exercise's state after a check.
    public enum Status: String, Sendable, Codable {
        /// Every check passes.
        case done
        /// Edited, but a check fails, or it does not build, traps or still reaches a `TODO()`.
        case failing
        /// Still in the `TODO()` form it was handed out in.
        case notStarted = "not-started"
    }

    public struct ExerciseRecord: Sendable, Codable, Equatable {
        public var status: Status
        public var pointsEarned: Int
        public var pointsPossible: Int
        /// Failed checks in a row with different code each time (re-checking unchanged code does not count).
        public var failedChecks: Int
        /// SHA-256 of the code at the last failed check.
        public var failedCodeSHA256: String?
        /// The first problem of the last check, for `tutor progress`.
        public var problem: String?
    }

    public struct LessonRecord: Sendable, Codable, Equatable {
        /// SHA-256 of the lesson file that was checked (a different file now: "changed since last check").
        public var lessonSHA256: String
        public var checkedAt: Date
        public var exercises: [String: ExerciseRecord]
    }

    public var format = "saliency-tutor-state/1"
    /// By lesson id.
    public var lessons: [String: LessonRecord] = [:]
    /// Hints shown so far, by `lesson/exercise`.
    public var hintsShown: [String: Int] = [:]

    public init() {}

    static let relativePath = ".tutor/state.json"

    /// The state of `folder` (empty when there is none yet or it cannot be read).
    public static func read(folder: URL) -> WorkspaceState {
        let url = folder.appendingPathComponent(relativePath)
        guard let data = SafeFiles.readRegularFile(in: url.deletingLastPathComponent(), name: url.lastPathComponent, limit: 16 << 20) else {
            return WorkspaceState()
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return (try? decoder.decode(WorkspaceState.self, from: data)) ?? WorkspaceState()
    }

    /// Reads, changes and writes the state of `folder` under a lock, so a watcher and a check cannot lose each
    /// other's records; the file is replaced atomically.
    @discardableResult
    public static func update<R>(folder: URL, _ change: (inout WorkspaceState) throws -> R) throws -> R {
        let tutor = folder.appendingPathComponent(".tutor")
        try FileManager.default.createDirectory(at: tutor, withIntermediateDirectories: true)
        let lock = open(tutor.appendingPathComponent("state.lock").path, O_CREAT | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0o644)
        if lock >= 0 { flock(lock, LOCK_EX) }
        defer { if lock >= 0 { flock(lock, LOCK_UN); close(lock) } }
        var state = read(folder: folder)
        let result = try change(&state)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let url = folder.appendingPathComponent(relativePath)
        do { try encoder.encode(state).write(to: url, options: .atomic) } catch {
            throw TutorError.io(path: url.path, reason: "cannot write the workspace state: \(error.localizedDescription)")
        }
        return result
    }

    static func hintKey(lesson: String, exercise: String) -> String { lesson + "/" + exercise }
}

extension WorkspaceLesson {
    /// Records a check of this lesson in the workspace state and returns the lines to tell the learner: which
    /// steps ran on the reference solution, and a `tutor hint` suggestion for an exercise that failed twice.
    public func record(_ checks: CheckResult, lesson: Lesson) throws -> [String] {
        let text = FileManager.default.contents(atPath: path) ?? Data()
        let suggestions: [String] = try WorkspaceState.update(folder: workspace) { state in
            let previous = state.lessons[entry.id]?.exercises ?? [:]
            var records: [String: WorkspaceState.ExerciseRecord] = [:]
            var suggestions: [String] = []
            for exercise in checks.exercises {
                guard let step = lesson.exercises.first(where: { $0.exerciseID == exercise.id }) else { continue }
                let record = Self.record(exercise, step: step, run: checks.steps.first { $0.index == step.index },
                                         todo: todoLines(of: exercise.id), previous: previous[exercise.id])
                records[exercise.id] = record
                let hints = lesson.hints(for: exercise.id).count
                let shown = state.hintsShown[WorkspaceState.hintKey(lesson: entry.id, exercise: exercise.id)] ?? 0
                if record.failedChecks >= 2, hints > 0 {
                    let which = shown < hints ? "hint \(shown + 1) of \(hints)" : "all \(hints) hints again (--all)"
                    suggestions.append("\(path):\(exercise.line): hint: `\(exercise.id)` failed \(record.failedChecks) checks in a row; "
                        + "`tutor hint \(path) \(exercise.id)` shows \(which)")
                }
            }
            state.lessons[entry.id] = WorkspaceState.LessonRecord(lessonSHA256: SHA256.hex(Array(text)), checkedAt: Date(), exercises: records)
            return suggestions
        }
        return referenceNotes(checks, lesson: lesson) + suggestions
    }

    /// An exercise's record from its checks and its step's run.
    static func record(_ exercise: ExerciseResult, step: Step, run: StepResult?, todo: [String]?,
                       previous: WorkspaceState.ExerciseRecord?) -> WorkspaceState.ExerciseRecord {
        let codeHash = SHA256.hex(step.lines.joined(separator: "\n"))
        let passed = exercise.tests.allSatisfy { $0.status == "passed" }
            && (run.map { $0.status == .ok || $0.status == .compiledOnly } ?? true)
        let untouched = todo.map { normalizedCode($0) == normalizedCode(step.lines) } ?? false
        var record = WorkspaceState.ExerciseRecord(status: passed ? .done : untouched ? .notStarted : .failing,
                                                   pointsEarned: exercise.pointsEarned, pointsPossible: exercise.pointsPossible,
                                                   failedChecks: 0, failedCodeSHA256: nil, problem: nil)
        if record.status == .failing {
            let sameCode = previous?.failedCodeSHA256 == codeHash
            record.failedChecks = (previous?.failedChecks ?? 0) + (sameCode ? 0 : 1)
            record.failedCodeSHA256 = codeHash
            // One short line: the failing check's name (its message is in `tutor check`'s output and the report).
            if let run, run.status != .ok, let message = run.message {
                let first = message.split(separator: "\n").first.map(String.init) ?? message
                record.problem = (run.failureLine.map { "line \($0): " } ?? "") + LessonIssue.clipped(first, limit: 100)
            } else if let test = exercise.tests.first(where: { $0.status != "passed" }) {
                record.problem = "line \(test.line): \(test.hidden ? "a graded check" : LessonIssue.clipped(test.name, limit: 100)) \(test.status == "failed" ? "fails" : test.status)"
            }
        }
        return record
    }

    /// Code compared without trailing spaces and trailing blank lines (editors change those unasked).
    static func normalizedCode(_ lines: [String]) -> [String] {
        var code = lines.map { String($0.reversed().drop { $0 == " " || $0 == "\t" }.reversed()) }
        while code.last?.isEmpty == true { code.removeLast() }
        return code
    }

    /// The "ran on the reference solution" line for the terminal, naming the unfinished exercises whose reference stood in.
    func referenceNotes(_ checks: CheckResult, lesson: Lesson) -> [String] {
        let stoodIn = lesson.exercises.filter { step in
            checks.steps.contains { $0.index == step.index && $0.status != .ok && $0.note != nil }
        }
        let later = checks.steps.filter { $0.ranOnReference == true }.count
        guard let first = stoodIn.first, later > 0 else { return [] }
        let names = stoodIn.map { "`\($0.exerciseID!)` (line \($0.fenceLine))" }.joined(separator: ", ")
        return ["\(path):\(first.fenceLine): note: \(names) \(stoodIn.count == 1 ? "is" : "are") not finished, so \(later) later step"
            + "\(later == 1 ? "" : "s") ran on the reference solution (marked in the report); your code is what the checks grade"]
    }
}
