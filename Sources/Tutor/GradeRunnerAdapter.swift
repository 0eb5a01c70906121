import Foundation

/// The one place grading touches the runner: how a spliced lesson is checked (today's `CheckRunner`) and how a
/// worker process is started and contained. When the runner's API changes, only this file follows.
enum GradeRunnerAdapter {
    /// Checks a spliced lesson with every test, hidden ones included, under the grading limits (in-process; the
    /// worker calls this).
    static func check(_ lesson: Lesson, limits: GradeLimits) throws -> (run: LessonRunResult, checks: CheckResult) {
        var run = RunOptions()
        run.stepTimeout = limits.stepTimeout
        run.lessonTimeout = limits.submissionTimeout
        run.useCache = false   // a result another submission left in the cache must never count for this one
        var options = CheckOptions()
        options.withHidden = true
        options.timeout = limits.submissionTimeout
        options.testTimeout = limits.testTimeout
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
        let tutor = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let command = sandbox.wrapper + ["/usr/bin/env", "-C", folder.path, tutor, "grade-worker", jobURL.path, resultURL.path]
        let deadline = Date().addingTimeInterval(wallLimit)
        let process = Subprocess(executable: command[0], arguments: Array(command.dropFirst()),
                                 environment: sandbox.environment(home: folder),
                                 stdoutPath: folder.appendingPathComponent("worker.out").path,
                                 stderrPath: folder.appendingPathComponent("worker.err").path)
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
        // The job holds the instructor's lesson (hidden tests, reference solutions): gone before student code runs.
        try? FileManager.default.removeItem(atPath: jobPath)
        let job = try JSONDecoder().decode(WorkerJob.self, from: data)
        let outcome = try GradeProgram(job: job, check: check).grade()
        try JSONEncoder().encode(outcome).write(to: URL(fileURLWithPath: resultPath))
    }
}

/// The limits a worker runs under, and which of them this machine can enforce.
public struct GradeSandbox: Sendable {
    /// Command prefix that applies the limits (`unshare -n`, `prlimit …`).
    var wrapper: [String]
    /// The limits in force, in words (shown in every feedback page).
    public var inForce: [String]
    /// Limits asked for that this machine cannot apply.
    public var notInForce: [String]

    /// Finds out what works here: a new network namespace (`unshare -n`) and rlimits (`prlimit`).
    public static func detect(_ limits: GradeLimits) -> GradeSandbox {
        var wrapper: [String] = []
        var inForce = [
            "wall clock: \(formatSeconds(limits.stepTimeout)) per step, \(formatSeconds(limits.testTimeout)) per check, "
                + "\(formatSeconds(limits.submissionTimeout)) per submission",
            "a fresh temporary folder per submission, removed afterwards",
            "every process of the submission killed at the end (process group)",
        ]
        var notInForce: [String] = []
        if let unshare = BuildEnvironment.findExecutable("unshare"), works([unshare, "-n", "/bin/true"]) {
            wrapper += [unshare, "-n"]
            inForce.append("no network (a new, empty network namespace)")
        } else {
            notInForce.append("no network: `unshare -n` does not work here (needs root or user namespaces)")
        }
        if let prlimit = BuildEnvironment.findExecutable("prlimit"), works([prlimit, "--data=1073741824", "--", "/bin/true"]) {
            wrapper += [prlimit, "--data=\(limits.memoryMB * 1_048_576)", "--fsize=\(limits.outputMB * 1_048_576)", "--core=0", "--"]
            inForce.append("memory: \(limits.memoryMB) MiB of data per process (RLIMIT_DATA)")
            inForce.append("files and output: at most \(limits.outputMB) MiB each (RLIMIT_FSIZE); feedback shows the first 20,000 characters of each step's output")
        } else {
            notInForce.append("memory and output limits: `prlimit` (util-linux) is missing")
        }
        return GradeSandbox(wrapper: wrapper, inForce: inForce, notInForce: notInForce)
    }

    /// The worker's environment: the grader's, minus anything that names other folders to write to.
    func environment(home: URL) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home.path
        environment["TMPDIR"] = home.path
        return environment
    }

    private static func works(_ command: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}

/// Entry point of `tutor grade-worker`: grades one job file and writes the outcome.
public func gradeWorkerMain(job: String, result: String) throws {
    try GradeRunnerAdapter.workerMain(job: job, result: result)
}
