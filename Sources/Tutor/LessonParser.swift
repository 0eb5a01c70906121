import Foundation

/// Turns Markdown text into a validated `Lesson` (all problems reported at once, each with its line).
public enum LessonParser {
    /// Reads and parses a lesson file.
    public static func parse(file path: String) throws -> Lesson {
        // The name goes into generated source and one-line diagnostics: control characters would break both.
        if path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw TutorError.io(path: path.debugDescription, reason: "the lesson's path contains a control character (a newline or tab); rename the file")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw TutorError.io(path: path, reason: "cannot read the lesson (missing file or not UTF-8)")
        }
        return try parse(text: text, path: path)
    }

    /// Parses lesson text; `path` names the file in messages and `#sourceLocation`.
    public static func parse(text: String, path: String) throws -> Lesson {
        let text = CMark.normalizingLineEndings(text)
        let sourceLines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var issues: [LessonIssue] = []
        func issue(_ line: Int, _ message: String) { issues.append(LessonIssue(file: path, line: line, message: message)) }

        var blocks: [LessonBlock] = []
        var steps: [Step] = []
        var usedAnchors: Set<String> = []
        var title: String?
        var hintBlocks: [HintBlock] = []
        for block in CMark.parse(text) {
            if block.nesting > CMark.maxNesting {
                issue(block.startLine, "Markdown nested \(block.nesting) levels deep (quotes, lists or emphasis); at most \(CMark.maxNesting) are allowed")
                continue
            }
            for line in block.nestedSwiftBlockLines {
                issue(line, "a swift step inside a list or quote cannot run; move the fence to the top level")
            }
            switch block.kind {
            case .heading(let level, let text):
                if title == nil { title = text }
                var anchor = slug(text)
                var n = 2
                while usedAnchors.contains(anchor) { anchor = slug(text) + "-\(n)"; n += 1 }
                usedAnchors.insert(anchor)
                let html = block.html.replacingOccurrences(of: "<h\(level)>", with: "<h\(level) id=\"\(anchor)\">")
                blocks.append(.prose(html: html, heading: Heading(level: level, text: text, anchor: anchor)))
            case .other:
                let first = block.startLine - 1 < sourceLines.count ? sourceLines[block.startLine - 1] : ""
                if HintBlock.opens(first) {
                    // Hints never become prose: reports and the site must not carry them, not even as a comment.
                    // cmark's end line for an HTML block can stop short of its `-->` line: find the end as cmark does.
                    var end = block.startLine
                    while end < sourceLines.count, !sourceLines[end - 1].contains("-->") { end += 1 }
                    if let hints = HintBlock.parse(Array(sourceLines[(block.startLine - 1)..<end]), startLine: block.startLine, report: issue) {
                        hintBlocks.append(hints)
                    }
                    continue
                }
                blocks.append(.prose(html: block.html, heading: nil))
            case .code(let info, let literal, _):
                let fenceText = block.startLine - 1 < sourceLines.count ? sourceLines[block.startLine - 1] : ""
                let trimmed = fenceText.drop { $0 == " " }
                let isFenced = trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~")
                let words = info.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
                guard isFenced, words.first == "swift" else {
                    blocks.append(.prose(html: block.html, heading: nil))
                    continue
                }
                // An unclosed fence swallows the rest of the file: cmark accepts it, a lesson must not.
                let fence = String(trimmed.prefix { $0 == trimmed.first })
                let endText = block.endLine - 1 < sourceLines.count ? sourceLines[block.endLine - 1] : ""
                let closed = block.endLine > block.startLine && endText.drop { $0 == " " }.hasPrefix(fence)
                if !closed {
                    issue(block.startLine, "the code fence opened here is never closed (add a closing \(fence) line)")
                }
                var codeLines = literal.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                if codeLines.last == "" { codeLines.removeLast() }
                if let step = makeStep(index: steps.count, fenceLine: block.startLine, words: Array(words.dropFirst()),
                                       lines: codeLines, report: issue) {
                    steps.append(step)
                    blocks.append(.step(step))
                }
            }
        }

        // Cross-block checks: duplicate exercise ids, tests for missing exercises.
        var exerciseLines: [String: Int] = [:]
        var normalizedIDs: [String: (id: String, line: Int)] = [:]
        for step in steps {
            guard let id = step.exerciseID else { continue }
            if let first = exerciseLines[id] {
                issue(step.fenceLine, "duplicate exercise id `\(id)` (first used at line \(first))")
            } else if let other = normalizedIDs[normalizedExerciseID(id)] {
                issue(step.fenceLine, "exercise id `\(id)` is too close to `\(other.id)` (line \(other.line)): ids must differ in more than case, `-` and `_`")
            } else {
                exerciseLines[id] = step.fenceLine
                normalizedIDs[normalizedExerciseID(id)] = (id, step.fenceLine)
            }
        }
        for step in steps {
            if case .test(let id, _, _) = step.role, exerciseLines[id] == nil {
                let known = exerciseLines.keys.sorted().map { "`\($0)`" }.joined(separator: ", ")
                issue(step.fenceLine, "test for missing exercise `\(id)`" + (known.isEmpty ? " (the lesson has no exercises)" : " (exercises: \(known))"))
            }
        }
        checkHints(hintBlocks, exercises: exerciseLines, report: issue)
        if !issues.isEmpty { throw TutorError.invalidLesson(issues.sorted { $0.line < $1.line }) }

        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return Lesson(path: path, name: name, title: title ?? name, text: text, blocks: blocks, hintBlocks: hintBlocks)
    }

    /// Hints must name an exercise of the lesson, once.
    private static func checkHints(_ blocks: [HintBlock], exercises: [String: Int], report: (Int, String) -> Void) {
        var seen: [String: Int] = [:]
        for block in blocks {
            if exercises[block.exerciseID] == nil {
                let known = exercises.keys.sorted().map { "`\($0)`" }.joined(separator: ", ")
                report(block.line, "hints for missing exercise `\(block.exerciseID)`" + (known.isEmpty ? " (the lesson has no exercises)" : " (exercises: \(known))"))
            } else if let first = seen[block.exerciseID] {
                report(block.line, "a second hints comment for `\(block.exerciseID)` (the first is at line \(first)); put all its hints in one")
            } else {
                seen[block.exerciseID] = block.line
            }
        }
    }

    /// `#sourceLocation`, or the old `#line N "file"` form (an error that still moves later diagnostics), if the line
    /// starts with one.
    static func diagnosticDirective(_ trimmed: String) -> String? {
        if trimmed.hasPrefix("#sourceLocation") { return "#sourceLocation" }
        if trimmed.hasPrefix("#line"), trimmed.dropFirst(5).first?.isWhitespace == true,
           trimmed.dropFirst(5).trimmingCharacters(in: .whitespaces).first?.isNumber == true { return "#line" }
        return nil
    }

    /// The most points one test block may give.
    static let maxPoints = 1000

    /// Exercise ids that are equal after this name the same generated code, anchors and gradebook columns.
    static func normalizedExerciseID(_ id: String) -> String {
        String(id.lowercased().map { $0 == "-" ? "_" : $0 })
    }

    private static let flagWords: Set<String> = ["setup", "should-trap", "compile-fail", "no-run", "hidden", "exercise", "test"]
    private static let valueWords: Set<String> = ["id", "for", "points", "timeout"]

    private static func makeStep(index: Int, fenceLine: Int, words: [String], lines: [String],
                                 report: (Int, String) -> Void) -> Step? {
        var flags: Set<String> = []
        var values: [String: String] = [:]
        var ok = true
        for word in words {
            if let eq = word.firstIndex(of: "=") {
                let key = String(word[..<eq]), value = String(word[word.index(after: eq)...])
                guard valueWords.contains(key) else {
                    report(fenceLine, "unknown attribute `\(key)=` (valid: id=, for=, points=, timeout=)"); ok = false; continue
                }
                guard !value.isEmpty else { report(fenceLine, "attribute `\(key)=` needs a value"); ok = false; continue }
                values[key] = value
            } else if flagWords.contains(word) {
                flags.insert(word)
            } else {
                report(fenceLine, "unknown attribute `\(word)` (valid: exercise, test, setup, hidden, should-trap, compile-fail, no-run, id=, for=, points=, timeout=)")
                ok = false
            }
        }
        var role = StepRole.code
        if flags.contains("exercise") && flags.contains("test") {
            report(fenceLine, "a block is either `exercise` or `test`, not both"); ok = false
        } else if flags.contains("exercise") {
            guard let id = values["id"] else { report(fenceLine, "`exercise` needs `id=NAME`"); return nil }
            guard id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                report(fenceLine, "exercise id `\(id)` may use only letters, digits, `-` and `_`"); return nil
            }
            role = .exercise(id: id)
        } else if flags.contains("test") {
            guard let id = values["for"] else { report(fenceLine, "`test` needs `for=EXERCISE-ID`"); return nil }
            var points = 1
            if let text = values["points"] {
                if let value = Int(text), (0...maxPoints).contains(value) { points = value } else {
                    report(fenceLine, "`points=\(text)` is not a whole number from 0 to \(maxPoints)"); ok = false
                }
            }
            role = .test(exerciseID: id, points: points, hidden: flags.contains("hidden"))
        } else if flags.contains("setup") {
            role = .setup
        }
        for key in ["id"] where values[key] != nil && !flags.contains("exercise") {
            report(fenceLine, "`id=` belongs to `exercise` blocks"); ok = false
        }
        for key in ["for", "points"] where values[key] != nil && !flags.contains("test") {
            report(fenceLine, "`\(key)=` belongs to `test` blocks"); ok = false
        }
        if flags.contains("hidden") && !flags.contains("test") {
            report(fenceLine, "`hidden` belongs to `test` blocks (use `setup` or `// snippet.hide` to hide code)"); ok = false
        }
        let expectations = ["should-trap", "compile-fail", "no-run"].filter(flags.contains)
        if expectations.count > 1 {
            report(fenceLine, "choose one of should-trap, compile-fail, no-run (found \(expectations.joined(separator: ", ")))"); ok = false
        }
        let expectation = expectations.first.flatMap(StepExpectation.init(rawValue:)) ?? .runs
        if expectation != .runs, case .test = role {
            report(fenceLine, "`\(expectation.rawValue)` cannot be used on a test block"); ok = false
        }
        var timeout: Double?
        if let text = values["timeout"] {
            if let seconds = parseDuration(text) { timeout = seconds } else {
                report(fenceLine, "`timeout=\(text)` is not a duration (use e.g. 30s, 500ms, 2m)"); ok = false
            }
        }

        // Line markers: options, hidden regions, solution regions.
        var visible = Array(repeating: true, count: lines.count)
        var options: [String: String] = [:]
        var regions: [ClosedRange<Int>] = []
        var regionStart: Int?
        var hiding = false
        var leading = true
        for (i, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let markdownLine = fenceLine + 1 + i
            if leading, trimmed.hasPrefix("//|") {
                visible[i] = false
                let option = trimmed.dropFirst(3).trimmingCharacters(in: .whitespaces)
                if let colon = option.firstIndex(of: ":") {
                    let key = option[..<colon].trimmingCharacters(in: .whitespaces)
                    let value = option[option.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    if ["alt", "caption"].contains(key) { options[key] = value } else {
                        report(markdownLine, "unknown option `//| \(key):` (valid: alt, caption)"); ok = false
                    }
                } else {
                    report(markdownLine, "an option line reads `//| key: value`"); ok = false
                }
                continue
            }
            leading = false
            if let directive = diagnosticDirective(trimmed) {
                report(markdownLine, "`\(directive)` would move diagnostics and traps away from this line; lesson code may not use it"); ok = false
            }
            switch trimmed {
            case "// snippet.hide": hiding = true; visible[i] = false
            case "// snippet.show": hiding = false; visible[i] = false
            case "// BEGIN SOLUTION":
                if let start = regionStart {
                    report(markdownLine, "`// BEGIN SOLUTION` inside the solution region opened at line \(fenceLine + 1 + start)"); ok = false
                }
                regionStart = i; visible[i] = false
            case "// END SOLUTION":
                if let start = regionStart { regions.append(start...i) } else {
                    report(markdownLine, "`// END SOLUTION` without a `// BEGIN SOLUTION` before it"); ok = false
                }
                regionStart = nil; visible[i] = false
            default:
                if hiding { visible[i] = false }
            }
        }
        if let start = regionStart {
            report(fenceLine + 1 + start, "unterminated solution region: `// BEGIN SOLUTION` has no `// END SOLUTION` before the end of the block"); ok = false
        }
        if !regions.isEmpty, role.exerciseIDOrNil == nil {
            report(fenceLine + 1 + regions[0].lowerBound, "solution regions belong in `exercise` blocks"); ok = false
        }
        guard ok else { return nil }
        return Step(index: index, fenceLine: fenceLine, role: role, expectation: expectation, timeout: timeout,
                    lines: lines, visible: visible, options: options, solutionRegions: regions)
    }

    /// Parses `30s`, `500ms`, `2m` or a plain number of seconds.
    static func parseDuration(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)), value > 0 { return value * scale }
        }
        if let value = Double(text), value > 0 { return value }
        return nil
    }

    static func slug(_ text: String) -> String {
        let lowered = text.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        let collapsed = String(lowered).split(separator: "-").joined(separator: "-")
        return collapsed.isEmpty ? "section" : collapsed
    }
}

extension StepRole {
    var exerciseIDOrNil: String? { if case .exercise(let id) = self { id } else { nil } }
}
