import Foundation

/// The student form of a lesson: what a learner gets in place of the author's file. Solution regions become one
/// `TODO("hint")` line (the hint comes from a `// hint: …` line inside the region), and `hidden` test blocks go
/// away with their fences, so neither the reference nor the hidden checks leave a trace (no names, points or
/// line counts). `tutor release`, `tutor grade` and `tutor site` all use this one transformation.
public enum StudentForm {
    /// The hint of a solution region: its `// hint: …` lines joined, or a generic prompt.
    public static func hint(in lines: [String], region: ClosedRange<Int>) -> String {
        var parts: [String] = []
        for i in region {
            let trimmed = lines[i].trimmingCharacters(in: .whitespaces)
            guard trimmed.lowercased().hasPrefix("// hint:") else { continue }
            let text = trimmed.dropFirst("// hint:".count).trimmingCharacters(in: .whitespaces)
            if !text.isEmpty { parts.append(text) }
        }
        return parts.isEmpty ? "replace this with your solution" : parts.joined(separator: " ")
    }

    /// An exercise's code with each solution region collapsed to one `TODO("hint")` line at the region's indentation.
    public static func exerciseLines(_ step: Step) -> [String] {
        var result: [String] = []
        var next = 0
        for region in step.solutionRegions.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            result += step.lines[next..<region.lowerBound]
            let body = region.lowerBound + 1 <= region.upperBound - 1 ? Array(step.lines[(region.lowerBound + 1)...(region.upperBound - 1)]) : []
            let first = body.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? step.lines[region.lowerBound]
            let indent = String(first.prefix { $0 == " " || $0 == "\t" })
            result.append(indent + "TODO(" + swiftStringLiteral(hint(in: step.lines, region: region)) + ")")
            next = region.upperBound + 1
        }
        result += step.lines[next...]
        return result
    }

    /// The released Markdown of a lesson: exercises in their student form, hidden test blocks removed.
    /// `lesson` must have been parsed from `text` (line numbers refer to it).
    public static func releasedText(of lesson: Lesson) -> String {
        let source = normalizedLines(lesson.text)
        var replaced: [Int: [String]] = [:]    // 0-based first code line → new code lines
        var codeCount: [Int: Int] = [:]
        var dropped: [ClosedRange<Int>] = []   // 0-based line ranges, fence to fence
        for step in lesson.steps {
            let first = step.fenceLine  // 0-based index of the first code line
            switch step.role {
            case .exercise where !step.solutionRegions.isEmpty:
                replaced[first] = exerciseLines(step)
                codeCount[first] = step.lines.count
            case .test(_, _, true):
                let close = closingFence(of: step, in: source)
                var lower = step.fenceLine - 1
                // Take one neighbouring blank line along, so no double gap marks the spot.
                if close + 1 < source.count, source[close + 1].trimmingCharacters(in: .whitespaces).isEmpty,
                   lower > 0, source[lower - 1].trimmingCharacters(in: .whitespaces).isEmpty {
                    lower -= 1
                }
                dropped.append(lower...close)
            default: continue
            }
        }
        var out: [String] = []
        var i = 0
        while i < source.count {
            if let range = dropped.first(where: { $0.contains(i) }) { i = range.upperBound + 1; continue }
            if let lines = replaced[i] {
                out += lines
                i += codeCount[i]!
                continue
            }
            out.append(source[i])
            i += 1
        }
        return out.joined(separator: "\n")
    }

    /// The lines of a lesson text with CRLF/CR line endings and a byte-order mark removed.
    public static func normalizedLines(_ text: String) -> [String] {
        normalized(text).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// The text with a leading byte-order mark dropped and CRLF and lone CR turned into LF.
    public static func normalized(_ text: String) -> String {
        var text = text
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        guard text.contains("\r") else { return text }
        // "\r\n" is one Character in Swift, so go through the scalars.
        var scalars = String.UnicodeScalarView()
        var previousCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\r" { scalars.append("\n"); previousCR = true; continue }
            if scalar == "\n" && previousCR { previousCR = false; continue }
            previousCR = false
            scalars.append(scalar)
        }
        return String(scalars)
    }

    /// 0-based index of a step's closing fence line.
    static func closingFence(of step: Step, in lines: [String]) -> Int {
        let expected = step.fenceLine + step.lines.count  // fence (1-based) + code lines = closing line, 0-based
        let fence = lines[step.fenceLine - 1].trimmingCharacters(in: .whitespaces).prefix { $0 == "`" || $0 == "~" }
        var i = min(expected, lines.count - 1)
        while i < lines.count - 1 && !lines[i].trimmingCharacters(in: .whitespaces).hasPrefix(fence) { i += 1 }
        return i
    }
}
