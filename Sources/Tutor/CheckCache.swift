import Foundation

/// Remembers the checks' result beside the lesson run it belongs to, so `tutor check` of an unchanged lesson with
/// unchanged libraries answers without building or running anything.
///
/// The result lives in the run's cache folder (keyed by the command, the lesson, every input file the runner
/// fingerprints, the options, the libraries and the compiler): when any of them changes, the run misses, its folder
/// is replaced, and the checks' result goes with it. The check options (hidden tests, limits) name the file.
struct CheckCache {
    var runner: LessonRunner
    var options: CheckOptions

    var command: String { options.withHidden ? "check-hidden" : "check" }

    private var fileName: String {
        var hasher = StableHasher()
        hasher.combine("checks-v1")
        hasher.combine(options.withHidden ? "hidden" : "visible")
        hasher.combine("\(options.timeout)/\(options.testTimeout)")
        return "checks-\(hasher.hexDigest).json"
    }

    /// The folder of the lesson's cached run for this command, when the lesson can be cached at all.
    private func folder(_ lesson: Lesson) -> URL? {
        runner.cacheKey(lesson, salt: "run:" + command).map { runner.cacheRoot.appendingPathComponent($0) }
    }

    /// The cached run and checks, when both are there for the lesson as it is now.
    func load(_ lesson: Lesson) -> (run: LessonRunResult, checks: CheckResult)? {
        guard runner.options.useCache, let folder = folder(lesson),
              let data = SafeFiles.readRegularFile(in: folder, name: fileName),
              var checks = try? JSONDecoder().decode(CheckResult.self, from: data),
              checks.lesson == lesson.path,
              let run = runner.cachedResult(in: folder) else { return nil }
        checks.cached = true
        return (run, checks)
    }

    /// Keeps `checks` beside the cached run (only when the run is in the cache: then they answer together), and
    /// adds the files the check program read to the run's trace.
    func store(_ lesson: Lesson, _ checks: CheckResult, reads: Set<String>) {
        guard runner.options.useCache, let folder = folder(lesson),
              SafeFiles.readRegularFile(in: folder, name: "result.json") != nil,
              let data = try? JSONEncoder().encode(checks) else { return }
        ReadTrace(paths: reads, runnerFolder: runner.runnerFolder).merge(into: folder)
        try? data.write(to: folder.appendingPathComponent(fileName), options: .atomic)
    }
}

extension CheckCache {
    private func reportName(studentForm: Bool) -> String {
        fileName.replacingOccurrences(of: ".json", with: studentForm ? "-student.html" : ".html")
    }

    /// Writes the lesson's report into `directory`. A cached result's report is copied from the cache (rendering
    /// embeds every image again, which is most of an unchanged check's time); a fresh one is rendered and kept.
    func writeReport(_ lesson: Lesson, run: LessonRunResult, checks: CheckResult, studentForm: Bool, to directory: URL) throws -> URL {
        let folder = self.folder(lesson)
        let name = reportName(studentForm: studentForm)
        if checks.cached == true, let folder, let html = SafeFiles.readRegularFile(in: folder, name: name) {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let url = directory.appendingPathComponent("\(lesson.name).html")
            do { try html.write(to: url, options: .atomic) } catch {
                throw TutorError.io(path: url.path, reason: "cannot write the report: \(error.localizedDescription)")
            }
            return url
        }
        let url = try HTMLReport(lesson: lesson, run: run, checks: checks, studentForm: studentForm).write(to: directory)
        if runner.options.useCache, let folder, SafeFiles.readRegularFile(in: folder, name: fileName) != nil {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
            try? FileManager.default.copyItem(at: url, to: folder.appendingPathComponent(name))
        }
        return url
    }
}
