import Foundation

/// The one place grading touches the runner: how a spliced lesson is checked (today's `CheckRunner`) and how a
/// worker process is started and contained. When the runner's API changes, only this file follows.
enum GradeRunnerAdapter {
    /// Checks a spliced lesson with every test, hidden ones included, under the grading limits (in-process; the
    /// worker calls this).
    static func check(_ lesson: Lesson, limits: GradeLimits, stopEarly: Bool) throws -> (run: LessonRunResult, checks: CheckResult) {
        var run = RunOptions()
        run.stopAtFirstFailure = stopEarly
        run.stepTimeout = limits.stepTimeout
        run.lessonTimeout = limits.submissionTimeout
        run.useCache = false   // a result another submission left in the cache must never count for this one
        var options = CheckOptions()
        options.withHidden = true
        options.timeout = limits.submissionTimeout
        options.testTimeout = limits.testTimeout
        options.skipExerciseAfterCrash = true
        return try CheckRunner(runner: LessonRunner(options: run), options: options).check(lesson)
    }

    /// How a worker process ended.
    enum WorkerEnd {
        case finished(WorkerOutcome)
        case failed(String)
    }

    /// Runs `tutor grade-worker` on `job` in `folder` (fresh, the worker's working directory) behind the sandbox's
    /// wrapper, killing its whole process group after `wallLimit` seconds.
    static func runWorker(_ job: WorkerJob, in folder: URL, sandbox: GradeSandbox, wallLimit: Double) -> WorkerEnd {
        let jobURL = folder.appendingPathComponent("job.json")
        let resultURL = folder.appendingPathComponent("result.json")
        do { try JSONEncoder().encode(job).write(to: jobURL) } catch { return .failed("cannot write the job: \(error)") }
        let command = sandbox.command(["/usr/bin/env", "-C", folder.path, GradeSandbox.tutorExecutable, "grade-worker",
                                       jobURL.path, resultURL.path], folder: folder)
        defer { sandbox.cleanUp(folder: folder) }
        let deadline = Date().addingTimeInterval(wallLimit)
        let process = Subprocess(executable: command[0], arguments: Array(command.dropFirst()),
                                 environment: sandbox.environment(home: folder),
                                 stdoutPath: folder.appendingPathComponent("worker.out").path,
                                 stderrPath: folder.appendingPathComponent("worker.err").path,
                                 contained: !sandbox.buildsRoot)   // the private root's own PID namespace contains it
        let termination: Termination
        do { termination = try process.run(shouldKill: { Date() > deadline }) } catch { return .failed("cannot start the worker: \(error)") }
        if termination == .killed {
            return .failed("timeout: the submission ran longer than \(formatSeconds(wallLimit)) in all (--submission-timeout)")
        }
        guard let data = FileManager.default.contents(atPath: resultURL.path),
              let outcome = try? JSONDecoder().decode(WorkerOutcome.self, from: data) else {
            let log = (try? String(contentsOf: folder.appendingPathComponent("worker.err"), encoding: .utf8)) ?? ""
            let tail = log.split(separator: "\n").suffix(3).joined(separator: " / ")
            return .failed("the grading worker stopped (\(termination))" + (tail.isEmpty ? "" : ": \(tail)"))
        }
        return .finished(outcome)
    }

    /// The worker side: reads a job, grades it, writes the outcome.
    static func workerMain(job jobPath: String, result resultPath: String) throws {
        guard let data = FileManager.default.contents(atPath: jobPath) else {
            throw TutorError.io(path: jobPath, reason: "cannot read the grading job")
        }
        // The job holds the instructor's lesson (hidden tests, reference solutions): gone before student code runs,
        // and this process's memory (which keeps it) closed to the student's programs.
        try? FileManager.default.removeItem(atPath: jobPath)
        GradeSandbox.forbidInspection()
        let job = try JSONDecoder().decode(WorkerJob.self, from: data)
        let outcome = try GradeProgram(job: job, check: { try check($0, limits: $1, stopEarly: $2) }).grade()
        try JSONEncoder().encode(outcome).write(to: URL(fileURLWithPath: resultPath))
    }
}

/// Entry point of `tutor grade-worker`: grades one job file and writes the outcome.
public func gradeWorkerMain(job: String, result: String) throws {
    try GradeRunnerAdapter.workerMain(job: job, result: result)
}
