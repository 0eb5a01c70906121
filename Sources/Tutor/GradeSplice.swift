import Foundation

/// Puts a student's exercise code into the instructor's lesson: every other line of the graded file comes from
/// the instructor's copy, so steps, public and hidden tests are the originals whatever the student handed in.
enum GradeSplice {
    /// The graded file: the released form of the instructor's lesson with each exercise's code replaced by
    /// `code[id]` (absent: the `TODO()` form), and the hidden test blocks appended at the end (their macros rewritten). Built on the released
    /// form, every line keeps the number it has in the student's own copy, so feedback lines match their file and
    /// say nothing about the hidden blocks.
    static func splice(_ source: Lesson, code: [String: [String]]) -> String {
        let released = (try? LessonParser.parse(text: StudentForm.releasedText(of: source), path: source.path)) ?? source
        var lines = StudentForm.normalizedLines(released.text)
        // Bottom-up, so earlier line numbers stay valid.
        for step in released.exercises.sorted(by: { $0.fenceLine > $1.fenceLine }) {
            let replacement = code[step.exerciseID!].map(sanitized) ?? step.lines
            let close = StudentForm.closingFence(of: step, in: lines)
            let openLine = lines[step.fenceLine - 1]
            let indent = String(openLine.prefix { $0 == " " })
            let info = openLine.drop { $0 == " " }.drop { $0 == "`" || $0 == "~" }
            let fence = String(repeating: "`", count: max(3, longestFenceRun(replacement) + 1))
            lines.replaceSubrange((step.fenceLine - 1)...close, with: [indent + fence + info] + replacement + [indent + fence])
        }
        let sourceLines = StudentForm.normalizedLines(source.text)
        for step in source.steps {
            guard case .test(_, _, true) = step.role else { continue }
            let block = Array(sourceLines[(step.fenceLine - 1)...StudentForm.closingFence(of: step, in: sourceLines)])
            // Compiled without the source text Swift Testing's macros would keep (HiddenCheckRewrite).
            lines += [""] + [block[0]] + HiddenCheckRewrite.rewrite(Array(block.dropFirst().dropLast()), tag: step.index) + [block[block.count - 1]]
        }
        return lines.joined(separator: "\n")
    }

    /// Student code made safe to splice: solution markers and leading `//|` option lines (which would change how
    /// the block parses) become plain comments.
    static func sanitized(_ lines: [String]) -> [String] {
        var leading = true
        return lines.map { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            defer { if !trimmed.hasPrefix("//|") { leading = false } }
            if trimmed == "// BEGIN SOLUTION" || trimmed == "// END SOLUTION" { return line.replacingOccurrences(of: "// ", with: "// (marker) ") }
            if leading && trimmed.hasPrefix("//|") { return line.replacingOccurrences(of: "//|", with: "// |") }
            return line
        }
    }

    /// The longest run of backticks or tildes that starts a line (a fence inside the code must not close ours).
    private static func longestFenceRun(_ lines: [String]) -> Int {
        lines.map { line in
            let trimmed = line.drop { $0 == " " }
            return max(trimmed.prefix { $0 == "`" }.count, trimmed.prefix { $0 == "~" }.count)
        }.max() ?? 0
    }

    /// Names an exercise declares at its top level (functions, types, constants), for finding the steps that use it.
    static func declaredNames(_ step: Step) -> Set<String> {
        var names = Set<String>()
        let keywords: Set<String> = ["func", "let", "var", "struct", "class", "enum", "protocol", "typealias", "actor"]
        for line in step.lines {
            let words = line.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).map(String.init)
            for (i, word) in words.enumerated() where keywords.contains(word) && i + 1 < words.count {
                names.insert(words[i + 1])
            }
        }
        return names
    }

    /// True when `code` mentions `name` as a whole identifier.
    static func mentions(_ code: [String], _ name: String) -> Bool {
        for line in code {
            var rest = Substring(line)
            while let range = rest.range(of: name) {
                let before = rest[..<range.lowerBound].last, after = rest[range.upperBound...].first
                let isPart: (Character?) -> Bool = { c in c.map { $0.isLetter || $0.isNumber || $0 == "_" } ?? false }
                if !isPart(before) && !isPart(after) { return true }
                rest = rest[range.upperBound...]
            }
        }
        return false
    }
}
