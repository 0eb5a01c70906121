import Foundation

/// The files a lesson's programs opened (CReadTrace), kept beside a cached result as each file's identity and
/// times: a cached answer counts only while every one of them is as it was, so a lesson that reads a file outside
/// its folder (which the cache key's folder fingerprint does not cover) never gets a stale answer.
struct ReadTrace: Codable, Equatable {
    /// Path → identity (`LessonInputs.identity`), "absent" for a file that could not be found.
    var files: [String: String]

    static let fileName = "reads.json"
    /// More files than this: the result is not reused (the trace would cost more than it saves).
    static let limit = 4000

    /// The trace of `paths`, leaving out what is the runner's own (its work and build folders) or not a file.
    init(paths: Set<String>, runnerFolder: URL) {
        let own = runnerFolder.resolvingSymlinksInPath().path + "/"
        var files: [String: String] = [:]
        for path in paths where !path.hasPrefix("/proc/") && !path.hasPrefix("/sys/") && !path.hasPrefix("/dev/")
            && !path.hasPrefix(own) && !path.contains("\u{0}") {
            let normalized = URL(fileURLWithPath: path).standardizedFileURL.path
            guard !normalized.hasPrefix(own) else { continue }
            files[normalized] = Self.identity(normalized)
        }
        self.files = files.count > Self.limit ? ["": "too many files"] : files
    }

    /// Size, inode, modification and change times of the file now, or "absent".
    static func identity(_ path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "absent" }
        return "\(info.st_size)/\(info.st_ino)/\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)/\(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)"
    }

    /// True when every traced file is as it was.
    var isCurrent: Bool {
        files.allSatisfy { path, identity in !path.isEmpty && Self.identity(path) == identity }
    }

    /// Adds the trace to the one kept in `folder` (a run's, then its checks').
    func merge(into folder: URL) {
        let url = folder.appendingPathComponent(Self.fileName)
        var merged = Self.load(from: folder) ?? ReadTrace(files: [:])
        merged.files.merge(files) { old, _ in old }
        try? JSONEncoder().encode(merged).write(to: url, options: .atomic)
    }

    static func load(from folder: URL) -> ReadTrace? {
        SafeFiles.readRegularFile(in: folder, name: fileName).flatMap { try? JSONDecoder().decode(ReadTrace.self, from: $0) }
    }

    private init(files: [String: String]) { self.files = files }
}

/// Collects the read traces of a run's programs.
final class ReadCollector {
    var paths = Set<String>()
}
