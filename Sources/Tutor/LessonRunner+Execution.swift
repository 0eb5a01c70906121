import Foundation

// How a lesson runs: build the program, run it, and on each failure decide what the failing step (or the
// exercise it called) gets reported as, then leave it out or put its reference in, and go again.
extension LessonRunner {
    /// The steps that belong in the lesson program (tests and compile-fail steps are built separately).
    static func programSteps(_ lesson: Lesson) -> [Step] {
        lesson.steps.filter { !$0.isTest && $0.expectation != .compileFail }
    }

    func execute(_ lesson: Lesson, in work: URL, piggyback: PiggybackChecks? = nil, reads: ReadCollector? = nil) throws -> LessonRunResult {
        let started = Date()
        let deadline = started.addingTimeInterval(options.lessonTimeout)
        let references = try references(for: lesson)
        let generator = ProgramGenerator(lesson: lesson, codeOf: code(of:))
        let programSteps = Self.programSteps(lesson)
        let session = ProgramSession(lesson: lesson, environment: environment, generator: generator, workDirectory: work,
                                     included: Set(programSteps.map(\.index)))
        session.incrementalRoot = options.useCache ? cacheRoot : nil
        session.fastImages = piggyback != nil
        var results: [Int: StepResult] = [:]
        var provisional: [Int: StepResult] = [:]
        var warnings: [Int: [Diagnostic]] = [:]
        var attempt = 0
        var callers: [Int: String] = [:]   // step → exercise whose reference it needed

        func blank(_ step: Step, _ status: StepStatus, _ message: String?, line: Int? = nil) -> StepResult {
            StepResult(index: step.index, line: step.fenceLine, status: status, message: message, failureLine: line,
                       diagnostics: warnings[step.index] ?? [], output: [], stderr: "", seconds: 0, note: nil)
        }
        func exclude(_ index: Int) { session.included.remove(index) }

        // Exercises still at TODO() whose reference is at hand (the student form): report them and put the
        // reference in from the start, instead of discovering them one rerun at a time.
        for step in programSteps where step.exerciseID != nil {
            guard let reference = references[step.index],
                  let i = code(of: step).firstIndex(where: { Self.callsTODO($0) }) else { continue }
            let hint = Self.todoHint(code(of: step)[i]).map { ": \($0)" } ?? ""
            var result = blank(step, .todo, "TODO not done" + hint, line: step.markdownLine(i))
            result.note = "later steps ran on \(reference.origin)"
            results[step.index] = result
            session.replacements[step.index] = reference
        }

        // Exercise code that could move diagnostics or reach the runner's names is refused before it is built.
        let screen = ExerciseScreen(lesson: lesson)
        for step in programSteps where step.exerciseID != nil && results[step.index] == nil {
            guard let finding = screen.findings(in: step, lines: code(of: step)).first else { continue }
            results[step.index] = blank(step, .compileError, finding.message, line: finding.line)
            if let reference = references[step.index] {
                session.replacements[step.index] = reference
                results[step.index]?.note = "later steps ran on \(reference.origin)"
            } else {
                exclude(step.index)
            }
        }

        // `tutor check` can ride along on the first run: the learner's program with the checks compiled in.
        // Only a clean first run counts; otherwise the checks run on their own afterwards.
        var riding = piggyback != nil && session.replacements.isEmpty
        // With references standing in for unfinished exercises the checks can still come along, but only beside the
        // steps (`SideBySideChecks`): the checks of the learner's own exercises, in a program whose objects keep them
        // apart from the steps and from the references.
        var ridingBeside = !riding && session.canBuildChecksApart && piggyback.map { checks in
            // Hidden checks are always built from scratch, as one file: no objects to tell what they reach.
            !checks.tests.contains { if case .test(_, _, true) = $0.role { true } else { false } }
        } == true
        let replacedAtStart = Set(session.replacements.keys)
        var beside: (run: BackgroundRun, tests: [Int])?
        var stepTraces: [FileTrace] = []
        defer {
            if let beside {
                beside.run.cancel()
                _ = try? beside.run.wait()
            }
        }

        // Build-and-run loop: each failure removes (or replaces) the failing step and tries again.
        while attempt < programSteps.count * 2 + 4 {
            attempt += 1
            if Date() > deadline { break }
            options.progress?(.compiling(lesson: lesson.path))
            session.tests = riding ? piggyback?.tests : ridingBeside ? piggyback?.tests.filter { test in
                guard case .test(let id, _, _) = test.role else { return false }
                return !lesson.exercises.contains { $0.exerciseID == id && replacedAtStart.contains($0.index) }
            } : nil
            let compiled = try session.compile(replaced: replacedAtStart)
            // A failed build with the checks riding along is tried again without them, unless grading stops anyway
            // at an error in a step's own code.
            if (riding || ridingBeside) && !compiled.ok
                && !(options.stopAtFirstFailure && hasStepError(compiled.diagnostics, lesson: lesson, session: session)) {
                riding = false
                ridingBeside = false
                attempt -= 1
                continue
            }
            let byStep = attribute(compiled.diagnostics, lesson: lesson, replacements: session.replacements)
            for (index, diagnostics) in byStep where index >= 0 {
                warnings[index] = diagnostics
            }
            if !compiled.ok {
                let failing = byStep.filter { $0.key >= 0 && lesson.step($0.key)?.isTest != true && $0.value.contains { $0.severity == "error" } }
                guard !failing.isEmpty else {
                    throw TutorError.setup("the lesson program did not build and no error points at a step:\n\(compiled.log)")
                }
                for (index, diagnostics) in failing {
                    guard let step = lesson.step(index) else { continue }
                    let errors = diagnostics.filter { $0.severity == "error" }
                    let first = errors.first!
                    if attempt == 1 || session.replacements[index] != nil || step.exerciseID != nil {
                        if session.replacements[index] != nil {
                            // The reference itself does not build: report it and give up on this exercise.
                            results[index] = blank(step, .compileError, "the reference solution does not compile: \(first.message)", line: first.line)
                            session.replacements[index] = nil
                            exclude(index)
                            continue
                        }
                        results[index] = blank(step, .compileError, first.message, line: first.line)
                        if let reference = references[index] {
                            session.replacements[index] = reference
                            results[index]?.note = "later steps ran on \(reference.origin)"
                        } else {
                            exclude(index)
                        }
                    } else {
                        results[index] = blank(step, .notRun, "not run: it uses code from a step that failed (\(first.message))", line: first.line)
                        exclude(index)
                    }
                }
                if options.stopAtFirstFailure { break }
                continue
            }

            options.progress?(.running(lesson: lesson.path, attempt: attempt))
            let limits = ExecutionLimits(stepTimeout: { index in lesson.step(index)?.timeout ?? options.stepTimeout },
                                         deadline: deadline,
                                         quietTest: riding || ridingBeside ? piggyback.map { ($0.testTimeout, $0.timeoutReason) } : nil)
            // The checks beside the steps, in a second run of the same program, when nothing links them. Their result
            // stands whatever the steps do (they never see the steps), so they go on through any reruns.
            if (riding || ridingBeside) && session.checksApart, let tests = session.tests, !tests.isEmpty {
                beside = (try session.startChecks(limits: limits), tests.map(\.index))
                riding = false
            }
            ridingBeside = false
            let part: ProgramRun.Part = session.tests == nil ? .whole : riding ? .whole : .stepsOnly
            let execution = try session.execute(limits: limits, part: part, onStep: { index in
                options.progress?(.step(lesson: lesson.path, line: lesson.step(index)?.fenceLine ?? 0))
            })
            stepTraces.append(execution.files)
            if riding, let piggyback {
                if execution.failedStep == nil && execution.programEnded {
                    piggyback.outcome = PiggybackChecks.Outcome(execution: execution, included: session.included,
                                                                lineMap: session.checksLineMap, apartWithTests: nil)
                }
                riding = false
            }
            let outputs = StepOutputSlicer(execution: execution, lesson: lesson, assets: session.latestAssets, work: work).slices()
            for (index, slice) in outputs where results[index] == nil && index != execution.failedStep {
                guard let step = lesson.step(index) else { continue }
                var result = blank(step, step.expectation == .noRun ? .compiledOnly : .ok, nil)
                result.output = slice.output
                result.stderr = slice.stderr
                result.seconds = slice.seconds
                if step.expectation == .shouldTrap {
                    result.status = .unexpectedSuccess
                    result.message = "expected a trap (`should-trap`), but the step finished"
                }
                provisional[index] = result
            }
            guard let failed = execution.failedStep, let step = lesson.step(failed) else {
                if execution.termination != .exited(0) && execution.failedStep == nil && !execution.programEnded {
                    throw TutorError.setup("the lesson program stopped before its first step (\(execution.termination)): \(String(decoding: execution.stderr, as: UTF8.self))")
                }
                break
            }
            var result = blank(step, .trapped, nil)
            if let slice = outputs[failed] {
                result.output = slice.output
                result.stderr = slice.stderr
                result.seconds = slice.seconds
            }
            let stderrText = result.stderr
            var culprit: Int?  // an exercise whose code failed while another step called it
            if let reason = execution.tampered {
                // The events were not a run the runner's own hooks produced: nothing this step claims counts.
                result.status = .tampered
                result.message = "tampered: \(reason)"
                result.output = []
            } else if let reason = execution.killReason {
                result.status = .timedOut
                result.message = reason
            } else if case .exited(86) = execution.termination, let todo = execution.events.last(where: { $0.kind == "todo" }) {
                let line = todo.int("line") ?? step.fenceLine
                let hint = todo.string("hint").flatMap { $0.isEmpty ? nil : $0 }
                let owner = namesLesson(todo.string("file"), lesson.path) ? lesson.step(containingLine: line) : nil
                if let owner, owner.index != failed {
                    culprit = owner.index
                    results[owner.index] = {
                        var r = provisional[owner.index] ?? blank(owner, .todo, nil)
                        r.status = .todo
                        r.message = "TODO not done" + (hint.map { ": \($0)" } ?? "") + " (reached from the step at line \(step.fenceLine))"
                        r.failureLine = line
                        return r
                    }()
                } else {
                    result.status = .todo
                    result.message = "TODO not done" + (hint.map { ": \($0)" } ?? "")
                    result.failureLine = line
                }
            } else {
                let fatal = BacktraceReader.fatalMessage(in: stderrText, file: lesson.path)
                let line = fatal?.line ?? execution.backtraceLine
                let message = fatal?.message ?? "the program stopped (\(execution.termination))"
                if step.expectation == .shouldTrap {
                    result.status = .failedAsDeclared
                    result.message = "trapped as declared: \(message)"
                    result.failureLine = line
                } else if let line, let owner = lesson.step(containingLine: line), owner.index != failed, owner.exerciseID != nil {
                    culprit = owner.index
                    var r = provisional[owner.index] ?? blank(owner, .trapped, nil)
                    r.status = .trapped
                    r.message = "\(message) (called from the step at line \(step.fenceLine))"
                    r.failureLine = line
                    results[owner.index] = r
                } else {
                    result.status = .trapped
                    result.message = message
                    result.failureLine = line
                }
            }
            if let culprit, let culpritStep = lesson.step(culprit) {
                let name = culpritStep.exerciseID.map { "exercise `\($0)`" } ?? "the step at line \(culpritStep.fenceLine)"
                if let reference = references[culprit], session.replacements[culprit] == nil {
                    session.replacements[culprit] = reference
                    results[culprit]?.note = "later steps ran on \(reference.origin)"
                    callers[failed] = culpritStep.exerciseID ?? name
                    continue  // rerun: the calling step gets its result from the run on the reference
                }
                result.status = .notRun
                result.message = "not run: it needs \(name), which " + (results[culprit]?.status == .todo ? "is not done (TODO)" : "failed")
                result.failureLine = results[culprit]?.failureLine
            }
            results[failed] = result
            exclude(failed)
            if options.stopAtFirstFailure, Self.isFailure(result) || culprit.flatMap({ results[$0] }).map(Self.isFailure) == true { break }
        }

        if let running = beside, let piggyback {
            beside = nil
            let apart = try running.run.wait()
            session.merge(apart)
            // A file the steps changed and the checks opened (or the other way round): the checks may have seen the
            // steps at work, so they run again after the steps.
            if !stepTraces.contains(where: { SideBySideChecks.touchedSameFiles($0, apart.files) }) {
                piggyback.outcome = PiggybackChecks.Outcome(execution: apart, included: session.included,
                                                            lineMap: session.checksLineMap, apartWithTests: running.tests)
            }
        }

        // Steps not decided yet: take the provisional result of the latest run, or mark them not run.
        for step in programSteps where results[step.index] == nil {
            if let result = provisional[step.index], session.included.contains(step.index) {
                results[step.index] = result
            } else {
                results[step.index] = blank(step, .notRun, Date() > deadline ? "not run: the lesson's wall-clock limit was reached" : "not run")
            }
        }
        for (index, exercise) in callers {
            results[index]?.reliesOnReferenceOf = exercise
            results[index]?.ranOnReference = true
            results[index]?.note = "the learner's `\(exercise)` stopped this step; it ran on the reference solution"
        }
        // Steps that ran while a reference stood in for an exercise say so.
        if !session.replacements.isEmpty {
            let firstReplaced = session.replacements.keys.min() ?? 0
            for step in programSteps where step.index > firstReplaced && results[step.index]?.status == .ok {
                results[step.index]?.ranOnReference = true
                if results[step.index]?.note == nil { results[step.index]?.note = "ran on the reference solution of the unfinished exercises" }
            }
        }
        for step in lesson.steps where step.expectation == .compileFail {
            results[step.index] = try checkCompileFail(step, lesson: lesson, session: session, generator: generator, work: work,
                                                        warnings: warnings[step.index] ?? [])
        }
        reads?.paths.formUnion(session.reads)
        let ordered = lesson.steps.filter { !$0.isTest }.compactMap { results[$0.index] }
        // Keep every image the report needs in one folder.
        let assets = work.appendingPathComponent("assets")
        try? FileManager.default.createDirectory(at: assets, withIntermediateDirectories: true)
        return LessonRunResult(lessonPath: lesson.path, steps: ordered, seconds: Date().timeIntervalSince(started),
                               assetsDirectory: assets.path, cached: false)
    }

    /// A `compile-fail` step is typechecked after the steps before it; it passes when the errors are its own.
    private func checkCompileFail(_ step: Step, lesson: Lesson, session: ProgramSession, generator: ProgramGenerator,
                                  work: URL, warnings: [Diagnostic]) throws -> StepResult {
        let checker = ProgramSession(lesson: lesson, environment: environment, generator: generator, workDirectory: work,
                                     included: session.included.filter { $0 < step.index }.union([step.index]))
        checker.replacements = session.replacements
        let compiled = try checker.compile(typecheckOnly: true)
        let own = compiled.diagnostics.filter {
            $0.severity == "error" && $0.file == lesson.path && lesson.step(containingLine: $0.line)?.index == step.index
        }
        var result = StepResult(index: step.index, line: step.fenceLine, status: .unexpectedSuccess, message: nil,
                                failureLine: nil, diagnostics: warnings, output: [], stderr: "", seconds: 0, note: nil)
        if own.isEmpty {
            result.message = compiled.ok
                ? "expected a compile error (`compile-fail`), but the step compiled" : "the steps before it do not compile"
        } else {
            result.status = .failedAsDeclared
            result.message = "failed to compile as declared: \(own[0].message)"
            result.failureLine = own[0].line
            result.diagnostics = own
        }
        return result
    }

    /// True when a compile error lies in a program step's code (not in checks compiled along).
    private func hasStepError(_ diagnostics: [Diagnostic], lesson: Lesson, session: ProgramSession) -> Bool {
        attribute(diagnostics, lesson: lesson, replacements: session.replacements).contains { index, found in
            index >= 0 && lesson.step(index)?.isTest == false && found.contains { $0.severity == "error" }
        }
    }

    /// A step result that stops a `stopAtFirstFailure` run: broken code, not an unfinished exercise.
    static func isFailure(_ result: StepResult) -> Bool {
        [.compileError, .trapped, .timedOut, .tampered].contains(result.status)
    }

    /// The string literal of a `TODO("…")` call, if the line has one.
    static func todoHint(_ line: String) -> String? {
        guard let call = line.range(of: "TODO(\""), let end = line[call.upperBound...].firstIndex(of: "\"") else { return nil }
        let hint = line[call.upperBound..<end]
        return hint.isEmpty ? nil : String(hint)
    }

    /// True for a code line that calls `TODO(` outside a comment.
    static func callsTODO(_ line: String) -> Bool {
        guard let call = line.range(of: "TODO(") else { return false }
        if let comment = line.range(of: "//"), comment.lowerBound < call.lowerBound { return false }
        return true
    }

    /// Errors and warnings grouped by the step they belong to (-1: none). An error outside every step (an
    /// unclosed brace reported at the end of the generated file) goes to the step its notes point at, with the
    /// note's line.
    private func attribute(_ diagnostics: [Diagnostic], lesson: Lesson, replacements: [Int: ReplacementCode]) -> [Int: [Diagnostic]] {
        var result: [Int: [Diagnostic]] = [:]
        for (i, diagnostic) in diagnostics.enumerated() where diagnostic.severity != "note" {
            var owner = owner(of: diagnostic, lesson: lesson, replacements: replacements)
            var placed = diagnostic
            if owner < 0 {
                for note in diagnostics[(i + 1)...].prefix(while: { $0.severity == "note" }) {
                    let noteOwner = self.owner(of: note, lesson: lesson, replacements: replacements)
                    if noteOwner >= 0 {
                        owner = noteOwner
                        placed = Diagnostic(file: note.file, line: note.line, column: note.column, severity: diagnostic.severity,
                                            message: "\(diagnostic.message) (\(note.message))")
                        break
                    }
                }
            }
            result[owner, default: []].append(placed)
        }
        return result
    }

    /// Which step a diagnostic belongs to (-1: none).
    private func owner(of diagnostic: Diagnostic, lesson: Lesson, replacements: [Int: ReplacementCode]) -> Int {
        if diagnostic.file == lesson.path, let step = lesson.step(containingLine: diagnostic.line) {
            return step.index
        }
        for (index, replacement) in replacements where replacement.path == diagnostic.file {
            if diagnostic.line >= replacement.firstLine && diagnostic.line < replacement.firstLine + replacement.lines.count {
                return index
            }
        }
        return -1
    }
}
