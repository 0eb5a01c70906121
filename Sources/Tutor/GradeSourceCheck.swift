import Foundation

/// Before grading anyone: the instructor's own lessons must pass every check with their reference solutions,
/// or every student would lose points for the instructor's mistake. The verdict is kept per source text.
enum SourceCheck {
    static func verify(_ sources: [Lesson], store: GradeStore, sandbox: GradeSandbox, limits: GradeLimits, regrade: Bool) throws {
        for source in sources {
            var hash = StableHasher()
            hash.combine(Grader.version)
            hash.combine(source.text)
            hash.combine(limits.key)
            let marker = store.internalFolder.appendingPathComponent("source-ok/\(source.name)-\(hash.hexDigest)")
            if !regrade && FileManager.default.fileExists(atPath: marker.path) { continue }
            let code = Dictionary(uniqueKeysWithValues: source.exercises.map { ($0.exerciseID!, $0.lines) })
            let task = WorkerJob(lesson: source.name, sourceText: source.text, code: code, decided: [:], limits: limits)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tutor-grade-source-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            switch GradeRunnerAdapter.runWorker(task, in: folder, sandbox: sandbox, wallLimit: limits.submissionTimeout + 60) {
            case .failed(let why):
                throw TutorError.setup("refusing to grade: the source lesson \(source.name) could not be checked: \(why)")
            case .finished(let outcome):
                if let problem = firstProblem(outcome) {
                    throw TutorError.setup("refusing to grade: the source lesson \(source.name) fails its own checks: \(problem)")
                }
            }
            try FileManager.default.createDirectory(at: marker.deletingLastPathComponent(), withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: marker.path, contents: Data())
        }
    }

    /// The first exercise or check of the reference run that did not pass, in words.
    static func firstProblem(_ outcome: WorkerOutcome) -> String? {
        for exercise in outcome.exercises where exercise.status != .passed {
            if let test = exercise.tests.first(where: { $0.status != "passed" }) {
                let kind = test.hidden ? "hidden check" : "check"
                return "exercise `\(exercise.id)`, \(kind) \"\(test.name)\": \(test.status)" + (test.message.map { " — \($0)" } ?? "")
            }
            return "exercise `\(exercise.id)`: \(exercise.status.rawValue) — \(exercise.note)"
        }
        if let step = outcome.steps.first(where: { !$0.status.isAsDeclared }) {
            return "the step at line \(step.line): \(step.status.rawValue)" + (step.message.map { " — \($0)" } ?? "")
        }
        return outcome.problems.first
    }
}
