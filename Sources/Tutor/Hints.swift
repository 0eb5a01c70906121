import Foundation

/// An exercise's hints, written in the lesson as an HTML comment so that rendered Markdown (GitHub, an editor's
/// preview, the site, reports) never shows them and the student form keeps them as ordinary prose:
///
///     <!-- hints for=deconvnet-relu
///     1. What the rule keeps, in words.
///     2. Which API call does it (`Tensor.map`).
///     3. Nearly the solution.
///     -->
///
/// Items start with `1.` (any number) or `-`; other non-blank lines continue the item above. `tutor hint`
/// shows them one at a time, in this order.
public struct HintBlock: Sendable, Equatable {
    /// The exercise the hints are for.
    public var exerciseID: String
    /// Markdown line of the `<!-- hints` line.
    public var line: Int
    /// The hints, in order.
    public var hints: [String]

    /// True when a top-level HTML block's first line opens a hints comment (or a misspelt one, which `parse` reports).
    static func opens(_ firstLine: String) -> Bool {
        let trimmed = firstLine.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("<!--") else { return false }
        let head = trimmed.dropFirst(4).trimmingCharacters(in: .whitespaces).lowercased()
        return head.hasPrefix("hints ") || head.hasPrefix("hint ") || head == "hints" || head == "hint"
    }

    /// Parses the source lines of a hints comment (the first at Markdown line `startLine`); problems go to `report`.
    static func parse(_ lines: [String], startLine: Int, report: (Int, String) -> Void) -> HintBlock? {
        guard let first = lines.first else { return nil }
        var head = first.trimmingCharacters(in: .whitespaces).dropFirst(4).trimmingCharacters(in: .whitespaces)
        var body = Array(lines.dropFirst())
        var closedOnFirstLine = false
        if head.hasSuffix("-->") {
            head = String(head.dropLast(3)).trimmingCharacters(in: .whitespaces)
            closedOnFirstLine = true
        }
        let words = head.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
        guard words.first == "hints" else {
            report(startLine, "a hints comment starts `<!-- hints for=EXERCISE-ID` (found `<!-- \(words.first ?? "")`)")
            return nil
        }
        guard words.count == 2, words[1].hasPrefix("for="), words[1].count > 4 else {
            report(startLine, "a hints comment names its exercise and nothing else: `<!-- hints for=EXERCISE-ID`")
            return nil
        }
        let id = String(words[1].dropFirst(4))
        if closedOnFirstLine { body = [] }
        var hints: [String] = []
        var closed = closedOnFirstLine
        for (offset, raw) in body.enumerated() {
            let line = startLine + 1 + offset
            var text = raw.trimmingCharacters(in: .whitespaces)
            if let end = text.range(of: "-->") {
                guard text[end.upperBound...].trimmingCharacters(in: .whitespaces).isEmpty else {
                    report(line, "nothing may follow `-->` on the line that closes a hints comment")
                    return nil
                }
                text = String(text[..<end.lowerBound]).trimmingCharacters(in: .whitespaces)
                closed = true
            }
            if !text.isEmpty {
                if let item = itemText(text) {
                    hints.append(item)
                } else if hints.isEmpty {
                    report(line, "each hint starts with `1.` (or `-`); this line comes before the first one")
                    return nil
                } else {
                    hints[hints.count - 1] += " " + text
                }
            }
            if closed { break }
        }
        guard closed else {
            report(startLine, "the hints comment opened here is never closed (add a `-->` line)")
            return nil
        }
        hints = hints.map { $0.trimmingCharacters(in: .whitespaces) }
        guard !hints.isEmpty, hints.allSatisfy({ !$0.isEmpty }) else {
            report(startLine, "the hints for `\(id)` are empty: write one hint per `1.` / `-` item")
            return nil
        }
        return HintBlock(exerciseID: id, line: startLine, hints: hints)
    }

    /// The text of a list item line (`1. text`, `2) text`, `- text`, `* text`), or nil for a continuation line.
    private static func itemText(_ line: String) -> String? {
        if line.hasPrefix("- ") || line.hasPrefix("* ") { return String(line.dropFirst(2)) }
        let digits = line.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 3 else { return nil }
        let rest = line.dropFirst(digits.count)
        guard let marker = rest.first, marker == "." || marker == ")" else { return nil }
        let after = rest.dropFirst()
        guard after.isEmpty || after.first == " " else { return nil }
        return after.trimmingCharacters(in: .whitespaces)
    }
}
