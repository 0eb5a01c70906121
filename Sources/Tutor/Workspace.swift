import Foundation

/// Where each lesson of a learner's workspace came from, written as `WORKSPACE/.tutor/workspace.json` beside the
/// `release.json` that `tutor release` writes. With it the runner finds the reference solutions (when the source is
/// still there and unchanged) and `tutor reset` restores an exercise's `TODO()` form.
public struct WorkspaceManifest: Sendable, Codable, Equatable {
    public struct Exercise: Sendable, Codable, Equatable {
        public var id: String
        /// The exercise's code in its student form (`TODO()` in place of the solution), as handed out.
        public var todoLines: [String]
    }

    public struct Lesson: Sendable, Codable, Equatable {
        /// The lesson id: the file name without `.md`.
        public var id: String
        public var file: String
        /// The source lesson, relative to the workspace folder when it can be (absolute otherwise).
        public var source: String
        /// SHA-256 of the source lesson's bytes when the copy was made.
        public var sourceSHA256: String
        /// SHA-256 of the copy as handed out (tells an untouched lesson from an edited one).
        public var releasedSHA256: String
        public var exercises: [Exercise]
    }

    public var format = "saliency-tutor-workspace/1"
    public var lessons: [Lesson]

    /// The manifest's path inside a workspace.
    public static let relativePath = ".tutor/workspace.json"

    /// The lesson entry for a file name (`01-gradient.md`).
    public func lesson(file: String) -> Lesson? { lessons.first { $0.file == file } }

    /// The workspace folder `path` names or holds a lesson of, or nil outside any workspace.
    public static func workspace(containing path: String) -> URL? {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return nil }
        if isFolder.boolValue {
            let folder = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
            return (try? read(workspace: folder)) == nil ? nil : folder
        }
        return WorkspaceLesson.locate(path)?.workspace
    }

    /// Reads a workspace's manifest.
    public static func read(workspace: URL) throws -> WorkspaceManifest {
        let url = workspace.appendingPathComponent(relativePath)
        guard let data = SafeFiles.readRegularFile(in: url.deletingLastPathComponent(), name: url.lastPathComponent) else {
            throw TutorError.io(path: url.path, reason: "not a workspace (no manifest; create one with `tutor workspace`)")
        }
        do { return try JSONDecoder().decode(WorkspaceManifest.self, from: data) } catch {
            throw TutorError.io(path: url.path, reason: "the workspace manifest is damaged (\(error)); re-create the workspace with --force")
        }
    }
}

/// Creates and updates a learner's workspace: `tutor workspace LESSONS --out Workspace`.
public enum Workspace {
    /// What happened to each lesson file.
    public enum Action: String, Sendable, Codable {
        /// New in the workspace.
        case created
        /// The learner had not edited it; it now holds the newer release.
        case updated
        /// Same as the release: nothing to do.
        case unchanged
        /// The learner's edited copy stays (re-create with `force` to replace it).
        case kept
        /// Replaced on request; the learner's copy is in `backup`.
        case replaced
    }

    /// One lesson's outcome.
    public struct Outcome: Sendable {
        public var file: String
        public var action: Action
        /// Where the replaced copy went (relative to the workspace).
        public var backup: String?
    }

    /// Creates `out` from the lessons named by `sources`, or brings an existing workspace up to date without
    /// touching the learner's edited lessons (unless `force`, which keeps a backup of each one it replaces).
    public static func make(sources: [String], into out: URL, force: Bool, now: Date = Date()) throws -> [Outcome] {
        let out = out.standardizedFileURL
        try refuseOverlap(sources: sources, out: out)
        let tutorFolder = out.appendingPathComponent(".tutor")
        try FileManager.default.createDirectory(at: tutorFolder, withIntermediateDirectories: true)
        let staging = tutorFolder.appendingPathComponent("staging-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: staging) }
        // The student form comes from `tutor release` itself, so the workspace and a class release never differ.
        let release = try Release.make(sources: sources, into: staging)
        let sourceFiles = try LessonFrontend.lessonFiles(sources)
        let old = try? WorkspaceManifest.read(workspace: out)
        let oldRelease = try? ReleaseManifest.read(out.appendingPathComponent(ReleaseManifest.fileName))

        var outcomes: [Outcome] = []
        var entries: [String: WorkspaceManifest.Lesson] = Dictionary(uniqueKeysWithValues: (old?.lessons ?? []).map { ($0.id, $0) })
        var releaseEntries: [String: ReleaseManifest.Lesson] = Dictionary(uniqueKeysWithValues: (oldRelease?.lessons ?? []).map { ($0.id, $0) })
        for lesson in release.lessons {
            let staged = staging.appendingPathComponent(lesson.file)
            let target = out.appendingPathComponent(lesson.file)
            let newText = try String(contentsOf: staged, encoding: .utf8)
            guard let source = sourceFiles.first(where: { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent == lesson.id }) else { continue }
            var outcome = Outcome(file: lesson.file, action: .created)
            if let current = FileManager.default.contents(atPath: target.path) {
                let currentHash = SHA256.hex(Array(current))
                if currentHash == lesson.sha256 {
                    outcome.action = .unchanged
                } else if let previous = entries[lesson.id], previous.releasedSHA256 == currentHash {
                    outcome.action = .updated
                } else if force {
                    outcome.action = .replaced
                    outcome.backup = try backup(current, lesson: lesson.id, name: "lesson", ext: "md", in: out, now: now)
                } else {
                    outcome.action = .kept
                }
            }
            outcomes.append(outcome)
            guard outcome.action != .kept else { continue }
            if outcome.action != .unchanged { try Release.write(newText, to: target) }
            let parsed = try LessonParser.parse(text: newText, path: lesson.file)
            entries[lesson.id] = WorkspaceManifest.Lesson(
                id: lesson.id, file: lesson.file, source: relativePath(of: URL(fileURLWithPath: source), from: out),
                sourceSHA256: SHA256.hex(Array(FileManager.default.contents(atPath: source) ?? Data())),
                releasedSHA256: lesson.sha256,
                exercises: parsed.exercises.map { .init(id: $0.exerciseID!, todoLines: $0.lines) })
            releaseEntries[lesson.id] = lesson
        }
        let files = try copyCompanions(release.files, from: staging, into: out, force: force)
        let order = (old?.lessons.map(\.id) ?? []) + release.lessons.map(\.id)
        var seen = Set<String>()
        let ids = order.filter { seen.insert($0).inserted }.sorted()
        let manifest = WorkspaceManifest(lessons: ids.compactMap { entries[$0] })
        let releaseManifest = ReleaseManifest(lessons: ids.compactMap { releaseEntries[$0] },
                                              files: Array(Set((oldRelease?.files ?? []) + files)).sorted())
        try writeJSON(releaseManifest, to: out.appendingPathComponent(ReleaseManifest.fileName))
        try writeJSON(manifest, to: out.appendingPathComponent(WorkspaceManifest.relativePath))
        return outcomes
    }

    /// The workspace must not be a lesson folder, lie inside one, or be the folder of a lesson file: it would
    /// overwrite the author's lessons or copy itself into itself.
    private static func refuseOverlap(sources: [String], out: URL) throws {
        for source in sources {
            var flag: ObjCBool = false
            guard FileManager.default.fileExists(atPath: source, isDirectory: &flag) else { continue }
            let url = URL(fileURLWithPath: source).standardizedFileURL
            let folder = flag.boolValue ? url.path : url.deletingLastPathComponent().path
            if out.path == folder || (flag.boolValue && out.path.hasPrefix(folder + "/")) {
                throw TutorError.io(path: out.path, reason: "the workspace must not be the lessons' own folder or lie inside it (\(source)); "
                    + "choose another --out, e.g. Workspace")
            }
        }
    }

    /// Copies the lessons' other files (images, licences) that are missing, or differ and `force` is set.
    private static func copyCompanions(_ files: [String], from staging: URL, into out: URL, force: Bool) throws -> [String] {
        for file in files {
            let source = staging.appendingPathComponent(file), target = out.appendingPathComponent(file)
            if let existing = FileManager.default.contents(atPath: target.path) {
                guard force, existing != FileManager.default.contents(atPath: source.path) else { continue }
                try? FileManager.default.removeItem(at: target)
            }
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            do { try FileManager.default.copyItem(at: source, to: target) } catch {
                throw TutorError.io(path: target.path, reason: "cannot copy into the workspace: \(error.localizedDescription)")
            }
        }
        return files
    }

    /// Saves `data` as `.tutor/backups/<lesson>/<name>-<UTC time>.<ext>` and returns that path relative to `workspace`.
    static func backup(_ data: Data, lesson: String, name: String, ext: String, in workspace: URL, now: Date) throws -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let folder = workspace.appendingPathComponent(".tutor/backups/\(lesson)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var file = "\(name)-\(formatter.string(from: now)).\(ext)"
        var n = 2
        while FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path) {
            file = "\(name)-\(formatter.string(from: now))-\(n).\(ext)"
            n += 1
        }
        do { try data.write(to: folder.appendingPathComponent(file), options: .atomic) } catch {
            throw TutorError.io(path: folder.appendingPathComponent(file).path, reason: "cannot write the backup: \(error.localizedDescription)")
        }
        return ".tutor/backups/\(lesson)/\(file)"
    }

    /// `file` relative to the folder `base` (both absolute after standardising), e.g. `../Lessons/01-gradient.md`.
    static func relativePath(of file: URL, from base: URL) -> String {
        let target = file.standardizedFileURL.resolvingSymlinksInPath().pathComponents
        let origin = base.standardizedFileURL.resolvingSymlinksInPath().pathComponents
        var common = 0
        while common < min(target.count, origin.count), target[common] == origin[common] { common += 1 }
        guard common > 1 else { return file.standardizedFileURL.path }   // only "/" shared: keep it absolute
        let ups = Array(repeating: "..", count: origin.count - common)
        return (ups + target[common...]).joined(separator: "/")
    }

    static func writeJSON<T: Encodable>(_ value: T, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Release.write(String(decoding: try encoder.encode(value), as: UTF8.self) + "\n", to: url)
    }
}
