import Foundation

/// How one exercise of one submission came out (the gradebook's `status` column).
public enum GradeStatus: String, Sendable, Codable, CaseIterable {
    case passed, failed, todo
    case compileError = "compile-error"
    case crashed, timeout, memory, missing, tampered

    /// Statuses that an instructor should look at in the summary.
    public var needsALook: Bool { [.crashed, .timeout, .memory, .tampered].contains(self) }
}

/// One check of an exercise as a grade records it; hidden checks keep only their name and outcome.
public struct GradedTest: Sendable, Codable, Equatable {
    public var name: String
    /// passed, failed, crashed, timed-out, not-run.
    public var status: String
    /// The failure message (never kept for hidden checks).
    public var message: String?
    public var points: Int
    public var hidden: Bool
}

/// One exercise of one submission.
public struct ExerciseGrade: Sendable, Codable, Equatable {
    public var id: String
    public var points: Int
    public var possible: Int
    public var status: GradeStatus
    /// Why, in one line (empty when passed without remarks).
    public var note: String
    /// The code the student handed in for it (nil when missing).
    public var code: [String]?
    public var tests: [GradedTest]

    /// An exercise's grade.
    public init(id: String, points: Int, possible: Int, status: GradeStatus, note: String, code: [String]?, tests: [GradedTest]) {
        self.id = id
        self.points = points
        self.possible = possible
        self.status = status
        self.note = note
        self.code = code
        self.tests = tests
    }
}

/// One lesson of one student, graded.
public struct LessonGrade: Sendable, Codable {
    public var student: String
    public var lesson: String
    /// The cache key: submission bytes, source text, limits and grader version.
    public var key: String
    public var exercises: [ExerciseGrade]
    /// Edits to blocks the student must not change; they were ignored.
    public var changes: [String]
    /// Every step of the graded program, with its output.
    public var steps: [StepResult]
    /// Images the steps showed, base64 PNG by file name.
    public var images: [String: String]
    /// The limits in force while grading, in words.
    public var limits: [String]
    /// Problems of the grading run itself (not of one exercise).
    public var problems: [String]

    /// A lesson's grade.
    public init(student: String, lesson: String, key: String, exercises: [ExerciseGrade], changes: [String], steps: [StepResult],
                images: [String: String], limits: [String], problems: [String]) {
        self.student = student
        self.lesson = lesson
        self.key = key
        self.exercises = exercises
        self.changes = changes
        self.steps = steps
        self.images = images
        self.limits = limits
        self.problems = problems
    }

    public var points: Int { exercises.reduce(0) { $0 + $1.points } }
    public var possible: Int { exercises.reduce(0) { $0 + $1.possible } }
}

/// What `tutor grade-worker` returns for one graded program.
struct WorkerOutcome: Codable {
    var exercises: [ExerciseGrade]
    var steps: [StepResult]
    var images: [String: String]
    var problems: [String]
}

/// What `tutor grade` hands a worker: the instructor's lesson and the student's exercise code.
struct WorkerJob: Codable {
    /// The lesson id; the program names `<lesson>.md` in its messages.
    var lesson: String
    /// The instructor's lesson text (normalised line endings).
    var sourceText: String
    /// The student's code by exercise id; exercises without an entry run in their `TODO()` form.
    var code: [String: [String]]
    /// Exercises already decided (missing, tampered): they run as `TODO()` and keep this status.
    var decided: [String: DecidedExercise]
    var limits: GradeLimits
}

/// An exercise whose status is known before anything runs.
struct DecidedExercise: Codable, Equatable, Sendable {
    var status: GradeStatus
    var note: String
}

/// Wall-clock and resource limits of a grading run.
public struct GradeLimits: Sendable, Codable, Equatable {
    /// Per step, seconds (a block's own `timeout=` overrides it).
    public var stepTimeout: Double = 60
    /// Per test, seconds.
    public var testTimeout: Double = 20
    /// Per submission (one lesson of one student, all reruns included), seconds.
    public var submissionTimeout: Double = 600
    /// Memory of the submission's processes, MiB.
    public var memoryMB: Int = 4096
    /// Largest file (output, program) a submission's processes may write, MiB.
    public var outputMB: Int = 512

    public init() {}

    var key: String { "\(stepTimeout)/\(testTimeout)/\(submissionTimeout)/\(memoryMB)/\(outputMB)" }
}
