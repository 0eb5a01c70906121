import Foundation

/// `GRADES/<student>/<lesson>.html`: what a student sees about one graded lesson. Self-contained (images inline);
/// hidden checks appear by name and outcome only, never with their code or messages.
struct GradeFeedbackPage {
    var grade: LessonGrade
    /// Output shown per step, in characters (the rest is cut, and the page says so).
    static let outputLimit = 20_000

    func render() -> String {
        var body = "<h1>\(escape(grade.lesson)) — \(escape(grade.student))</h1>"
        body += "<p class=\"headline \(grade.points == grade.possible ? "good" : "bad")\">\(grade.points) of \(grade.possible) points</p>"
        body += exerciseTable()
        if !grade.changes.isEmpty {
            body += "<section class=\"changes\" id=\"changes\"><h2>Changes outside the exercises (tampered, ignored)</h2>"
            body += "<p>Only the exercise blocks of your file were graded; everything else came from the course's copy.</p><ul>"
            body += grade.changes.map { "<li>\(escape($0))</li>" }.joined() + "</ul></section>"
        }
        for exercise in grade.exercises { body += exerciseSection(exercise) }
        body += stepsSection()
        body += "<section id=\"limits\"><h2>How this was graded</h2><ul>"
        body += grade.limits.map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
        if !grade.problems.isEmpty {
            body += "<h3>Problems while grading</h3><ul>" + grade.problems.map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
        }
        body += "</section>"
        return GradePageShell.page(title: "\(grade.lesson) — \(grade.student)", body: body)
    }

    private func exerciseTable() -> String {
        var html = "<table class=\"check-table\"><thead><tr><th>Exercise</th><th>Status</th><th>Points</th><th>Note</th></tr></thead><tbody>"
        for exercise in grade.exercises {
            html += "<tr class=\"grade-\(exercise.status.rawValue)\"><td><a href=\"#exercise-\(escape(exercise.id))\"><code>\(escape(exercise.id))</code></a></td>"
            html += "<td>\(escape(exercise.status.rawValue))</td><td>\(exercise.points)/\(exercise.possible)</td><td>\(escape(exercise.note))</td></tr>"
        }
        return html + "</tbody></table>"
    }

    private func exerciseSection(_ exercise: ExerciseGrade) -> String {
        var html = "<section class=\"step grade-\(exercise.status.rawValue)\" id=\"exercise-\(escape(exercise.id))\">"
        html += "<div class=\"step-head\"><span>Exercise <code>\(escape(exercise.id))</code></span>"
        html += "<span class=\"badge\">\(escape(exercise.status.rawValue)) · \(exercise.points)/\(exercise.possible)</span></div>"
        if let code = exercise.code {
            html += "<div class=\"code\"><pre><code>\(escape(code.joined(separator: "\n")))</code></pre></div>"
        } else {
            html += "<p class=\"note\">No code was handed in for this exercise.</p>"
        }
        if !exercise.note.isEmpty { html += "<p class=\"message\">\(escape(exercise.note))</p>" }
        html += "<ul class=\"exercise-checks\" aria-label=\"checks\">"
        for test in exercise.tests {
            let mark = test.status == "passed" ? "✓" : "✗"
            let kind = test.hidden ? "hidden check" : "check"
            var item = "<li class=\"test-\(escape(test.status))\">\(mark) \(kind): \(escape(test.name)) — \(escape(test.status))"
            item += " (\(test.status == "passed" ? test.points : 0)/\(test.points))"
            if !test.hidden, test.status != "passed", let message = test.message {
                item += "<div class=\"message\">\(escape(message))</div>"
            }
            html += item + "</li>"
        }
        return html + "</ul></section>"
    }

    private func stepsSection() -> String {
        guard !grade.steps.isEmpty else { return "" }
        var html = "<section id=\"steps\"><h2>Output of every step</h2>"
        for step in grade.steps {
            html += "<section class=\"step status-\(step.status.rawValue)\"><div class=\"step-head\"><span>Step at line \(step.line)</span>"
            html += "<span class=\"badge\">\(escape(step.status.rawValue))</span></div>"
            if let message = step.message { html += "<p class=\"message\">\(escape(message))</p>" }
            if let note = step.note { html += "<p class=\"note\">\(escape(note))</p>" }
            var budget = Self.outputLimit
            guard !step.output.isEmpty || !step.stderr.isEmpty else { html += "</section>"; continue }
            html += "<div class=\"output\">"
            for item in step.output {
                switch item {
                case .text(let text):
                    html += "<pre>\(escape(cut(text, &budget)))</pre>"
                case .image(let image):
                    if let data = grade.images[image.file] {
                        html += "<figure><img src=\"data:image/png;base64,\(data)\" alt=\"\(escape(image.alt))\">"
                        if let title = image.title { html += "<figcaption>\(escape(title))</figcaption>" }
                        html += "</figure>"
                    }
                }
            }
            if !step.stderr.isEmpty { html += "<pre class=\"stderr\">\(escape(cut(step.stderr, &budget)))</pre>" }
            html += "</div></section>"
        }
        return html + "</section>"
    }

    private func cut(_ text: String, _ budget: inout Int) -> String {
        guard text.count > budget else { budget -= text.count; return text }
        let kept = String(text.prefix(max(budget, 0)))
        budget = 0
        return kept + "\n… (output cut: more than \(Self.outputLimit) characters)"
    }
}

/// The HTML around grading pages: the reports' style plus a few grading colours.
enum GradePageShell {
    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark"><title>\(escape(title))</title>
        <style>\(ReportStyle.css)
        .grading { max-width: 64em; margin: 1.5em auto; padding: 0 1em; }
        .grading pre { white-space: pre-wrap; overflow-wrap: anywhere; }
        .grading td, .grading th { padding: .2em .6em; text-align: left; vertical-align: top; }
        .grade-passed td:nth-child(2) { color: var(--ok); }
        .grade-failed td:nth-child(2), .grade-todo td:nth-child(2), .grade-missing td:nth-child(2) { color: var(--bad); }
        .grade-crashed td:nth-child(2), .grade-timeout td:nth-child(2), .grade-memory td:nth-child(2),
        .grade-tampered td:nth-child(2), .grade-compile-error td:nth-child(2) { color: var(--bad); font-weight: bold; }
        .bar { display: inline-block; height: .9em; background: var(--ok); vertical-align: middle; }
        .bar.low { background: var(--bad); }
        </style></head>
        <body><main class="grading">\(body)</main></body></html>
        """
    }
}
