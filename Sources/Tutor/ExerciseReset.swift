import Foundation

/// `tutor reset LESSON ID`: puts one exercise of a workspace lesson back in its `TODO()` form, after saving the
/// learner's code under `.tutor/backups/`.
public enum ExerciseReset {
    /// What a reset did.
    public struct Outcome: Sendable {
        /// The backup of the learner's code, relative to the workspace (nil when it was already in its TODO form).
        public var backup: String?
        /// Markdown line of the exercise's fence.
        public var line: Int
    }

    /// Resets exercise `id` of the workspace lesson at `path`.
    public static func reset(_ path: String, exercise id: String, now: Date = Date()) throws -> Outcome {
        guard let lesson = WorkspaceLesson.locate(path) else {
            throw TutorError.io(path: path, reason: "not a lesson of a workspace (no .tutor/workspace.json beside it that lists it); "
                + "`tutor reset` restores exercises of lessons made by `tutor workspace`")
        }
        guard let todo = lesson.todoLines(of: id) else {
            let known = lesson.entry.exercises.map { "`\($0.id)`" }.joined(separator: ", ")
            throw TutorError.io(path: path, reason: "no exercise `\(id)` in this lesson (exercises: \(known.isEmpty ? "none" : known))")
        }
        guard let data = FileManager.default.contents(atPath: path), let raw = String(data: data, encoding: .utf8) else {
            throw TutorError.io(path: path, reason: "cannot read the lesson (missing file or not UTF-8)")
        }
        let crlf = raw.contains("\r\n")
        var lines = StudentForm.normalizedLines(raw)
        guard let block = ScannedBlock.scan(lines.joined(separator: "\n")).first(where: { $0.exerciseID == id }) else {
            throw TutorError.io(path: path, reason: "the exercise block `swift exercise id=\(id)` is no longer in the file; "
                + "put its fence back (or re-create the lesson with `tutor workspace --force`)")
        }
        let first = block.fenceLine   // 0-based index of the first code line
        let close = first + block.lines.count
        guard close < lines.count, isFence(lines[close]) else {
            throw TutorError.io(path: path, reason: "line \(block.fenceLine): the exercise's code fence is not closed; close it before resetting")
        }
        if WorkspaceLesson.normalizedCode(block.lines) == WorkspaceLesson.normalizedCode(todo) {
            return Outcome(backup: nil, line: block.fenceLine)
        }
        let backup = try Workspace.backup(Data((block.lines.joined(separator: "\n") + "\n").utf8), lesson: lesson.entry.id,
                                          name: id, ext: "swift", in: lesson.workspace, now: now)
        lines.replaceSubrange(first..<close, with: todo)
        let text = lines.joined(separator: crlf ? "\r\n" : "\n")
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw TutorError.io(path: path, reason: "cannot write the lesson: \(error.localizedDescription)")
        }
        return Outcome(backup: backup, line: block.fenceLine)
    }

    private static func isFence(_ line: String) -> Bool {
        let trimmed = line.drop { $0 == " " }
        return trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~")
    }
}

/// `tutor hint LESSON ID`: an exercise's hints, one more each time, remembered per folder in `.tutor/state.json`.
public enum HintRequest {
    /// The hints to show now and how many the exercise has.
    public struct Answer: Sendable {
        /// (number from 1, text) of each hint to print.
        public var shown: [(number: Int, text: String)]
        public var total: Int
        /// True when this answer showed the last hint for the first time or repeated it.
        public var exhausted: Bool
    }

    /// The next hint of exercise `id` of the lesson at `path` (all of them with `all`), counting it as shown.
    public static func next(_ path: String, exercise id: String, all: Bool) throws -> Answer {
        let lesson = try LessonParser.parse(file: path)
        guard lesson.exercises.contains(where: { $0.exerciseID == id }) else {
            let known = lesson.exercises.compactMap(\.exerciseID).map { "`\($0)`" }.joined(separator: ", ")
            throw TutorError.io(path: path, reason: "no exercise `\(id)` in this lesson (exercises: \(known.isEmpty ? "none" : known))")
        }
        var hints = lesson.hints(for: id)
        // A learner who deleted the hints from their copy still gets the source lesson's.
        if hints.isEmpty, let workspace = WorkspaceLesson.locate(path), case .available(let source) = workspace.reference {
            hints = (try? LessonParser.parse(file: source).hints(for: id)) ?? []
        }
        guard !hints.isEmpty else {
            throw TutorError.io(path: path, reason: "exercise `\(id)` has no hints (a lesson adds them in a `<!-- hints for=\(id)` comment)")
        }
        let folder = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent()
        let key = WorkspaceState.hintKey(lesson: lesson.name, exercise: id)
        return try WorkspaceState.update(folder: folder) { state in
            let before = min(state.hintsShown[key] ?? 0, hints.count)
            if all {
                state.hintsShown[key] = hints.count
                return Answer(shown: hints.enumerated().map { ($0.offset + 1, $0.element) }, total: hints.count, exhausted: true)
            }
            let number = min(before + 1, hints.count)
            state.hintsShown[key] = number
            return Answer(shown: [(number, hints[number - 1])], total: hints.count, exhausted: number == hints.count)
        }
    }
}
