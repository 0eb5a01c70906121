import Foundation

/// Whether terminal output gets ANSI colour: only on a terminal, and never when `NO_COLOR` is set (no-color.org).
public struct TerminalStyle: Sendable {
    public var colored: Bool

    public init(colored: Bool) { self.colored = colored }

    /// The style for standard error as it is now: colour on a TTY unless `NO_COLOR` is set to a non-empty value.
    public static func forStandardError(environment: [String: String] = ProcessInfo.processInfo.environment) -> TerminalStyle {
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
        return TerminalStyle(colored: !noColor && isatty(STDERR_FILENO) != 0)
    }

    func bold(_ text: String) -> String { wrap(text, "1") }
    func red(_ text: String) -> String { wrap(text, "1;31") }
    func magenta(_ text: String) -> String { wrap(text, "1;35") }
    func green(_ text: String) -> String { wrap(text, "1;32") }
    func cyan(_ text: String) -> String { wrap(text, "1;36") }

    private func wrap(_ text: String, _ code: String) -> String {
        colored ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

/// What `tutor check` and `tutor watch` print about a lesson: compiler errors and warnings in the learner's code in
/// swiftc's form (`file.md:line:column: error: …`, the line, a caret), traps and TODOs at the learner's line, and
/// each failing check with its message and line. Hidden tests show only their status, at their block's fence.
public struct TerminalFeedback {
    public var lesson: Lesson
    public var run: LessonRunResult
    public var checks: CheckResult?
    public var style: TerminalStyle
    /// The run used the student form: an exercise's lines are those of its `TODO()` form, not the solution's.
    public var studentForm: Bool

    /// Feedback for one lesson's run and (optionally) checks.
    public init(lesson: Lesson, run: LessonRunResult, checks: CheckResult?, style: TerminalStyle, studentForm: Bool = false) {
        self.lesson = lesson
        self.run = run
        self.checks = checks
        self.style = style
        self.studentForm = studentForm
    }

    /// The lesson's lines as the run saw them (1-based through `line(_:in:)`).
    private var sourceLines: [Substring] {
        var lines = lesson.text.split(separator: "\n", omittingEmptySubsequences: false)
        guard studentForm else { return lines }
        for step in lesson.exercises {
            let student = step.studentLines()
            for (i, text) in student.enumerated() {
                let line = step.markdownLine(i)
                if line >= 1 && line <= lines.count { lines[line - 1] = Substring(text) }
            }
            // Lines the student form no longer has (a solution longer than its TODO) show nothing.
            for line in step.markdownLine(student.count)..<step.markdownLine(max(student.count, step.lines.count))
            where line >= 1 && line <= lines.count {
                lines[line - 1] = ""
            }
        }
        return lines
    }

    /// Every message, in lesson order; empty when everything went as declared.
    public func render() -> String {
        let lines = sourceLines
        var out: [String] = []
        var notRun: [Int] = []
        for step in run.steps {
            let isExercise = lesson.step(step.index)?.exerciseID != nil
            switch step.status {
            case .compileError:
                let errors = step.diagnostics.filter { $0.severity == "error" }
                if errors.isEmpty {
                    out += message(.error, step.message ?? "does not compile", line: step.failureLine ?? step.line, column: nil, lines)
                } else {
                    for diagnostic in errors { out += message(diagnostic, lines) }
                }
            case .trapped:
                out += message(.error, "trapped: \(step.message ?? "the program stopped")", line: step.failureLine ?? step.line, column: nil, lines)
            case .todo:
                out += message(.todo, step.message ?? "TODO not done", line: step.failureLine ?? step.line, column: nil, lines)
                // The TODO lies in an exercise; the step that reached it may be a later one.
                if let id = lesson.step(containingLine: step.failureLine ?? step.line)?.exerciseID ?? lesson.step(step.index)?.exerciseID {
                    let hints = lesson.hints(for: id).count
                    if hints > 0 { out.append("   " + style.cyan("help: ") + "`tutor hint \(lesson.path) \(id)` shows a hint (\(hints) in all)") }
                }
            case .timedOut, .unexpectedSuccess, .tampered:
                out += message(.error, step.message ?? step.status.rawValue, line: step.failureLine ?? step.line, column: nil, lines)
            case .notRun:
                notRun.append(step.line)
            case .ok, .failedAsDeclared, .compiledOnly:
                break
            }
            if let note = step.note, !step.status.isAsDeclared || step.reliesOnReferenceOf != nil {
                out.append("   " + style.cyan("note: ") + note)
            }
            // Warnings in the learner's own code, also when it built.
            if isExercise {
                for diagnostic in step.diagnostics where diagnostic.severity == "warning" { out += message(diagnostic, lines) }
            }
        }
        if !notRun.isEmpty {
            let list = notRun.prefix(8).map(String.init).joined(separator: ", ") + (notRun.count > 8 ? ", …" : "")
            out.append("\(lesson.path): " + style.cyan("note: ") + "\(notRun.count) step\(notRun.count == 1 ? "" : "s") not run (lines \(list)); see the report")
        }
        if let checks { out += checkLines(checks, lines) }
        return out.isEmpty ? "" : out.joined(separator: "\n") + "\n"
    }

    private func checkLines(_ checks: CheckResult, _ lines: [Substring]) -> [String] {
        var out: [String] = []
        let unfinished = Set(run.steps.filter { $0.status == .todo }.compactMap { lesson.step($0.index)?.exerciseID })
        for exercise in checks.exercises {
            // An unfinished exercise's checks all wait for it (not run, or stopped by its TODO): one line says so
            // instead of one per check.
            let open = exercise.tests.filter { $0.status != "passed" }
            let waiting = open.filter { $0.status == "not-run" || ($0.message ?? "").hasPrefix("TODO not done") }
            if waiting.count > 1, waiting.count == open.count,
               unfinished.contains(exercise.id) || waiting.contains(where: { $0.status != "not-run" }) {
                out.append(style.bold("\(lesson.path):\(exercise.line):") + " " + label(waiting[0].status)
                           + " \(exercise.id) › its \(waiting.count) checks wait for the exercise to be done")
                continue
            }
            for test in exercise.tests where test.status != "passed" {
                if test.hidden {
                    // A hidden test is placed at its block's fence, never at a line inside the block.
                    let fence = lesson.step(containingLine: test.line)?.fenceLine ?? exercise.line
                    out.append(style.bold("\(lesson.path):\(fence):") + " " + label(test.status) + " \(exercise.id) › hidden test")
                    continue
                }
                let text = "\(exercise.id) › \(test.name): \(test.message ?? test.status)"
                // A test that never ran points at its declaration; the line itself adds nothing.
                out += message(.check(test.status), text, line: test.line, column: nil, test.status == "not-run" ? [] : lines)
            }
        }
        for error in checks.errors {
            // Errors that already name a line of the lesson stand as they are.
            out.append(error.hasPrefix(lesson.path + ":") ? error : "\(lesson.path): " + style.red("error: ") + error)
        }
        return out
    }

    private enum Kind {
        case error, warning, todo
        case check(String)
    }

    private func label(_ status: String) -> String {
        switch status {
        case "failed": style.red("failed:")
        case "not-run": style.magenta("not run:")
        default: style.red("\(status):")
        }
    }

    private func message(_ diagnostic: Diagnostic, _ lines: [Substring]) -> [String] {
        guard diagnostic.file == lesson.path else {
            return [style.bold("\(diagnostic.file):\(diagnostic.line):\(diagnostic.column):") + " \(diagnostic.severity): \(diagnostic.message)"]
        }
        return message(diagnostic.severity == "error" ? .error : .warning, diagnostic.message, line: diagnostic.line,
                       column: diagnostic.column, lines)
    }

    /// `file:line:column: kind: text`, then the line itself and a caret under the column (the line's first
    /// non-blank character when the column is not known).
    private func message(_ kind: Kind, _ text: String, line: Int, column: Int?, _ lines: [Substring]) -> [String] {
        let source = line >= 1 && line <= lines.count ? String(lines[line - 1]) : nil
        let firstCode = (source?.prefix { $0 == " " || $0 == "\t" }.count ?? 0) + 1
        let col = column ?? firstCode
        let tag: String
        switch kind {
        case .error: tag = style.red("error:")
        case .warning: tag = style.magenta("warning:")
        case .todo: tag = style.magenta("todo:")
        case .check(let status): tag = label(status)
        }
        var out = [style.bold("\(lesson.path):\(line):\(col):") + " " + tag + " " + style.bold(text)]
        guard let source, !source.trimmingCharacters(in: .whitespaces).isEmpty else { return out }
        out.append(source)
        // The compiler counts columns in UTF-8 bytes; tabs stay tabs, so the caret lines up in any terminal.
        let before = String(decoding: source.utf8.prefix(max(0, col - 1)), as: UTF8.self)
        let pad = before.map { $0 == "\t" ? "\t" : " " }.joined()
        out.append(pad + style.green("^"))
        return out
    }
}
