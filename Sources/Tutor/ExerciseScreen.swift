import Foundation

/// A token of Swift source: an identifier or keyword, an attribute (`@x`), a directive (`#x`), or one punctuation
/// character; comments and string literals are skipped.
struct SwiftToken: Equatable {
    enum Kind { case word, attribute, directive, symbol }
    var kind: Kind
    var text: String
    /// Index of the line in the scanned lines (0-based).
    var line: Int
}

/// A small Swift lexer: enough to find declarations, extensions, attributes and directives outside comments and strings.
enum SwiftLexer {
    static func tokens(_ lines: [String]) -> [SwiftToken] {
        var tokens: [SwiftToken] = []
        var blockComment = 0
        var multilineString: String?  // the closing delimiter while inside a multi-line string
        for (number, line) in lines.enumerated() {
            let chars = Array(line)
            var i = 0
            func peek(_ offset: Int) -> Character? { i + offset < chars.count ? chars[i + offset] : nil }
            while i < chars.count {
                if let closing = multilineString {
                    if String(chars[i...]).hasPrefix(closing) { i += closing.count; multilineString = nil } else { i += 1 }
                    continue
                }
                if blockComment > 0 {
                    if chars[i] == "*" && peek(1) == "/" { blockComment -= 1; i += 2 }
                    else if chars[i] == "/" && peek(1) == "*" { blockComment += 1; i += 2 }
                    else { i += 1 }
                    continue
                }
                let c = chars[i]
                if c == "/" && peek(1) == "/" { break }
                if c == "/" && peek(1) == "*" { blockComment = 1; i += 2; continue }
                if c == "#" || c == "\"" {
                    // Raw and ordinary strings: count the leading #s, then a quote.
                    var hashes = 0
                    while peek(hashes) == "#" { hashes += 1 }
                    if peek(hashes) == "\"" {
                        let pounds = String(repeating: "#", count: hashes)
                        if peek(hashes + 1) == "\"" && peek(hashes + 2) == "\"" {
                            multilineString = "\"\"\"" + pounds
                            i += hashes + 3
                            continue
                        }
                        i += hashes + 1
                        while i < chars.count {
                            if chars[i] == "\\" && hashes == 0 { i += 2; continue }
                            if chars[i] == "\"" && String(chars[(i + 1)...]).hasPrefix(pounds) { i += 1 + hashes; break }
                            i += 1
                        }
                        continue
                    }
                }
                if c == "@" || c == "#" || c == "_" || c.isLetter || c == "`" {
                    var j = i + (c == "@" || c == "#" || c == "`" ? 1 : 0)
                    while j < chars.count && (chars[j] == "_" || chars[j].isLetter || chars[j].isNumber) { j += 1 }
                    var text = String(chars[(c == "`" ? i + 1 : i)..<j])
                    if c == "`" && j < chars.count && chars[j] == "`" { j += 1 }
                    let kind: SwiftToken.Kind = c == "@" ? .attribute : c == "#" ? .directive : .word
                    if kind != .word { text = String(text.dropFirst()) }
                    tokens.append(SwiftToken(kind: kind, text: text, line: number))
                    i = max(j, i + 1)
                    continue
                }
                if c.isNumber { while i < chars.count && (chars[i].isNumber || chars[i].isLetter || chars[i] == "." || chars[i] == "_") { i += 1 }; continue }
                if !c.isWhitespace { tokens.append(SwiftToken(kind: .symbol, text: String(c), line: number)) }
                i += 1
            }
        }
        return tokens
    }
}

/// A reason lesson code is refused before it is compiled, at its Markdown line.
struct ScreenFinding: Equatable {
    var line: Int
    var message: String
}

/// Screens exercise code (the part a learner writes) for what could change what the checks see or where
/// diagnostics point: directives that move diagnostics, compiler-internal attributes, extensions of types the
/// lesson does not declare (generated suites, library types), names reserved for the runner, top-level operator
/// functions, and (with a library lookup) top-level names that would shadow a library declaration.
struct ExerciseScreen {
    /// Module names a lesson program imports: declaring one would hijack module-qualified names.
    static let moduleNames: Set<String> = ["Swift", "Foundation", "Glibc", "Testing", "LessonRuntime", "Engine", "Imaging",
                                           "Models", "Attribution", "Course", "Dispatch", "_Concurrency", "LessonProgram"]
    private static let typeKeywords: Set<String> = ["struct", "class", "enum", "actor", "protocol", "typealias"]
    private static let declarationKeywords: Set<String> = typeKeywords.union(["func", "var", "let", "macro"])

    /// Type names the lesson's own steps declare (any depth): exercises may extend these.
    let lessonTypes: Set<String>

    init(lesson: Lesson) {
        var types: Set<String> = []
        for step in lesson.steps where !step.isTest {
            let tokens = SwiftLexer.tokens(step.lines)
            for (i, token) in tokens.enumerated() where token.kind == .word && Self.typeKeywords.contains(token.text) {
                if i + 1 < tokens.count, tokens[i + 1].kind == .word { types.insert(tokens[i + 1].text) }
            }
        }
        lessonTypes = types
    }

    /// Problems in one exercise's code (`lines` as it will be compiled), at Markdown lines of `step`.
    func findings(in step: Step, lines: [String]) -> [ScreenFinding] {
        let tokens = SwiftLexer.tokens(lines)
        var findings: [ScreenFinding] = []
        func report(_ token: SwiftToken, _ message: String) {
            findings.append(ScreenFinding(line: step.markdownLine(token.line), message: message))
        }
        var depth = 0
        for (i, token) in tokens.enumerated() {
            let next = i + 1 < tokens.count ? tokens[i + 1] : nil
            switch token.kind {
            case .symbol:
                if token.text == "{" { depth += 1 } else if token.text == "}" { depth = max(0, depth - 1) }
            case .directive where token.text == "sourceLocation":
                report(token, "`#sourceLocation` would move diagnostics and traps away from this line; lesson code may not use it")
            case .attribute where token.text.hasPrefix("_"):
                report(token, "`@\(token.text)` is a compiler-internal attribute; exercise code may not use it")
            case .word where token.text == "extension":
                if let target = next, target.kind == .word, !lessonTypes.contains(target.text) {
                    report(token, "an exercise may extend only types this lesson declares, not `\(target.text)` (an extension could change what the checks call)")
                }
            case .word where Self.declarationKeywords.contains(token.text):
                guard let name = next else { continue }
                if name.kind == .symbol && token.text == "func" && depth == 0 && name.text != "(" {
                    report(token, "a top-level operator function would change what the operator means in the checks; declare it as a `static func` of your own type")
                } else if name.kind == .word && (name.text.hasPrefix("__") || Self.moduleNames.contains(name.text)) {
                    report(name, "`\(name.text)` is reserved for the runner and the libraries; choose another name")
                }
            default:
                break
            }
        }
        return findings
    }

    /// Names an exercise declares at its top level (functions, variables, types), with their Markdown lines.
    func topLevelNames(in step: Step, lines: [String]) -> [(name: String, line: Int)] {
        let tokens = SwiftLexer.tokens(lines)
        var names: [(String, Int)] = []
        var depth = 0
        var i = 0
        while i < tokens.count {
            let token = tokens[i]
            if token.kind == .symbol {
                if token.text == "{" { depth += 1 } else if token.text == "}" { depth = max(0, depth - 1) }
            } else if depth == 0, token.kind == .word, Self.declarationKeywords.contains(token.text), i + 1 < tokens.count {
                if tokens[i + 1].kind == .word {
                    names.append((tokens[i + 1].text, step.markdownLine(tokens[i + 1].line)))
                } else if tokens[i + 1].text == "(" && (token.text == "let" || token.text == "var") {
                    // let (a, b) = …
                    var j = i + 2
                    while j < tokens.count && tokens[j].text != ")" {
                        if tokens[j].kind == .word && tokens[j].text != "_" { names.append((tokens[j].text, step.markdownLine(tokens[j].line))) }
                        j += 1
                    }
                }
            }
            i += 1
        }
        return names
    }
}
