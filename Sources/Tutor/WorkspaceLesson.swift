import Foundation

/// A lesson file inside a learner's workspace, with its manifest entry: what `tutor check`, `run`, `hint`, `reset`
/// and `progress` need to know about where it came from.
public struct WorkspaceLesson: Sendable {
    /// The workspace folder.
    public var workspace: URL
    public var entry: WorkspaceManifest.Lesson
    /// The lesson file as the user named it.
    public var path: String

    /// Whether the source lesson can stand in as the reference solution.
    public enum Reference: Sendable, Equatable {
        /// The source is there and unchanged since the workspace was made.
        case available(path: String)
        case missing(path: String)
        /// The source changed since the workspace was made: its solutions may not fit this copy.
        case changed(path: String)
    }

    /// The workspace lesson at `path`, or nil when the file does not lie directly in a workspace folder.
    public static func locate(_ path: String) -> WorkspaceLesson? {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let folder = url.deletingLastPathComponent()
        guard let manifest = try? WorkspaceManifest.read(workspace: folder),
              let entry = manifest.lesson(file: url.lastPathComponent) else { return nil }
        return WorkspaceLesson(workspace: folder, entry: entry, path: path)
    }

    /// The source lesson's path, resolved against the workspace (relative to the working directory when it lies below it,
    /// as it reads better in notes and reports).
    public var sourcePath: String {
        let path = entry.source.hasPrefix("/") ? entry.source : workspace.appendingPathComponent(entry.source).standardizedFileURL.path
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path
        return path.hasPrefix(here + "/") ? String(path.dropFirst(here.count + 1)) : path
    }

    /// The source lesson's state.
    public var reference: Reference {
        guard let data = FileManager.default.contents(atPath: sourcePath) else { return .missing(path: sourcePath) }
        return SHA256.hex(Array(data)) == entry.sourceSHA256 ? .available(path: sourcePath) : .changed(path: sourcePath)
    }

    /// Points `options` at the source lesson's solutions when they fit; otherwise returns a note for the learner
    /// saying why steps after an unfinished exercise will not run.
    public func applyReference(to options: inout RunOptions) -> String? {
        guard options.referencePath == nil, !options.studentForm else { return nil }
        switch reference {
        case .available(let source):
            options.referencePath = source
            return nil
        case .missing(let source):
            return "the source lesson \(source) is gone, so steps after an unfinished exercise are not run "
                + "(they would run on its reference solution)"
        case .changed(let source):
            return "the source lesson \(source) changed since this workspace was made, so its solutions are not used: "
                + "steps after an unfinished exercise are not run (`tutor workspace --force` makes a fresh copy, keeping a backup)"
        }
    }

    /// The exercise's code as handed out (its `TODO()` form).
    public func todoLines(of id: String) -> [String]? {
        entry.exercises.first { $0.id == id }?.todoLines
    }
}

extension WorkspaceLesson {
    /// For a lesson in a workspace: sets the source lesson as the reference in `options`, or prints a note saying why
    /// it cannot be used. Returns the workspace lesson (nil outside a workspace).
    static func prepare(_ path: String, options: inout RunOptions) -> WorkspaceLesson? {
        guard let lesson = locate(path) else { return nil }
        if let note = lesson.applyReference(to: &options) {
            FileHandle.standardError.write(Data("\(path): note: \(note)\n".utf8))
        }
        return lesson
    }

    /// Records a check in the workspace state; returns the lines for the terminal (a warning when it cannot record).
    func afterCheck(_ checks: CheckResult, lesson: Lesson) -> [String] {
        do { return try record(checks, lesson: lesson) } catch {
            return referenceNotes(checks, lesson: lesson) + ["warning: the result was not recorded for `tutor progress`: \(error)"]
        }
    }
}
