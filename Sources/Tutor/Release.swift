import Foundation

/// `tutor release`'s record of what was handed out, written as `DIR/release.json`. It holds nothing the student
/// copy does not already show: hidden tests and their points stay out (only the public points are listed).
public struct ReleaseManifest: Sendable, Codable, Equatable {
    public struct Exercise: Sendable, Codable, Equatable {
        public var id: String
        /// Markdown line of the exercise's fence in the released file.
        public var line: Int
        /// Points of the public tests that ship with the copy.
        public var publicPoints: Int
    }

    public struct Lesson: Sendable, Codable, Equatable {
        /// The lesson id: the file name without `.md` (submissions are matched by it).
        public var id: String
        public var file: String
        public var title: String
        /// SHA-256 of the released Markdown.
        public var sha256: String
        public var exercises: [Exercise]
        /// Every block the learner must not edit (steps, setup, public tests), in order.
        public var locked: [LockedBlock]
    }

    public var format = "saliency-tutor-release/1"
    public var lessons: [Lesson]
    /// Other files copied along (paths relative to the release folder).
    public var files: [String]

    /// The manifest's file name inside a release folder.
    public static let fileName = "release.json"

    /// Reads a manifest.
    public static func read(_ url: URL) throws -> ReleaseManifest {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TutorError.io(path: url.path, reason: "cannot read the release manifest")
        }
        do { return try JSONDecoder().decode(ReleaseManifest.self, from: data) } catch {
            throw TutorError.io(path: url.path, reason: "not a release manifest (\(error))")
        }
    }
}

/// Builds a student copy of lessons: `tutor release SOURCE… --out DIR`.
public enum Release {
    /// Releases the lessons named by `sources` (files or folders) into `out` and returns the manifest it wrote.
    public static func make(sources: [String], into out: URL) throws -> ReleaseManifest {
        let files = try LessonFrontend.lessonFiles(sources)
        guard !files.isEmpty else { throw TutorError.io(path: sources.joined(separator: " "), reason: "no lessons (*.md) to release") }
        let outPath = out.standardizedFileURL.path
        for source in sources {
            let folder = URL(fileURLWithPath: source).standardizedFileURL.path
            if outPath == folder || outPath.hasPrefix(folder + "/") || isDirectory(source) == false && outPath == URL(fileURLWithPath: source).deletingLastPathComponent().standardizedFileURL.path {
                throw TutorError.io(path: out.path, reason: "the release folder must not be a lesson folder or lie inside one (\(source))")
            }
        }
        var lessons: [ReleaseManifest.Lesson] = []
        var seen: [String: String] = [:]
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        for file in files {
            let lesson = try parseNormalized(file)
            if let other = seen[lesson.name] {
                throw TutorError.io(path: file, reason: "two lessons named `\(lesson.name)` (also \(other)); lesson ids must be unique")
            }
            seen[lesson.name] = file
            let text = StudentForm.releasedText(of: lesson) + "\n"
            let released = try LessonParser.parse(text: text, path: lesson.name + ".md")
            try verify(released, from: file)
            let target = out.appendingPathComponent(lesson.name + ".md")
            try write(text, to: target)
            lessons.append(entry(for: released, text: text))
        }
        let copied = try CompanionFiles.copy(sources: sources, lessonFiles: files, into: out)
        let manifest = ReleaseManifest(lessons: lessons, files: copied)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try write(String(decoding: try encoder.encode(manifest), as: UTF8.self) + "\n", to: out.appendingPathComponent(ReleaseManifest.fileName))
        return manifest
    }

    /// Parses a lesson file with CRLF line endings and a byte-order mark normalised away.
    static func parseNormalized(_ file: String) throws -> Lesson {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw TutorError.io(path: file, reason: "cannot read the lesson")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TutorError.io(path: file, reason: "the lesson is not UTF-8 text")
        }
        return try LessonParser.parse(text: StudentForm.normalized(text), path: file)
    }

    /// The released copy must hold no solution region and no hidden test.
    private static func verify(_ released: Lesson, from file: String) throws {
        if let step = released.steps.first(where: { !$0.solutionRegions.isEmpty }) {
            throw TutorError.io(path: file, reason: "internal error: a solution region survived the release (line \(step.fenceLine))")
        }
        if released.steps.contains(where: { if case .test(_, _, true) = $0.role { true } else { false } }) {
            throw TutorError.io(path: file, reason: "internal error: a hidden test survived the release")
        }
    }

    private static func entry(for released: Lesson, text: String) -> ReleaseManifest.Lesson {
        let exercises = released.exercises.map { step -> ReleaseManifest.Exercise in
            let id = step.exerciseID!
            let points = released.steps.reduce(0) { sum, test in
                guard case .test(let target, let points, _) = test.role, target == id else { return sum }
                return sum + points * max(1, test.lines.filter { $0.contains("@Test") }.count)
            }
            return ReleaseManifest.Exercise(id: id, line: step.fenceLine, publicPoints: points)
        }
        return ReleaseManifest.Lesson(id: released.name, file: released.name + ".md", title: released.title,
                                      sha256: SHA256.hex(text), exercises: exercises, locked: LockedBlock.blocks(of: text))
    }

    private static func isDirectory(_ path: String) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
    }

    static func write(_ text: String, to url: URL) throws {
        do { try text.write(to: url, atomically: true, encoding: .utf8) } catch {
            throw TutorError.io(path: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}

/// The files lessons use besides themselves: everything in a lesson folder (images, licences) and, for single
/// lesson files, the local targets of their Markdown links and images.
enum CompanionFiles {
    /// Copies them into `out`; returns their paths relative to `out`, sorted.
    static func copy(sources: [String], lessonFiles: [String], into out: URL) throws -> [String] {
        var planned: [String: URL] = [:]   // relative path in out → source file
        for source in sources {
            var flag: ObjCBool = false
            guard FileManager.default.fileExists(atPath: source, isDirectory: &flag) else { continue }
            if flag.boolValue {
                let root = URL(fileURLWithPath: source).standardizedFileURL
                let lessons = Set(lessonFiles.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
                for relative in regularFiles(under: root) where !lessons.contains(root.appendingPathComponent(relative).path) {
                    planned[relative] = root.appendingPathComponent(relative)
                }
            } else {
                let folder = URL(fileURLWithPath: source).deletingLastPathComponent().standardizedFileURL
                let text = (try? String(contentsOfFile: source, encoding: .utf8)) ?? ""
                for target in linkTargets(in: text) {
                    let url = folder.appendingPathComponent(target).standardizedFileURL
                    guard url.path.hasPrefix(folder.path + "/"), isRegularFile(url) else { continue }
                    planned[String(url.path.dropFirst(folder.path.count + 1))] = url
                }
            }
        }
        for (relative, source) in planned {
            let target = out.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? FileManager.default.removeItem(at: target)
            do { try FileManager.default.copyItem(at: source, to: target) } catch {
                throw TutorError.io(path: source.path, reason: "cannot copy into the release: \(error.localizedDescription)")
            }
        }
        return planned.keys.sorted()
    }

    /// Regular files below `root` (relative paths), skipping dot files and symbolic links.
    static func regularFiles(under root: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey, .isSymbolicLinkKey],
                                                              options: [.skipsHiddenFiles]) else { return [] }
        var result: [String] = []
        for case let url as URL in enumerator {
            let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .isSymbolicLinkKey])
            guard values?.isRegularFile == true, values?.isSymbolicLink != true else { continue }
            let path = url.standardizedFileURL.path
            if path.hasPrefix(root.path + "/") { result.append(String(path.dropFirst(root.path.count + 1))) }
        }
        return result.sorted()
    }

    /// Relative targets of `[text](target)` and `![alt](target)` links.
    static func linkTargets(in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: #"\]\(([^)\s]+)(?:\s+"[^"]*")?\)"#) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).compactMap { match in
            guard let r = Range(match.range(at: 1), in: text) else { return nil }
            let target = String(text[r]).split(separator: "#").first.map(String.init) ?? ""
            if target.isEmpty || target.contains(":") || target.hasPrefix("/") { return nil }
            return target.removingPercentEncoding ?? target
        }
    }

    private static func isRegularFile(_ url: URL) -> Bool {
        (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true
    }
}
