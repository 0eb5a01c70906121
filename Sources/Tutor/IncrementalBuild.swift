import Foundation

/// A lesson program built in pieces, in a folder that outlives the run, so that saving one exercise recompiles
/// only that exercise's file: the steps (`main.swift`), each declaration-only exercise (`exercise-N.swift`) and the
/// checks (`checks.swift`) are separate files of one module, compiled by the Swift driver's incremental mode (which
/// recompiles a file's dependents only when its interface changed), and linked against the shared libraries.
///
/// Only sources a learner may see go here: a program with hidden checks is always built from scratch in the run's
/// private folder. The folder is locked while in use; a second `tutor` on the same lesson builds from scratch.
final class IncrementalBuild {
    /// One source file of the program; `owns` tells its diagnostics (by Markdown line) from the others'.
    struct Source {
        var name: String
        var text: String
        var owns: (Diagnostic) -> Bool
    }

    let folder: URL
    /// `lesson` or `checks`: which program this folder builds.
    let kind: String
    private var lockFD: Int32 = -1
    /// Warnings of each source file from the compile that last produced its object (the driver does not repeat
    /// them when it skips the file).
    private var warnings: [String: [Diagnostic]] = [:]

    /// The build folder of `lesson`'s program of one `kind` (lesson or checks), or nil when it is in use or
    /// cannot be made.
    init?(cacheRoot: URL, lesson: Lesson, kind: String) {
        var hasher = StableHasher()
        hasher.combine("incremental-v1")
        hasher.combine(URL(fileURLWithPath: lesson.path).standardizedFileURL.resolvingSymlinksInPath().path)
        hasher.combine(kind)
        self.kind = kind
        folder = cacheRoot.deletingLastPathComponent().appendingPathComponent("tutor-builds").appendingPathComponent(hasher.hexDigest)
        if !FileManager.default.fileExists(atPath: folder.path) {
            do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch { return nil }
            Self.prune(folder.deletingLastPathComponent(), keeping: 60)  // only a new folder can take the count over
        }
        lockFD = open(folder.appendingPathComponent("lock").path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lockFD >= 0, flock(lockFD, LOCK_EX | LOCK_NB) == 0 else { return nil }
        if let data = FileManager.default.contents(atPath: folder.appendingPathComponent("warnings.json").path),
           let stored = try? JSONDecoder().decode([String: [Diagnostic]].self, from: data) {
            warnings = stored
        }
    }

    /// Removes all but the `count` most recently used build folders (one used in the last hour always stays).
    static func prune(_ root: URL, keeping count: Int) {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: root.path), names.count > count else { return }
        let dated = names.compactMap { name -> (URL, Date)? in
            let url = root.appendingPathComponent(name)
            guard let date = (try? manager.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date else { return nil }
            return (url, date)
        }.sorted { $0.1 > $1.1 }
        for (url, date) in dated.dropFirst(count) where date < Date().addingTimeInterval(-3600) {
            try? manager.removeItem(at: url)
        }
    }

    deinit {
        if lockFD >= 0 { close(lockFD) }  // closing releases the lock
    }

    /// Named as the from-scratch programs are (`lesson`, `checks-program`), so a program sees the same name either way.
    var programPath: String { folder.appendingPathComponent(kind == "checks" ? "checks-program" : "lesson").path }

    /// The runner handle's variable name in this folder's `main.swift`: random once, then kept, so the file does not
    /// change between builds. It is private to `main.swift`, which holds no learner code in this kind of build.
    lazy var handle: String = {
        let url = folder.appendingPathComponent("handle")
        if let data = FileManager.default.contents(atPath: url.path), let name = String(data: data, encoding: .utf8),
           name.hasPrefix("__tutor_"), name.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }) {
            return name
        }
        let name = "__tutor_" + (0..<3).map { _ in String(format: "%08x", UInt32.random(in: 0...UInt32.max)) }.joined()
        try? Data(name.utf8).write(to: url, options: .atomic)
        return name
    }()

    /// Writes a changed source with a modification time in a later whole second than its previous one: the driver
    /// tells changed inputs by their time at one-second resolution, and a learner may save twice in a second.
    private func write(_ text: String, to url: URL) throws {
        let previous = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date
        try Data(text.utf8).write(to: url, options: .atomic)
        let now = Date().timeIntervalSince1970.rounded(.down)
        let stamp = max(now, (previous?.timeIntervalSince1970.rounded(.down) ?? 0) + 1)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: stamp)], ofItemAtPath: url.path)
    }

    /// Writes the files (only those whose text changed, so the driver sees the rest as unchanged), builds, and
    /// returns the outcome; the caller rebuilds from scratch on errors, for diagnostics in the usual form.
    func build(sources: [Source], environment: BuildEnvironment) throws -> (ok: Bool, diagnostics: [Diagnostic], log: String) {
        var paths: [String] = []
        var map: [String: [String: String]] = ["": ["swift-dependencies": folder.appendingPathComponent("module.swiftdeps").path]]
        var objectDates: [String: Date] = [:]
        for source in sources {
            let url = folder.appendingPathComponent(source.name)
            if FileManager.default.contents(atPath: url.path) != Data(source.text.utf8) {
                try write(source.text, to: url)
            }
            paths.append(url.path)
            let stem = url.deletingPathExtension().path
            map[url.path] = ["object": stem + ".o", "swift-dependencies": stem + ".swiftdeps"]
            objectDates[source.name] = (try? FileManager.default.attributesOfItem(atPath: stem + ".o"))?[.modificationDate] as? Date
        }
        let mapURL = folder.appendingPathComponent("output-file-map.json")
        try JSONSerialization.data(withJSONObject: map, options: [.sortedKeys]).write(to: mapURL, options: .atomic)
        let out = folder.appendingPathComponent("compile.out").path
        let arguments = BuildEnvironment.languageFlags + ["-module-name", "LessonProgram"] + environment.searchFlags()
            + ["-incremental", "-output-file-map", mapURL.path, "-j", "2"] + paths + environment.libraryLinkArguments()
            + ["-o", programPath]
        let built = BuiltSources.load(from: folder)
        let now = BuiltSources(sources.map { ($0.name, $0.text) })
        // An edit inside one exercise's function bodies since the last build that succeeded: that file's own compile
        // and the link, without the driver.
        if let built, let edit = now.onlyBodyEdit(since: built), FileManager.default.fileExists(atPath: programPath),
           let direct = DirectBuild.load(folder: folder, key: DirectBuild.key(arguments: arguments, folder: folder)),
           let log = try PhaseTimes.shared.measure("compile+link", {
               try direct.rebuild(file: folder.appendingPathComponent(edit).path, log: out)
           }) {
            now.save(in: folder)
            warnings[edit] = DiagnosticParser.parse(log).filter { $0.severity != "error" }
            let kept = sources.flatMap { warnings[$0.name] ?? [] }
            try? JSONEncoder().encode(warnings).write(to: folder.appendingPathComponent("warnings.json"), options: .atomic)
            return (true, kept, log)
        }
        // Whatever the driver leaves behind if it fails is no base for a later body edit.
        BuiltSources.forget(in: folder)
        let termination = try PhaseTimes.shared.measure("compile+link") {
            try Subprocess(executable: environment.swiftc, arguments: arguments, environment: ProcessInfo.processInfo.environment,
                           stdoutPath: out, stderrPath: out, contained: false).run()
        }
        let log = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: out)
        let fresh = DiagnosticParser.parse(log)
        guard termination == .exited(0) else { return (false, fresh, log) }
        // A file whose object was rewritten now has these warnings; the others keep theirs from their last compile.
        let lines = fresh.filter { $0.severity != "error" }
        func owner(_ diagnostic: Diagnostic) -> String {
            sources.dropFirst().first { $0.owns(diagnostic) }?.name ?? sources[0].name
        }
        for source in sources {
            let stem = folder.appendingPathComponent(source.name).deletingPathExtension().path
            let date = (try? FileManager.default.attributesOfItem(atPath: stem + ".o"))?[.modificationDate] as? Date
            if date != objectDates[source.name] || warnings[source.name] == nil {
                warnings[source.name] = lines.filter { owner($0) == source.name }
            }
        }
        let kept = sources.flatMap { warnings[$0.name] ?? [] }
        try? JSONEncoder().encode(warnings).write(to: folder.appendingPathComponent("warnings.json"), options: .atomic)
        now.save(in: folder)
        // The commands for the next body edit (printed once per set of arguments and link libraries).
        if DirectBuild.load(folder: folder, key: DirectBuild.key(arguments: arguments, folder: folder)) == nil {
            PhaseTimes.shared.measure("direct build plan") {
                DirectBuild.capture(arguments: arguments, folder: folder, swiftc: environment.swiftc)
            }
        }
        return (true, kept, log)
    }
}

/// Which exercises can be compiled from a file of their own.
public enum ExerciseLayout {
    /// True for exercise code made only of declarations (functions and types): it can live in a file of its own
    /// without changing what runs when. Top-level `let`/`var` or statements keep the exercise in `main.swift`.
    public static func isDeclarationsOnly(_ lines: [String]) -> Bool {
        let starters = ["func ", "struct ", "class ", "final class ", "enum ", "indirect enum ", "extension ", "protocol ",
                        "typealias ", "@"]
        var depth = 0
        var inBlockComment = false
        var sawDeclaration = false
        for line in lines {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if depth == 0 && !inBlockComment && !trimmed.isEmpty && !trimmed.hasPrefix("//") && !trimmed.hasPrefix("/*")
                && !trimmed.hasPrefix("}") {
                guard starters.contains(where: { trimmed.hasPrefix($0) }), !trimmed.hasPrefix("@_") else { return false }
                sawDeclaration = true
            }
            // Braces outside strings and comments; a multi-line string (""") keeps the exercise in main.swift.
            if trimmed.contains("\"\"\"") || trimmed.contains("#\"") { return false }
            var inString = false
            var previous: Character = " "
            var escaped = false
            for character in line {
                if inBlockComment {
                    if previous == "*" && character == "/" { inBlockComment = false; previous = " "; continue }
                } else if inString {
                    if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
                } else if character == "\"" {
                    inString = true
                } else if previous == "/" && character == "/" {
                    break
                } else if previous == "/" && character == "*" {
                    inBlockComment = true
                } else if character == "{" {
                    depth += 1
                } else if character == "}" {
                    depth -= 1
                }
                previous = character
            }
            if depth < 0 || inString { return false }
        }
        return depth == 0 && !inBlockComment && sawDeclaration
    }

}
