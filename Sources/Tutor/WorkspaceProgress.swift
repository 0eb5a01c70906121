import Foundation

/// `tutor progress [DIR]`: every lesson and exercise of a workspace with its state and points, and what to do
/// next, from the recorded checks and the files as they are now (nothing is compiled or run).
public struct WorkspaceProgress: Sendable {
    /// An exercise's state as progress shows it.
    public enum State: String, Sendable, Codable {
        case done
        case failing
        case notStarted = "not started"
        /// Edited since it was handed out, but never checked.
        case notChecked = "not checked"
    }

    public struct Exercise: Sendable {
        public var id: String
        /// Markdown line of the exercise's fence in the learner's file (0 when the block is gone).
        public var line: Int
        public var state: State
        /// Earned points (nil when never checked) and possible points.
        public var earned: Int?
        public var possible: Int
        /// The first problem of the last check, when failing.
        public var problem: String?
    }

    public struct Lesson: Sendable {
        public var id: String
        /// The lesson's path as shown (the workspace folder as given, then the file).
        public var path: String
        public var title: String
        public var exercises: [Exercise]
        /// The file differs from the one last checked (or was never checked).
        public var changedSinceCheck: Bool
        public var checked: Bool
    }

    public var lessons: [Lesson]

    /// Reads the progress of the workspace at `folder` (as the user named it).
    public static func read(workspace folder: String) throws -> WorkspaceProgress {
        let url = URL(fileURLWithPath: folder, isDirectory: true).standardizedFileURL
        let manifest = try WorkspaceManifest.read(workspace: url)
        let release = try? ReleaseManifest.read(url.appendingPathComponent(ReleaseManifest.fileName))
        let state = WorkspaceState.read(folder: url)
        let shown = folder.hasSuffix("/") ? folder : folder + "/"
        return WorkspaceProgress(lessons: manifest.lessons.map { entry in
            lesson(entry, path: shown + entry.file, file: url.appendingPathComponent(entry.file),
                   record: state.lessons[entry.id], released: release?.lessons.first { $0.id == entry.id })
        })
    }

    private static func lesson(_ entry: WorkspaceManifest.Lesson, path: String, file: URL, record: WorkspaceState.LessonRecord?,
                               released: ReleaseManifest.Lesson?) -> Lesson {
        let data = FileManager.default.contents(atPath: file.path)
        let text = data.map { StudentForm.normalized(String(decoding: $0, as: UTF8.self)) } ?? ""
        let blocks = ScannedBlock.scan(text)
        let title = text.split(separator: "\n").first { $0.hasPrefix("# ") }.map { String($0.dropFirst(2)) } ?? entry.id
        let changed = record.map { rec in data.map { SHA256.hex(Array($0)) } != rec.lessonSHA256 } ?? true
        let exercises = entry.exercises.map { exercise -> Exercise in
            let block = blocks.first { $0.exerciseID == exercise.id }
            let possible = released?.exercises.first { $0.id == exercise.id }?.publicPoints ?? 0
            let recorded = record?.exercises[exercise.id]
            var result = Exercise(id: exercise.id, line: block?.fenceLine ?? 0, state: .notChecked, earned: recorded?.pointsEarned,
                                  possible: recorded?.pointsPossible ?? possible, problem: nil)
            if let block, WorkspaceLesson.normalizedCode(block.lines) == WorkspaceLesson.normalizedCode(exercise.todoLines) {
                result.state = .notStarted
            } else if let recorded, recorded.status != .notStarted {
                result.state = recorded.status == .done ? .done : .failing
                result.problem = recorded.problem
            }
            return result
        }
        return Lesson(id: entry.id, path: path, title: title, exercises: exercises, changedSinceCheck: record != nil && changed,
                      checked: record != nil)
    }

    /// Exercises done and in all.
    public var counts: (done: Int, total: Int) {
        let all = lessons.flatMap(\.exercises)
        return (all.filter { $0.state == .done }.count, all.count)
    }

    /// Points earned (done exercises' recorded points) and possible.
    public var points: (earned: Int, possible: Int) {
        let all = lessons.flatMap(\.exercises)
        return (all.reduce(0) { $0 + ($1.state == .notStarted ? 0 : $1.earned ?? 0) }, all.reduce(0) { $0 + $1.possible })
    }

    /// The one thing to do next, as a sentence with the command to run.
    public var next: String {
        for lesson in lessons {
            if lesson.changedSinceCheck, lesson.exercises.contains(where: { $0.state != .notStarted }) {
                return "\(lesson.path) changed since its last check: run `tutor check \(lesson.path)`"
            }
            for exercise in lesson.exercises where exercise.state != .done {
                switch exercise.state {
                case .notChecked:
                    return "check your work on `\(exercise.id)`: `tutor check \(lesson.path)`"
                case .failing:
                    return "fix `\(exercise.id)` in \(lesson.path) (line \(exercise.line))"
                        + (exercise.problem.map { ": \(LessonIssue.clipped($0, limit: 120))" } ?? "")
                        + " — then `tutor check \(lesson.path)`; stuck? `tutor hint \(lesson.path) \(exercise.id)`"
                default:
                    return "open \(lesson.path) at line \(exercise.line) and replace the `TODO()` of `\(exercise.id)`, "
                        + "then `tutor check \(lesson.path)` (or keep `tutor watch \(lesson.path)` running)"
                }
            }
        }
        return "every exercise is done — well done!"
    }

    /// The table for the terminal.
    public func render() -> String {
        let (done, total) = counts
        let (earned, possible) = points
        var out = "\(done) of \(total) exercises done · \(earned)/\(possible) points\n"
        let idWidth = max(8, lessons.flatMap(\.exercises).map(\.id.count).max() ?? 0)
        for lesson in lessons {
            let lessonDone = lesson.exercises.filter { $0.state == .done }.count
            var head = "\n\(lesson.path) — \(lesson.title) (\(lessonDone)/\(lesson.exercises.count) done)"
            if lesson.changedSinceCheck { head += " · changed since last check" }
            out += head + "\n"
            for exercise in lesson.exercises {
                let mark = switch exercise.state { case .done: "✓"; case .failing: "✗"; case .notStarted: "·"; case .notChecked: "?" }
                let score = "\(exercise.state == .notStarted ? "–" : exercise.earned.map(String.init) ?? "–")/\(exercise.possible)"
                var line = "  \(mark) \(exercise.id.padding(toLength: idWidth, withPad: " ", startingAt: 0))  "
                    + exercise.state.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0) + "  "
                    + score.padding(toLength: 7, withPad: " ", startingAt: 0)
                if exercise.state == .failing, let problem = exercise.problem { line += "  " + LessonIssue.clipped(problem, limit: 100) }
                out += String(line.reversed().drop { $0 == " " }.reversed()) + "\n"
            }
        }
        return out + "\nnext: \(next)\n"
    }
}
