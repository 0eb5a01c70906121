import Foundation

/// A fenced `swift` block found in any Markdown text, valid lesson or not (a student's file may no longer parse as
/// a lesson): what `tutor grade` compares and splices, and what a release manifest hashes.
public struct ScannedBlock: Sendable, Equatable {
    /// The info string's words after `swift`.
    public var words: [String]
    /// Markdown line of the opening fence (1-based).
    public var fenceLine: Int
    /// The code, one entry per line.
    public var lines: [String]

    /// The `id=` of an `exercise` block.
    public var exerciseID: String? { words.contains("exercise") ? value("id") : nil }
    /// The `for=` of a `test` block.
    public var testFor: String? { words.contains("test") ? value("for") : nil }
    public var isHiddenTest: Bool { words.contains("test") && words.contains("hidden") }

    /// What kind of locked block this is, in words (for change lists).
    public var kindDescription: String {
        if let id = testFor { return (isHiddenTest ? "hidden test" : "public test") + " for `\(id)`" }
        if words.contains("setup") { return "setup step" }
        return "step"
    }

    /// SHA-256 of the attributes and the code, insensitive to trailing spaces and trailing blank lines (editors
    /// change those without the learner meaning to).
    public var sha256: String {
        var code = lines.map { line in String(line.reversed().drop { $0 == " " || $0 == "\t" }.reversed()) }
        while code.last?.isEmpty == true { code.removeLast() }
        return SHA256.hex((["swift"] + words).joined(separator: " ") + "\n" + code.joined(separator: "\n"))
    }

    private func value(_ key: String) -> String? {
        words.first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
    }

    /// The top-level fenced `swift` blocks of a Markdown text (CRLF already normalised), in order.
    public static func scan(_ text: String) -> [ScannedBlock] {
        let sourceLines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var result: [ScannedBlock] = []
        for block in CMark.parse(text) {
            guard case .code(let info, let literal, _) = block.kind else { continue }
            let fenceText = block.startLine - 1 < sourceLines.count ? sourceLines[block.startLine - 1] : ""
            let trimmed = fenceText.drop { $0 == " " }
            guard trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") else { continue }
            let words = info.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
            guard words.first == "swift" else { continue }
            var lines = literal.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() }
            result.append(ScannedBlock(words: Array(words.dropFirst()), fenceLine: block.startLine, lines: lines))
        }
        return result
    }
}

/// A block of the released lesson the learner must leave alone (a step or a public test), by hash.
public struct LockedBlock: Sendable, Codable, Equatable {
    /// step, setup or test.
    public var kind: String
    /// For tests: the exercise they check.
    public var exercise: String?
    /// Markdown line of the fence in the released file.
    public var line: Int
    public var sha256: String

    /// The locked blocks of a (released) lesson text, in order: every `swift` block that is not an exercise.
    public static func blocks(of text: String) -> [LockedBlock] {
        ScannedBlock.scan(text).filter { $0.exerciseID == nil }.map { block in
            LockedBlock(kind: block.testFor != nil ? "test" : block.words.contains("setup") ? "setup" : "step",
                        exercise: block.testFor, line: block.fenceLine, sha256: block.sha256)
        }
    }
}
