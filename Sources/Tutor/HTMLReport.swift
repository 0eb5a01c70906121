import Foundation

/// Renders a lesson run (and optionally its checks) as one self-contained HTML page:
/// prose, each step's code with Markdown line numbers, its output, failures beside it, a check summary.
public struct HTMLReport {
    public var lesson: Lesson
    public var run: LessonRunResult
    public var checks: CheckResult?
    /// The code shown for a step (the student form when that was run).
    public var codeOf: (Step) -> [String]

    /// Makes a report; `studentForm` shows exercises as the learner has them.
    public init(lesson: Lesson, run: LessonRunResult, checks: CheckResult? = nil, studentForm: Bool = false) {
        self.lesson = lesson
        self.run = run
        self.checks = checks
        self.codeOf = { step in studentForm && step.exerciseID != nil ? step.studentLines() : step.lines }
    }

    /// Writes `<directory>/<lesson name>.html` and returns its URL.
    @discardableResult
    public func write(to directory: URL) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("\(lesson.name).html")
        do { try render().write(to: url, atomically: true, encoding: .utf8) } catch {
            throw TutorError.io(path: url.path, reason: "cannot write the report: \(error.localizedDescription)")
        }
        return url
    }

    /// The page.
    public func render() -> String {
        let results = Dictionary(uniqueKeysWithValues: run.steps.map { ($0.index, $0) })
        var body = ""
        var toc: [(level: Int, text: String, anchor: String, cls: String)] = []
        for block in lesson.blocks {
            switch block {
            case .prose(let html, let heading):
                if let heading { toc.append((heading.level, heading.text, heading.anchor, "")) }
                body += html
            case .step(let step):
                if step.isTest {
                    body += testBlock(step)
                } else if let result = results[step.index] {
                    if !result.status.isAsDeclared {
                        toc.append((9, "⚠ line \(step.fenceLine): \(label(result.status))", "step-\(step.index)", "problem"))
                    }
                    body += stepBlock(step, result)
                }
            }
        }
        if let checks {
            toc.append((2, "Checks", "checks", ""))
            body += checkSummary(checks)
        }
        let declared = run.steps.filter { $0.status.isAsDeclared }.count
        let headline = "\(declared) of \(run.steps.count) steps ran as declared"
            + (checks.map { " · checks: \($0.pointsEarned)/\($0.pointsPossible) points" } ?? "")
        var nav = "<nav class=\"toc\" aria-label=\"Contents\"><h2>Contents</h2><ul>"
        for entry in toc {
            let indent = entry.level == 9 ? "problem" : "level\(min(entry.level, 4))"
            nav += "<li class=\"\(indent)\"><a href=\"#\(entry.anchor)\">\(escape(entry.text))</a></li>"
        }
        nav += "</ul></nav>"
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark">
        <title>\(escape(lesson.title))</title>
        <style>\(ReportStyle.css)</style>
        </head>
        <body>
        <header class="banner"><span class="lesson-file">\(escape(lesson.path))</span>
        <span class="headline \(declared == run.steps.count && (checks?.exitCode ?? 0) == 0 ? "good" : "bad")">\(escape(headline))</span>
        <span class="timing">\(run.cached ? "from cache" : "ran in " + formatSeconds(run.seconds))</span></header>
        <div class="layout">
        \(nav)
        <main>
        \(body)
        </main>
        </div>
        </body>
        </html>
        """
    }

    private func label(_ status: StepStatus) -> String {
        switch status {
        case .ok: "ok"
        case .failedAsDeclared: "failed as declared"
        case .compiledOnly: "compiled, not run (no-run)"
        case .compileError: "compile error"
        case .trapped: "trapped"
        case .timedOut: "timed out"
        case .todo: "TODO not done"
        case .notRun: "not run"
        case .unexpectedSuccess: "did not fail as declared"
        case .tampered: "tampered"
        }
    }

    private func stepBlock(_ step: Step, _ result: StepResult) -> String {
        let status = result.status
        var html = "<section class=\"step status-\(status.rawValue)\" id=\"step-\(step.index)\">"
        let kind: String = switch step.role {
        case .exercise(let id): "Exercise <code>\(escape(id))</code>"
        case .setup: "Setup"
        default: "Step"
        }
        html += "<div class=\"step-head\"><span>\(kind) · <a href=\"#step-\(step.index)\">line \(step.fenceLine)</a></span>"
        html += "<span class=\"badge\">\(escape(label(status)))</span>"
        if result.ranOnReference == true {
            html += "<span class=\"badge reference\" title=\"an exercise before it is unfinished or failing\">ran on the reference solution</span>"
        }
        if result.seconds >= 0.01 { html += "<span class=\"time\">\(formatSeconds(result.seconds))</span>" }
        html += "</div>"
        if step.role != .setup { html += codeTable(step, lines: codeOf(step), marks: marks(result)) }
        if let message = result.message {
            let line = result.failureLine.map { "\(escape(lesson.path)):\($0): " } ?? ""
            html += "<p class=\"message\" role=\"alert\">\(line)\(escape(message))</p>"
        }
        if let note = result.note { html += "<p class=\"note\">\(escape(note))</p>" }
        let shown = result.diagnostics.filter { $0.severity == "error" || status == .compileError || $0.severity == "warning" }
        if !shown.isEmpty {
            html += "<ul class=\"diagnostics\">"
            for d in shown {
                html += "<li class=\"\(d.severity)\"><code>\(escape(d.file)):\(d.line):\(d.column)</code> \(d.severity): \(escape(d.message))</li>"
            }
            html += "</ul>"
        }
        if let id = step.exerciseID, let exercise = checks?.exercises.first(where: { $0.id == id }) {
            html += exerciseChecks(exercise)
        }
        html += FigureRenderer(assetsDirectory: run.assetsDirectory, placement: .embedded)
            .output(result.output, stepCaption: step.options["caption"])
        if !result.stderr.isEmpty {
            html += "<pre class=\"stderr\">\(escape(result.stderr))</pre>"
        }
        return html + "</section>\n"
    }

    private func marks(_ result: StepResult) -> Set<Int> {
        var set = Set(result.diagnostics.filter { $0.severity == "error" }.map(\.line))
        if let line = result.failureLine { set.insert(line) }
        return set
    }

    private func codeTable(_ step: Step, lines: [String], marks: Set<Int>) -> String {
        var html = "<div class=\"code\"><table><tbody>"
        for (i, line) in lines.enumerated() where i < step.visible.count ? step.visible[i] : true {
            let number = step.markdownLine(i)
            let cls = marks.contains(number) ? " class=\"marked\"" : ""
            html += "<tr\(cls)><td class=\"ln\">\(number)</td><td><code>\(escape(line))</code></td></tr>"
        }
        return html + "</tbody></table></div>"
    }

    /// The exercise's check results, right under its code.
    private func exerciseChecks(_ exercise: ExerciseResult) -> String {
        var html = "<ul class=\"exercise-checks\" aria-label=\"checks\">"
        html += "<li class=\"total\">checks: \(exercise.pointsEarned)/\(exercise.pointsPossible) points</li>"
        for test in exercise.tests {
            let mark = test.status == "passed" ? "✓" : "✗"
            let name = test.hidden ? "hidden test" : escape(test.name)
            var item = "<li class=\"test-\(escape(test.status))\">\(mark) \(name)"
            if test.status != "passed" {
                item += " — \(escape(test.status))"
                if !test.hidden, let message = test.message {
                    item += "<div class=\"message\">\(escape(lesson.path)):\(test.line): \(escape(message))</div>"
                }
            }
            html += item + "</li>"
        }
        return html + "</ul>"
    }

    private func testBlock(_ step: Step) -> String {
        guard case .test(let id, let points, let hidden) = step.role, !hidden else { return "" }
        var html = "<details class=\"tests\"><summary>Checks for <code>\(escape(id))</code> (line \(step.fenceLine), \(points) point\(points == 1 ? "" : "s") each)</summary>"
        html += codeTable(step, lines: step.lines, marks: [])
        return html + "</details>\n"
    }

    private func checkSummary(_ checks: CheckResult) -> String {
        var html = "<section class=\"checks\" id=\"checks\"><h2>Checks</h2>"
        html += "<p class=\"headline\">\(checks.pointsEarned) of \(checks.pointsPossible) points</p>"
        for error in checks.errors { html += "<p class=\"message\">\(escape(error))</p>" }
        html += "<table class=\"check-table\"><thead><tr><th>Exercise</th><th>Test</th><th>Line</th><th>Result</th><th>Points</th></tr></thead><tbody>"
        for exercise in checks.exercises {
            for test in exercise.tests {
                let message = test.hidden ? "" : (test.message.map { "<div class=\"message\">\(escape($0))</div>" } ?? "")
                let name = test.hidden ? "hidden test" : escape(test.name)
                html += "<tr class=\"test-\(test.status)\"><td><code>\(escape(exercise.id))</code></td><td>\(name)\(message)</td>"
                html += "<td>\(test.hidden ? "" : String(test.line))</td><td>\(escape(test.status))</td>"
                html += "<td>\(test.status == "passed" ? test.points : 0)/\(test.points)</td></tr>"
            }
            html += "<tr class=\"subtotal\"><td><code>\(escape(exercise.id))</code></td><td colspan=\"3\">total</td><td>\(exercise.pointsEarned)/\(exercise.pointsPossible)</td></tr>"
        }
        return html + "</tbody></table></section>\n"
    }
}

/// Escapes text for HTML.
func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        default: out.append(character)
        }
    }
    return out
}
