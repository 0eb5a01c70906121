import Foundation

/// A `@Test` a test block declares, as read from its source (so every test compiled in is accounted for, even
/// when the program never reports it).
struct DeclaredTest: Equatable {
    var name: String
    /// Markdown line of the `@Test` attribute.
    var line: Int
}

/// What a check run sets out to do, decided before anything is built: which test blocks count, which of them
/// cannot run and why, and which steps form the learner's program.
struct CheckPlan {
    /// Every test block that counts for this run (hidden ones only with `--with-hidden`), in lesson order.
    var tests: [Step]
    /// The tests each block declares, by block index.
    var declared: [Int: [DeclaredTest]]
    /// Blocks that will not run, by block index, and why.
    var blocked: [Int: String] = [:]
    /// Steps of the learner's program that go into the check program.
    var included: Set<Int>
    /// Included steps that ran to their end in the lesson run (a stop in the check program is then a crash).
    var ranInRun: Set<Int> = []
    /// Lesson-level problems found while planning (a screened exercise, a build error outside the exercises).
    var errors: [String] = []
    var buildError = false
    /// A step trapped or hung in the lesson run: the verdict is a crash even when every check passes.
    var crashed = false

    /// Blocks still to run.
    var active: [Step] { tests.filter { blocked[$0.index] == nil } }

    /// The test blocks that count, with their declared tests (before the lesson runs).
    static func tests(of lesson: Lesson, withHidden: Bool) -> [Step] {
        lesson.steps.filter {
            if case .test(_, _, let hidden) = $0.role { return withHidden || !hidden }
            return false
        }
    }

    /// Plans the checks of `lesson` after its run: blocks of unfinished, broken or refused exercises do not run.
    static func make(lesson: Lesson, tests: [Step], run: LessonRunResult, refused: [String: ScreenFinding]) -> CheckPlan {
        let statuses = Dictionary(uniqueKeysWithValues: run.steps.map { ($0.index, $0) })
        var plan = CheckPlan(tests: tests, declared: Dictionary(uniqueKeysWithValues: tests.map { ($0.index, declaredTests(in: $0)) }),
                             included: [])
        if run.steps.contains(where: { $0.status == .compileError && lesson.step($0.index)?.exerciseID == nil }) {
            plan.buildError = true
            plan.errors.append("the lesson has compile errors outside the exercises")
        }
        plan.crashed = run.steps.contains { $0.status == .trapped || $0.status == .timedOut }
        // The learner's program: steps that ran (their exercise code, never the reference) and every exercise that
        // compiled. Steps that only ran on a reference solution would stop the learner's program: they stay out.
        for step in LessonRunner.programSteps(lesson) {
            guard let result = statuses[step.index] else { continue }
            let keep = step.exerciseID != nil
                ? result.status != .compileError && result.status != .tampered && refused[step.exerciseID!] == nil
                : (result.status == .ok || result.status == .compiledOnly) && result.reliesOnReferenceOf == nil
            if keep { plan.included.insert(step.index) }
            // A step that ran only while a reference stood in may stop the learner's program (it calls their unfinished
            // exercise): that is the exercise's failure, already reported, so it leaves the check program quietly.
            if keep && (result.status == .ok || result.status == .compiledOnly) && result.ranOnReference != true {
                plan.ranInRun.insert(step.index)
            }
        }
        for (id, finding) in refused.sorted(by: { $0.value.line < $1.value.line }) {
            plan.errors.append("\(lesson.path):\(finding.line): error: exercise `\(id)`: \(finding.message)")
            plan.buildError = true
        }
        let exerciseStatus = Dictionary(uniqueKeysWithValues: lesson.exercises.compactMap { step in
            statuses[step.index].map { (step.exerciseID!, $0.status) }
        })
        for test in tests {
            guard case .test(let id, _, _) = test.role else { continue }
            if let finding = refused[id] {
                plan.blocked[test.index] = "not run: exercise `\(id)` was refused (line \(finding.line): \(finding.message))"
                continue
            }
            switch exerciseStatus[id] {
            case .todo?: plan.blocked[test.index] = "not run: exercise `\(id)` is not done (TODO)"
            case .compileError?:
                plan.blocked[test.index] = "not run: exercise `\(id)` does not compile"
                plan.buildError = true
            case .tampered?: plan.blocked[test.index] = "tampered: exercise `\(id)` tampered with the runner's events"
            default: break
            }
        }
        return plan
    }

    /// `@Test` functions named in a test block, with their Markdown lines.
    static func declaredTests(in step: Step) -> [DeclaredTest] {
        var names: [DeclaredTest] = []
        for (i, line) in step.lines.enumerated() {
            guard let at = line.range(of: "@Test") else { continue }
            if let comment = line.range(of: "//"), comment.lowerBound < at.lowerBound { continue }
            let rest = step.lines[i...].joined(separator: " ")
            if let displayStart = line.range(of: "@Test(\""), let end = line[displayStart.upperBound...].firstIndex(of: "\"") {
                names.append(DeclaredTest(name: String(line[displayStart.upperBound..<end]), line: step.markdownLine(i)))
            } else if let funcRange = rest.range(of: "func ") {
                let name = rest[funcRange.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                names.append(DeclaredTest(name: name + "()", line: step.markdownLine(i)))
            }
        }
        return names
    }
}
