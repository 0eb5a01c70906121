import Foundation

/// The body of a lesson's page on the site: prose, the steps' code and output, exercises in the learner's view.
///
/// What never reaches the page: hidden test blocks, `setup` steps and `// snippet.hide` regions, and — with
/// `includeSolutions` false — every solution region (the page shows the `TODO()` form only).
struct SiteLessonPage {
    var entry: SiteLesson
    var includeSolutions: Bool
    /// Writes the lesson's images and says how pages refer to them.
    var placement: ImagePlacement
    /// Adds links to the API reference (first mention of a type).
    var linker: APILinker

    func render(pager: String) -> String {
        let lesson = entry.lesson
        let results = Dictionary((entry.run?.steps ?? []).map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a })
        var linker = linker
        var html = ""
        if let failure = entry.failure {
            html += "<p class=\"message\" role=\"alert\">This lesson could not be run: \(escape(failure))</p>"
        }
        for block in lesson.blocks {
            switch block {
            case .prose(let prose, _):
                html += linker.link(prose)
            case .step(let step):
                html += stepHTML(step, result: results[step.index])
            }
        }
        return html + pager
    }

    private func stepHTML(_ step: Step, result: StepResult?) -> String {
        switch step.role {
        case .setup:
            return outputHTML(step, result)
        case .test(let id, let points, let hidden):
            return hidden ? "" : checksHTML(step, exerciseID: id, points: points)
        case .exercise(let id):
            var html = "<section class=\"exercise\" id=\"exercise-\(escape(FigureRenderer.safeName(id)))\" aria-label=\"Exercise \(escape(id))\">"
            html += "<p class=\"step-label\">Exercise <code>\(escape(id))</code> — replace each <code>TODO()</code></p>"
            html += codeBlock(step, lines: step.studentLines())
            if includeSolutions && !step.solutionRegions.isEmpty {
                html += "<details class=\"solution\"><summary>Show the solution</summary>"
                html += codeBlock(step, lines: step.lines)
                html += "</details>"
            }
            html += statusHTML(step, result)
            html += outputHTML(step, result)
            return html + "</section>\n"
        case .code:
            var html = codeBlock(step, lines: step.lines)
            html += statusHTML(step, result)
            return html + outputHTML(step, result)
        }
    }

    /// The visible lines of a step as a code block (markers, `//|` options and hidden regions left out).
    private func codeBlock(_ step: Step, lines: [String]) -> String {
        var shown: [String] = []
        for (i, line) in lines.enumerated() where i < step.visible.count ? step.visible[i] : true {
            shown.append(line)
        }
        while shown.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { shown.removeLast() }
        guard !shown.isEmpty else { return "" }
        return "<div class=\"codeblock\"><pre><code class=\"language-swift\">\(escape(shown.joined(separator: "\n")))</code></pre></div>"
    }

    /// Declared failures (should-trap, compile-fail) say what happened; unexpected ones are flagged for the author.
    private func statusHTML(_ step: Step, _ result: StepResult?) -> String {
        guard let result else { return "" }
        switch result.status {
        case .ok, .compiledOnly:
            return ""
        case .failedAsDeclared:
            let what = step.expectation == .compileFail ? "This code does not compile, as intended" : "This code stops with an error, as intended"
            return "<p class=\"step-status declared\">\(what)\(result.message.map { ": " + escape($0) } ?? ".")</p>"
        default:
            return "<p class=\"step-status\" role=\"alert\">This step did not run as the lesson declares (\(escape(result.status.rawValue)))"
                + "\(result.message.map { ": " + escape($0) } ?? ".")</p>"
        }
    }

    private func outputHTML(_ step: Step, _ result: StepResult?) -> String {
        guard let result, let run = entry.run else { return "" }
        return FigureRenderer(assetsDirectory: run.assetsDirectory, placement: placement)
            .output(result.output, stepCaption: step.options["caption"])
    }

    /// Public checks, shown as what they verify (their `@Test` names); their code folded away.
    private func checksHTML(_ step: Step, exerciseID: String, points: Int) -> String {
        let names = Self.testNames(step)
        var html = "<div class=\"checks\"><p>The checks for <code>\(escape(exerciseID))</code> (\(points) point\(points == 1 ? "" : "s") each) verify that your code</p><ul>"
        for name in names { html += "<li>\(escape(name))</li>" }
        html += "</ul><details><summary>Show the checks' code</summary>" + codeBlock(step, lines: step.lines) + "</details></div>\n"
        return html
    }

    /// The display names of the `@Test` functions in a test block (the function name when there is none).
    static func testNames(_ step: Step) -> [String] {
        var names: [String] = []
        for (i, line) in step.lines.enumerated() where line.contains("@Test") {
            if let start = line.range(of: "@Test(\""), let end = line[start.upperBound...].firstIndex(of: "\"") {
                names.append(String(line[start.upperBound..<end]))
            } else if let function = step.lines[i...].joined(separator: " ").range(of: "func ") {
                let rest = step.lines[i...].joined(separator: " ")[function.upperBound...]
                names.append(String(rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }) + "()")
            }
        }
        return names
    }
}

/// Links the first `<code>Name</code>` mention of each documented type in a lesson to its API page.
struct APILinker {
    /// Lower-cased symbol name → page address relative to DIR.
    var pages: [String: String]
    private var linked: Set<String> = []

    init(pages: [String: String]) { self.pages = pages }

    mutating func link(_ html: String) -> String {
        guard !pages.isEmpty else { return html }
        var out = ""
        var rest = Substring(html)
        while let open = rest.range(of: "<code>"), let close = rest[open.upperBound...].range(of: "</code>") {
            let content = String(rest[open.upperBound..<close.lowerBound])
            out += rest[..<open.lowerBound]
            // A bare identifier, or a call such as `saliency(…)`: link by the name before the parenthesis.
            let name = String(content.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
            let isSymbol = !name.isEmpty && (content == name || content.hasPrefix(name + "("))
            let inLink = out.range(of: "<a ", options: .backwards).map { out[$0.lowerBound...].contains("</a>") == false } ?? false
            if isSymbol, !inLink, let page = pages[name.lowercased()], !linked.contains(name) {
                linked.insert(name)
                out += "<a class=\"api\" href=\"\(escape(page))\"><code>\(content)</code></a>"
            } else {
                out += "<code>\(content)</code>"
            }
            rest = rest[close.upperBound...]
        }
        return out + rest
    }
}
