import ArgumentParser
import Foundation
import Tutor

extension TutorCommand {
    /// `tutor grade`: a class's submissions into a gradebook, feedback pages and a summary.
    struct Grade: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Grade SUBMISSIONS/<student>/<lesson>.md against the instructor's lessons (parallel, limited, resumable).")

        @Argument(help: "Folder with one folder per student holding their lesson files.", completion: .directory)
        var submissions: String

        @Option(help: "The instructor's lessons (file or folder; repeat for several).", completion: .file())
        var source: [String] = []

        @Option(help: "Folder for gradebook.csv, the feedback pages and summary.html.")
        var out: String

        @Option(help: "The release.json of the copy students got (default: derived from --source).")
        var manifest: String?

        @Option(help: "Submissions graded at once (default: the number of cores).")
        var jobs: Int?

        @Option(help: "Grade only part i of n of the class, e.g. 2/4 (students sorted by name, dealt round-robin).")
        var shard: String?

        @Flag(help: "Grade everything again, ignoring kept results.")
        var regrade = false

        @Option(help: "Wall-clock limit of one step, in seconds.")
        var stepTimeout: Double = 60

        @Option(help: "Wall-clock limit of one check, in seconds.")
        var testTimeout: Double = 20

        @Option(help: "Wall-clock limit of one submission (one lesson of one student, all reruns), in seconds.")
        var submissionTimeout: Double = 600

        @Option(help: "Memory limit of a submission's processes, in MiB.")
        var memory: Int = 4096

        @Option(help: "Largest file a submission's processes may write (its output included), in MiB.")
        var outputLimit: Int = 512

        func validate() throws {
            try CLIError.exitingOnError {
                if source.isEmpty { throw CLIError.invalid(argument: "--source", "give the instructor's lessons (a file or a folder)") }
                if let jobs, jobs < 1 { throw CLIError.invalid(argument: "--jobs", "must be at least 1, got \(jobs)") }
                if let shard { _ = try parseShard(shard) }
                for (name, value) in [("--step-timeout", stepTimeout), ("--test-timeout", testTimeout), ("--submission-timeout", submissionTimeout)]
                where !(value > 0) {
                    throw CLIError.invalid(argument: name, "must be a positive number of seconds, got \(value)")
                }
                if memory < 64 { throw CLIError.invalid(argument: "--memory", "must be at least 64 MiB, got \(memory)") }
                if outputLimit < 16 { throw CLIError.invalid(argument: "--output-limit", "must be at least 16 MiB, got \(outputLimit)") }
            }
        }

        func run() throws {
            try CLIError.exitingOnError {
                var request = GradeRequest(submissions: submissions, sources: source, out: URL(fileURLWithPath: out, isDirectory: true))
                request.manifest = manifest
                if let jobs { request.jobs = jobs }
                if let shard { request.shard = try parseShard(shard) }
                request.regrade = regrade
                request.limits.stepTimeout = stepTimeout
                request.limits.testTimeout = testTimeout
                request.limits.submissionTimeout = submissionTimeout
                request.limits.memoryMB = memory
                request.limits.outputMB = outputLimit
                let report = try Grader.grade(request)
                for missing in report.sandbox.notInForce { CLIError.warn("limit not in force: \(missing)") }
                let looks = report.grades.filter { $0.exercises.contains { $0.status.needsALook } || !$0.changes.isEmpty }.count
                print("graded \(report.graded) submission\(report.graded == 1 ? "" : "s"), kept \(report.reused) earlier result\(report.reused == 1 ? "" : "s"); "
                    + "\(looks) need a look → \(out)/gradebook.csv, \(out)/summary.html")
            }
        }

        private func parseShard(_ text: String) throws -> Shard {
            do { return try Shard(parsing: text) } catch {
                throw CLIError.invalid(argument: "--shard", "expected i/n with 1 ≤ i ≤ n (e.g. 2/4), got '\(text)'")
            }
        }
    }

    /// `tutor grade-worker JOB RESULT`: grades one submission; started by `tutor grade` inside its limits.
    struct GradeWorker: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "grade-worker", shouldDisplay: false)

        @Argument var job: String
        @Argument var result: String

        func run() throws {
            try CLIError.exitingOnError { try Tutor.gradeWorkerMain(job: job, result: result) }
        }
    }
}
