import Foundation

/// `GRADES/summary.html`, for the instructor: the score distribution per lesson, the pass rate of every exercise
/// and check (hidden ones by name), and the submissions that need a look.
struct GradebookSummaryPage {
    var grades: [LessonGrade]

    func render() -> String {
        let lessons = Array(Set(grades.map(\.lesson))).sorted()
        let students = Set(grades.map(\.student))
        var body = "<h1>Grades</h1><p>\(students.count) student\(students.count == 1 ? "" : "s"), \(lessons.count) lesson\(lessons.count == 1 ? "" : "s"), \(grades.count) graded submissions.</p>"
        for lesson in lessons {
            let these = grades.filter { $0.lesson == lesson }
            body += "<section id=\"lesson-\(escape(lesson))\"><h2>\(escape(lesson))</h2>"
            body += distribution(these)
            body += passRates(these)
            body += "</section>"
        }
        body += attention()
        if let limits = grades.first?.limits {
            body += "<section><h2>Limits in force</h2><ul>" + limits.map { "<li>\(escape($0))</li>" }.joined() + "</ul></section>"
        }
        return GradePageShell.page(title: "Grades — summary", body: body)
    }

    /// A histogram of scores in tenths of the possible points, as text bars.
    private func distribution(_ grades: [LessonGrade]) -> String {
        let possible = grades.map(\.possible).max() ?? 0
        let scores = grades.map(\.points).sorted()
        let mean = scores.isEmpty ? 0 : Double(scores.reduce(0, +)) / Double(scores.count)
        let median = scores.isEmpty ? 0 : scores.count % 2 == 1 ? Double(scores[scores.count / 2])
            : Double(scores[scores.count / 2 - 1] + scores[scores.count / 2]) / 2
        var html = "<h3>Score distribution</h3><p>mean \(String(format: "%.1f", mean)), median \(String(format: "%.1f", median)) of \(possible) points</p>"
        html += "<table class=\"check-table\"><thead><tr><th>Points</th><th>Submissions</th></tr></thead><tbody>"
        var bins: [(String, Int)] = []
        if possible <= 10 {
            bins = (0...max(possible, 0)).map { p in ("\(p)", scores.filter { $0 == p }.count) }
        } else {
            for tenth in 0..<10 {
                let low = possible * tenth / 10, high = tenth == 9 ? possible : possible * (tenth + 1) / 10 - 1
                bins.append(("\(low)–\(high)", scores.filter { $0 >= low && $0 <= high }.count))
            }
        }
        let most = max(bins.map(\.1).max() ?? 1, 1)
        for (label, count) in bins {
            html += "<tr><td>\(label)</td><td><span class=\"bar\" style=\"width: \(count * 12 / most)em\"></span> \(count)</td></tr>"
        }
        return html + "</tbody></table>"
    }

    /// Share of submissions passing each exercise and each check.
    private func passRates(_ grades: [LessonGrade]) -> String {
        var html = "<h3>Pass rates</h3><table class=\"check-table\"><thead><tr><th>Exercise / check</th><th>Passed</th><th>Rate</th></tr></thead><tbody>"
        let order = grades.first?.exercises.map(\.id) ?? []
        for id in order {
            let entries = grades.compactMap { $0.exercises.first { $0.id == id } }
            html += rateRow("<code>\(escape(id))</code>", passed: entries.filter { $0.status == .passed }.count, of: entries.count, strong: true)
            var testOrder: [String] = []
            var tally: [String: (Int, Int)] = [:]
            for entry in entries {
                for test in entry.tests {
                    let name = (test.hidden ? "hidden: " : "") + test.name
                    if tally[name] == nil { testOrder.append(name) }
                    let old = tally[name] ?? (0, 0)
                    tally[name] = (old.0 + (test.status == "passed" ? 1 : 0), old.1 + 1)
                }
            }
            for name in testOrder {
                html += rateRow("&nbsp;&nbsp;" + escape(name), passed: tally[name]!.0, of: entries.count, strong: false)
            }
        }
        return html + "</tbody></table>"
    }

    private func rateRow(_ label: String, passed: Int, of total: Int, strong: Bool) -> String {
        let rate = total == 0 ? 0 : Double(passed) / Double(total)
        let bar = "<span class=\"bar\(rate < 0.5 ? " low" : "")\" style=\"width: \(String(format: "%.1f", rate * 8))em\"></span>"
        let text = strong ? "<strong>\(label)</strong>" : label
        return "<tr><td>\(text)</td><td>\(passed)/\(total)</td><td>\(bar) \(Int((rate * 100).rounded()))%</td></tr>"
    }

    /// Submissions with a tampered, crashed, timed-out or memory status, or edits outside the exercises.
    private func attention() -> String {
        var rows = ""
        for grade in grades {
            let flagged = grade.exercises.filter { $0.status.needsALook }
            guard !flagged.isEmpty || !grade.changes.isEmpty || !grade.problems.isEmpty else { continue }
            var why = flagged.map { "\($0.id): \($0.status.rawValue) — \($0.note)" }
            why += grade.changes.map { "changed: \($0)" }
            why += grade.problems
            let link = "\(pathComponent(grade.student))/\(pathComponent(grade.lesson)).html"
            rows += "<tr><td><a href=\"\(escape(link))\">\(escape(grade.student))</a></td><td>\(escape(grade.lesson))</td>"
            rows += "<td><ul>" + why.map { "<li>\(escape($0))</li>" }.joined() + "</ul></td></tr>"
        }
        guard !rows.isEmpty else { return "<section id=\"attention\"><h2>Submissions that need a look</h2><p>None.</p></section>" }
        return "<section id=\"attention\"><h2>Submissions that need a look</h2><table class=\"check-table\"><thead><tr><th>Student</th><th>Lesson</th><th>Why</th></tr></thead><tbody>\(rows)</tbody></table></section>"
    }

    private func pathComponent(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? text
    }
}
