import Foundation

/// Hidden test blocks as a graded program compiles them. Swift Testing's `#expect` and `#require` keep the source
/// text of their expression and their comment in the binary, and the student's code runs in that binary: it could
/// print those strings into its feedback. Each call becomes a call of a helper of the block's suite that records only
/// pass or fail, and its comment is dropped, so no expression text or message of a hidden check is compiled in.
/// The literals a check compares with (numbers, strings) stay in the machine code: what a hidden check tests can
/// be dug out of memory by a determined student, but not read as source. Forms the helpers do not cover (exit tests,
/// `performing:`) are left as Swift Testing wrote them.
public enum HiddenCheckRewrite {
    /// The block's lines with its `#expect`/`#require` calls rewritten, and the helpers appended; `tag` makes the
    /// helpers' names unique per block (several hidden blocks can share a suite). Line numbers of the original lines
    /// do not change.
    public static func rewrite(_ lines: [String], tag: Int) -> [String] {
        let text = Array(lines.joined(separator: "\n").unicodeScalars)
        var scanner = SwiftScanner(text: text)
        var out = String.UnicodeScalarView()
        var copied = 0
        while let call = scanner.nextMacroCall(named: ["expect", "require"]) {
            guard let replacement = replacement(for: call, in: text, tag: tag) else { continue }
            out.append(contentsOf: text[copied..<call.start])
            out.append(contentsOf: replacement.unicodeScalars)
            copied = call.end
        }
        out.append(contentsOf: text[copied...])
        return String(out).components(separatedBy: "\n") + helpers(tag: tag)
    }

    /// `Self.__tutorHidden…(kept arguments)`, with the newlines of the dropped ones kept; nil for forms left alone.
    private static func replacement(for call: SwiftScanner.MacroCall, in text: [Unicode.Scalar], tag: Int) -> String? {
        var kept: [String] = []
        var dropped = ""
        for (index, range) in call.arguments.enumerated() {
            let argument = String(String.UnicodeScalarView(text[range]))
            let label = Self.label(of: argument)
            if let label, ["processExitsWith", "exitsWith", "performing"].contains(label) { return nil }
            // The condition or value comes first; an unlabeled argument after it is the comment.
            if label == "sourceLocation" || (label == nil && index > 0) {
                dropped += String(repeating: "\n", count: argument.filter { $0 == "\n" }.count)
            } else {
                kept.append(argument.trimmingCharacters(in: .whitespaces))
            }
        }
        let name = call.name == "expect" ? "Expect" : "Require"
        return "Self.__tutorHidden\(name)\(tag)(" + kept.joined(separator: ", ") + dropped + ")"
    }

    /// The argument label (`throws` in `throws: E.self`), if the argument has one.
    private static func label(of argument: String) -> String? {
        let trimmed = argument.drop { $0 == " " || $0 == "\n" || $0 == "\t" }
        let name = trimmed.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        guard !name.isEmpty, trimmed.dropFirst(name.count).first == ":" else { return nil }
        return String(name)
    }

    /// The helpers: static members of the suite, one overload per supported form, each recording a bare pass/fail.
    static func helpers(tag: Int) -> [String] {
        let expect = "__tutorHiddenExpect\(tag)", require = "__tutorHiddenRequire\(tag)"
        return [
            "static func \(expect)(_ condition: @autoclosure () throws -> Bool) { let passed = (try? condition()) ?? false; #expect(passed) }",
            "static func \(expect)<E: Error>(throws type: E.Type, performing body: () throws -> Void) { "
                + "let passed: Bool; do { try body(); passed = E.self == Never.self } catch { passed = E.self != Never.self && error is E }; #expect(passed) }",
            "static func \(expect)<E: Error & Equatable>(throws expected: E, performing body: () throws -> Void) { "
                + "var passed = false; do { try body() } catch { passed = (error as? E) == expected }; #expect(passed) }",
            "static func \(require)(_ condition: @autoclosure () throws -> Bool) throws { let passed = (try? condition()) ?? false; try #require(passed) }",
            "static func \(require)<T>(_ value: @autoclosure () throws -> T?) throws -> T { let found: T? = (try? value()) ?? nil; return try #require(found) }",
        ]
    }
}

/// Just enough of Swift's lexical structure to find macro calls in code: comments, string literals (with
/// interpolation, multi-line and raw forms) and bracket nesting.
struct SwiftScanner {
    struct MacroCall {
        var name: String
        /// From `#` to just past the closing parenthesis.
        var start: Int
        var end: Int
        /// Each top-level argument, between the commas.
        var arguments: [Range<Int>]
    }

    let text: [Unicode.Scalar]
    private var position = 0

    init(text: [Unicode.Scalar]) { self.text = text }

    /// The next `#name(…)` call in code (not in a comment or string), for one of `names`.
    mutating func nextMacroCall(named names: Set<String>) -> MacroCall? {
        while position < text.count {
            let c = text[position]
            if c == "/" && peek(1) == "/" { skipLineComment(); continue }
            if c == "/" && peek(1) == "*" { skipBlockComment(); continue }
            if c == "\"" || (c == "#" && rawStringStarts(at: position)) { skipString(); continue }
            if c == "#", position == 0 || !isIdentifier(text[position - 1]) {
                let nameStart = position + 1
                var i = nameStart
                while i < text.count, isIdentifier(text[i]) { i += 1 }
                let name = String(String.UnicodeScalarView(text[nameStart..<i]))
                if names.contains(name), i < text.count, text[i] == "(" {
                    let start = position
                    position = i + 1
                    guard let arguments = scanArguments() else { return nil }
                    return MacroCall(name: name, start: start, end: position, arguments: arguments)
                }
                position = max(i, position + 1)
                continue
            }
            position += 1
        }
        return nil
    }

    /// After an opening parenthesis: the top-level argument ranges up to the matching `)`, which is consumed.
    private mutating func scanArguments() -> [Range<Int>]? {
        var arguments: [Range<Int>] = []
        var start = position
        var depth = 0
        while position < text.count {
            let c = text[position]
            if c == "/" && peek(1) == "/" { skipLineComment(); continue }
            if c == "/" && peek(1) == "*" { skipBlockComment(); continue }
            if c == "\"" || (c == "#" && rawStringStarts(at: position)) { skipString(); continue }
            switch c {
            case "(", "[", "{": depth += 1
            case ")", "]", "}":
                if depth == 0 {
                    guard c == ")" else { return nil }
                    if position > start || !arguments.isEmpty { arguments.append(start..<position) }
                    position += 1
                    return arguments
                }
                depth -= 1
            case "," where depth == 0:
                arguments.append(start..<position)
                start = position + 1
            default: break
            }
            position += 1
        }
        return nil
    }

    private func peek(_ offset: Int) -> Unicode.Scalar? {
        position + offset < text.count ? text[position + offset] : nil
    }

    private func isIdentifier(_ c: Unicode.Scalar) -> Bool {
        c == "_" || c.properties.isAlphabetic || ("0"..."9").contains(c)
    }

    private func rawStringStarts(at index: Int) -> Bool {
        var i = index
        while i < text.count, text[i] == "#" { i += 1 }
        return i < text.count && text[i] == "\"" && i > index
    }

    private mutating func skipLineComment() {
        while position < text.count, text[position] != "\n" { position += 1 }
    }

    private mutating func skipBlockComment() {
        var depth = 0
        while position < text.count {
            if text[position] == "/" && peek(1) == "*" { depth += 1; position += 2; continue }
            if text[position] == "*" && peek(1) == "/" {
                depth -= 1
                position += 2
                if depth == 0 { return }
                continue
            }
            position += 1
        }
    }

    /// Skips a string literal starting at `position` (`#`s, then one or three quotes), interpolations included.
    private mutating func skipString() {
        var hashes = 0
        while position < text.count, text[position] == "#" { hashes += 1; position += 1 }
        let multiline = peek(0) == "\"" && peek(1) == "\"" && peek(2) == "\""
        position += multiline ? 3 : 1
        while position < text.count {
            let c = text[position]
            if c == "\\" && hashesFollow(position + 1) == hashes {
                position += 1 + hashes
                if peek(0) == "(" {
                    position += 1
                    _ = scanArguments()   // the interpolation's code, up to its closing parenthesis
                } else {
                    position += 1
                }
                continue
            }
            let closes = multiline ? (c == "\"" && peek(1) == "\"" && peek(2) == "\"") : c == "\""
            if closes && hashesFollow(position + (multiline ? 3 : 1)) >= hashes {
                position += (multiline ? 3 : 1) + hashes
                return
            }
            if !multiline && c == "\n" { return }
            position += 1
        }
    }

    private func hashesFollow(_ index: Int) -> Int {
        var i = index
        while i < text.count, text[i] == "#" { i += 1 }
        return i - index
    }
}
