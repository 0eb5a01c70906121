import Foundation

/// What `tutor grade` was asked to do.
public struct GradeRequest: Sendable {
    /// `SUBMISSIONS/<student>/<lesson>.md`.
    public var submissions: String
    /// The instructor's lessons (files or folders).
    public var sources: [String]
    public var out: URL
    /// A release manifest: the locked blocks the students were given.
    public var manifest: String?
    public var jobs = max(1, ProcessInfo.processInfo.activeProcessorCount)
    public var shard = Shard(index: 1, count: 1)
    public var regrade = false
    public var limits = GradeLimits()
    /// Progress on stderr (a live bar on a terminal).
    public var progress = true

    public init(submissions: String, sources: [String], out: URL) {
        self.submissions = submissions
        self.sources = sources
        self.out = out
    }
}

/// `--shard i/n`: the i-th (1-based) of n disjoint parts of the class (students sorted by name, dealt round-robin).
public struct Shard: Sendable, Equatable {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses `i/n` with 1 ≤ i ≤ n.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(i) else {
            throw TutorError.io(path: "--shard", reason: "expected i/n with 1 ≤ i ≤ n (e.g. 2/4), got `\(text)`")
        }
        self.init(index: i, count: n)
    }

    /// The students of this shard.
    func select(_ students: [String]) -> [String] {
        students.enumerated().filter { $0.offset % count == index - 1 }.map(\.element)
    }
}

/// What a grading run did.
public struct GradeReport: Sendable {
    public var grades: [LessonGrade]
    /// Submissions graded now, and those whose earlier result still held.
    public var graded: Int
    public var reused: Int
    public var sandbox: GradeSandbox
}

/// `tutor grade`: every student's lessons, in parallel, into a gradebook, feedback pages and a summary.
public enum Grader {
    /// Bumped whenever grading changes what a result means, so old results are not reused.
    static let version = "grade-v2"

    public static func grade(_ request: GradeRequest) throws -> GradeReport {
        let sources = try sourceLessons(request.sources)
        let students = try GradeFolders.students(in: request.submissions)
        let mine = request.shard.select(students)
        let hidden = request.sources + [request.submissions, request.out.path] + (request.manifest.map { [$0] } ?? [])
        var detected = GradeSandbox.detect(request.limits, hiding: GradeSandbox.Hidden(paths: hidden))
        if detected.buildsRoot { detected.moduleCache = GradeModuleCache.prepare() }
        let sandbox = detected
        let store = GradeStore(root: request.out)
        try store.prepare()
        let manifest = try request.manifest.map { try ReleaseManifest.read(URL(fileURLWithPath: $0)) }
        if request.progress { FileHandle.standardError.write(Data("checking the source lessons with their reference solutions…\n".utf8)) }
        if sandbox.buildsRoot { LibraryNamesPrimer.prime(sources: sources, tasks: []) }
        try SourceCheck.verify(sources, store: store, sandbox: sandbox, limits: request.limits, regrade: request.regrade)

        var tasks: [GradeTask] = []
        var grades: [LessonGrade] = []
        var reused = 0
        for student in mine {
            for source in sources {
                let locked = manifest?.lessons.first { $0.id == source.name }?.locked
                    ?? LockedBlock.blocks(of: StudentForm.releasedText(of: source))
                let file = URL(fileURLWithPath: request.submissions).appendingPathComponent(student).appendingPathComponent(source.name + ".md")
                let (analysis, bytes) = SubmissionAnalysis.read(file, source: source, locked: locked)
                var hash = StableHasher()
                hash.combine(version)
                hash.combine(bytes.map { SHA256.hex([UInt8]($0)) } ?? "missing")
                hash.combine(SHA256.hex(source.text))
                hash.combine(request.limits.key)
                hash.combine(locked.map(\.sha256).joined(separator: ","))
                let key = hash.hexDigest
                if !request.regrade, let old = store.result(student: student, lesson: source.name), old.key == key {
                    grades.append(old)
                    reused += 1
                    continue
                }
                tasks.append(GradeTask(student: student, source: source, analysis: analysis, key: key))
            }
        }
        if sandbox.buildsRoot { LibraryNamesPrimer.prime(sources: sources, tasks: tasks) }
        let progress = GradeProgress(total: tasks.count, enabled: request.progress)
        progress.start()
        let fresh = GradePool.run(tasks, jobs: request.jobs) { task in
            let grade = task.run(limits: request.limits, sandbox: sandbox)
            try? store.save(grade)
            progress.finished(grade)
            return grade
        }
        progress.done()
        grades += fresh
        grades.sort { ($0.student, $0.lesson) < ($1.student, $1.lesson) }
        try store.writeOutputs(grades)
        return GradeReport(grades: grades, graded: fresh.count, reused: reused, sandbox: sandbox)
    }

    /// Parses the instructor's lessons; lesson ids must be unique.
    static func sourceLessons(_ arguments: [String]) throws -> [Lesson] {
        let files = try LessonFrontend.lessonFiles(arguments)
        guard !files.isEmpty else { throw TutorError.io(path: arguments.joined(separator: " "), reason: "no lessons (*.md) to grade against") }
        var seen = Set<String>()
        return try files.map { file in
            let parsed = try Release.parseNormalized(file)
            guard seen.insert(parsed.name).inserted else {
                throw TutorError.io(path: file, reason: "two source lessons named `\(parsed.name)`")
            }
            // Graded programs name the lesson by its id, wherever the instructor keeps it.
            return try LessonParser.parse(text: parsed.text, path: parsed.name + ".md")
        }
    }
}

/// One student's lesson, ready to grade.
struct GradeTask: Sendable {
    var student: String
    var source: Lesson
    var analysis: SubmissionAnalysis
    var key: String

    /// Grades it in a fresh folder through a contained worker process.
    func run(limits: GradeLimits, sandbox: GradeSandbox) -> LessonGrade {
        var grade = LessonGrade(student: student, lesson: source.name, key: key, exercises: [], changes: analysis.changes,
                                steps: [], images: [:], limits: sandbox.inForce + sandbox.notInForce.map { "not in force: " + $0 }, problems: [])
        let allDecided = source.exercises.allSatisfy { analysis.decided[$0.exerciseID!] != nil }
        if allDecided {
            grade.exercises = source.exercises.map { step in
                let decided = analysis.decided[step.exerciseID!]!
                return ExerciseGrade(id: step.exerciseID!, points: 0, possible: Self.possible(step, in: source), status: decided.status,
                                     note: decided.note, code: analysis.code[step.exerciseID!], tests: [])
            }
            return grade
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tutor-grade-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let job = WorkerJob(lesson: source.name, sourceText: source.text, code: analysis.code, decided: analysis.decided, limits: limits)
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            grade.problems.append("cannot create a work folder: \(error)")
        }
        switch GradeRunnerAdapter.runWorker(job, in: folder, sandbox: sandbox, wallLimit: limits.submissionTimeout + 60) {
        case .finished(let outcome):
            grade.exercises = outcome.exercises.map { exercise in
                var exercise = exercise
                if let changes = analysis.testChanges[exercise.id], !changes.isEmpty {
                    exercise.note += (exercise.note.isEmpty ? "" : "; ") + "tampered: " + changes.joined(separator: "; ")
                }
                return exercise
            }
            grade.steps = outcome.steps
            grade.images = outcome.images
            grade.problems += outcome.problems
        case .failed(let why):
            let status: GradeStatus = why.hasPrefix("timeout") ? .timeout : GradeProgram.looksLikeMemory(why) ? .memory : .crashed
            grade.problems.append(why)
            grade.exercises = source.exercises.map { step in
                let decided = analysis.decided[step.exerciseID!]
                return ExerciseGrade(id: step.exerciseID!, points: 0, possible: Self.possible(step, in: source),
                                     status: decided?.status ?? status, note: decided?.note ?? why,
                                     code: analysis.code[step.exerciseID!], tests: [])
            }
        }
        return grade
    }

    /// The points an exercise is worth: each `@Test` of its test blocks earns its block's points.
    static func possible(_ exercise: Step, in lesson: Lesson) -> Int {
        lesson.steps.reduce(0) { sum, test in
            guard case .test(let id, let points, _) = test.role, id == exercise.exerciseID else { return sum }
            return sum + points * max(1, test.lines.filter { $0.contains("@Test") }.count)
        }
    }
}

/// Submission folders: one per student.
enum GradeFolders {
    /// The student folders of SUBMISSIONS, sorted (dot folders and plain files are ignored).
    static func students(in submissions: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: submissions, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TutorError.io(path: submissions, reason: "no such submissions folder")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: submissions).filter { name in
            var flag: ObjCBool = false
            let path = URL(fileURLWithPath: submissions).appendingPathComponent(name).path
            return !name.hasPrefix(".") && FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
        }.sorted()
        guard !names.isEmpty else {
            throw TutorError.io(path: submissions, reason: "the submissions folder holds no student folders (expected SUBMISSIONS/<student>/<lesson>.md)")
        }
        return names
    }
}

/// Runs tasks on `jobs` threads; results come back in the tasks' order.
enum GradePool {
    static func run<T: Sendable, R: Sendable>(_ tasks: [T], jobs: Int, _ body: @escaping @Sendable (T) -> R) -> [R] {
        let state = PoolState<R>(count: tasks.count)
        let group = DispatchGroup()
        for _ in 0..<max(1, min(jobs, tasks.count)) {
            group.enter()
            let thread = Thread {
                while let index = state.take() { state.put(index, body(tasks[index])) }
                group.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
        return state.results()
    }
}

/// The pool's queue position and results, behind a lock.
private final class PoolState<R>: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var slots: [R?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func take() -> Int? {
        lock.withLock {
            guard next < slots.count else { return nil }
            defer { next += 1 }
            return next
        }
    }

    func put(_ index: Int, _ value: R) { lock.withLock { slots[index] = value } }

    func results() -> [R] { lock.withLock { slots.map { $0! } } }
}

/// Counts and an ETA on stderr; a live bar on a terminal, one line per submission otherwise.
final class GradeProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let total: Int
    private let enabled: Bool
    private let live = isatty(STDERR_FILENO) != 0
    private let started = Date()
    private var count = 0
    private var attention = 0

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled
    }

    /// Shows the empty bar (terminal only), so a long first submission does not look like a hang.
    func start() {
        guard enabled, live, total > 0 else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(String(repeating: "░", count: 24)) 0/\(total) graded · grading \(total) submission\(total == 1 ? "" : "s")".utf8))
    }

    func finished(_ grade: LessonGrade) {
        guard enabled else { return }
        lock.withLock {
            count += 1
            if grade.exercises.contains(where: { $0.status.needsALook }) || !grade.changes.isEmpty { attention += 1 }
            let elapsed = Date().timeIntervalSince(started)
            let eta = Double(total - count) * elapsed / Double(max(count, 1))
            let line = "\(grade.student)/\(grade.lesson): \(grade.points)/\(grade.possible)"
            if live {
                let width = 24
                let filled = total == 0 ? width : width * count / total
                let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
                FileHandle.standardError.write(Data("\r\u{1B}[K\(bar) \(count)/\(total) graded · \(attention) to look at · ETA \(Self.clock(eta)) · \(line)".utf8))
            } else {
                FileHandle.standardError.write(Data("[\(count)/\(total)] \(line)\n".utf8))
            }
        }
    }

    func done() {
        guard enabled, live, total > 0 else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// Sandboxed workers start with a private, empty runner cache, seeded with the answers of `LibraryNames` (which
/// top-level names the libraries declare). Asking the compiler here, once for every name the class's exercises
/// declare, spares each worker its own multi-second probe; what a worker learns later dies with it, so no
/// submission can write an answer another one reads.
enum LibraryNamesPrimer {
    static func prime(sources: [Lesson], tasks: [GradeTask]) {
        guard let runner = try? LessonRunner(options: RunOptions()) else { return }
        var names = Set<String>()
        func collect(_ lesson: Lesson) {
            let screen = ExerciseScreen(lesson: lesson)
            for step in lesson.exercises {
                for (name, _) in screen.topLevelNames(in: step, lines: step.lines) { names.insert(name) }
            }
        }
        sources.forEach(collect)
        for task in tasks {
            let text = GradeSplice.splice(task.source, code: task.analysis.code)
            if let lesson = try? LessonParser.parse(text: text, path: task.source.name + ".md") { collect(lesson) }
        }
        _ = try? LibraryNames(environment: runner.environment, cacheRoot: runner.cacheRoot).declared(names)
    }
}
