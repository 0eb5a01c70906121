import Foundation

/// Rebuilds a lesson program after an edit that stays inside one exercise's function bodies, without the Swift
/// driver: the compiler's own command for that file, then the linker's. The driver would run the same two, but
/// starting it, planning, extracting the link libraries again and going through clang cost ~100 ms of a ~230 ms
/// rebuild (lesson 01 on this machine).
///
/// The commands are the driver's own, printed once (`-###`) after a build through it and kept beside the objects
/// (`direct-build.json`), keyed by its arguments, the link libraries it extracted and the working folder. A body edit
/// leaves what other files compiled against unchanged (the frontend leaves function bodies out of a file's
/// interface too), so the other objects stay valid. The driver's own records are left as they were: its next build
/// sees the file changed and compiles it again, comparing against the interface the other objects were built with.
struct DirectBuild: Codable {
    /// What the commands were printed for.
    var key: String
    /// The frontend command of each source file, by path.
    var frontend: [String: [String]]
    /// The linker command (ld.lld).
    var link: [String]

    static let fileName = "direct-build.json"

    /// The key of a build in `folder` with the driver `arguments`.
    static func key(arguments: [String], folder: URL) -> String {
        var hasher = StableHasher()
        hasher.combine("direct-build-v1")
        hasher.combine(FileManager.default.currentDirectoryPath)
        for argument in arguments { hasher.combine(argument) }
        let autolink = folder.appendingPathComponent("LessonProgram.autolink")
        hasher.combine(String(decoding: FileManager.default.contents(atPath: autolink.path) ?? Data(), as: UTF8.self))
        return hasher.hexDigest
    }

    /// The commands kept in `folder` for `key`, if any.
    static func load(folder: URL, key: String) -> DirectBuild? {
        guard let data = SafeFiles.readRegularFile(in: folder, name: fileName),
              let plan = try? JSONDecoder().decode(DirectBuild.self, from: data), plan.key == key else { return nil }
        return plan
    }

    /// Asks the driver (and clang) for the commands of a build with `arguments` and keeps them in `folder`.
    /// Nothing is kept when an answer cannot be read: the driver then builds every time, as before.
    static func capture(arguments: [String], folder: URL, swiftc: String) {
        let key = key(arguments: arguments, folder: folder)
        let out = folder.appendingPathComponent("direct-build.out").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        func run(_ executable: String, _ arguments: [String]) -> [String]? {
            let process = Subprocess(executable: executable, arguments: arguments, environment: ProcessInfo.processInfo.environment,
                                     stdoutPath: out, stderrPath: out, contained: false)
            guard (try? process.run()) == .exited(0), let text = try? String(contentsOfFile: out, encoding: .utf8) else { return nil }
            return text.split(separator: "\n").map(String.init)
        }
        let planning = arguments.filter { $0 != "-incremental" } + ["-###", "-disable-batch-mode"]
        guard let jobs = run(swiftc, planning)?.compactMap(ShellWords.split) else { return }
        var frontend: [String: [String]] = [:]
        for job in jobs where job.count > 2 && job[0].hasSuffix("/swift-frontend") && job[1] == "-frontend" {
            guard let primary = job.firstIndex(of: "-primary-file"), primary + 1 < job.count else { return }
            frontend[job[primary + 1]] = job
        }
        guard let clang = jobs.last, clang.first?.hasSuffix("/clang") == true,
              let printed = run(clang[0], Array(clang.dropFirst()) + ["-###"]),
              let lld = printed.compactMap(ShellWords.split).last(where: { $0.first?.hasSuffix("ld.lld") == true }) else { return }
        let plan = DirectBuild(key: key, frontend: frontend, link: lld)
        guard let data = try? JSONEncoder().encode(plan) else { return }
        try? data.write(to: folder.appendingPathComponent(fileName), options: .atomic)
    }

    /// Compiles `file` and links the program with the kept commands; nil when either step failed (the caller then
    /// builds through the driver, which also gives diagnostics in the usual form).
    func rebuild(file: String, log out: String) throws -> String? {
        guard let compile = frontend[file], let compiler = compile.first, let linker = link.first else { return nil }
        var log = ""
        for (executable, arguments) in [(compiler, Array(compile.dropFirst())), (linker, Array(link.dropFirst()))] {
            let termination = try Subprocess(executable: executable, arguments: arguments, environment: ProcessInfo.processInfo.environment,
                                             stdoutPath: out, stderrPath: out, contained: false).run()
            log += (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(atPath: out)
            guard termination == .exited(0) else { return nil }
        }
        return log
    }
}

/// What the program in a build folder was last built from, successfully: each source's text (by hash) and, for the
/// exercise files, their interface. A body edit is judged against this, never against files a failed build left.
struct BuiltSources: Codable, Equatable {
    var hashes: [String: String] = [:]
    var interfaces: [String: String] = [:]

    static let fileName = "built.json"

    init(_ sources: [(name: String, text: String)]) {
        for (name, text) in sources {
            var hasher = StableHasher()
            hasher.combine(text)
            hashes[name] = hasher.hexDigest
            if name.hasPrefix("exercise-"), let interface = ExerciseInterface.of(text) { interfaces[name] = interface }
        }
    }

    /// The one exercise file that differs from `built` with the same interface, when nothing else differs.
    func onlyBodyEdit(since built: BuiltSources) -> String? {
        guard Set(hashes.keys) == Set(built.hashes.keys) else { return nil }
        let changed = hashes.keys.filter { hashes[$0] != built.hashes[$0] }
        guard changed.count == 1, let name = changed.first, name.hasPrefix("exercise-"),
              let interface = interfaces[name], interface == built.interfaces[name] else { return nil }
        return name
    }

    static func load(from folder: URL) -> BuiltSources? {
        SafeFiles.readRegularFile(in: folder, name: fileName).flatMap { try? JSONDecoder().decode(BuiltSources.self, from: $0) }
    }

    func save(in folder: URL) {
        try? JSONEncoder().encode(self).write(to: folder.appendingPathComponent(Self.fileName), options: .atomic)
    }

    static func forget(in folder: URL) { try? FileManager.default.removeItem(at: folder.appendingPathComponent(fileName)) }
}

/// Splits one command line as a POSIX shell would (plain words, '…', "…" and backslash escapes): how the driver and
/// clang print their commands. Nil for an unterminated quote.
enum ShellWords {
    static func split(_ line: String) -> [String]? {
        var words: [String] = []
        var current = ""
        var inWord = false
        var iterator = line.makeIterator()
        while let character = iterator.next() {
            switch character {
            case " ", "\t":
                if inWord { words.append(current); current = ""; inWord = false }
            case "'":
                inWord = true
                while true {
                    guard let next = iterator.next() else { return nil }
                    if next == "'" { break }
                    current.append(next)
                }
            case "\"":
                inWord = true
                while true {
                    guard let next = iterator.next() else { return nil }
                    if next == "\"" { break }
                    if next == "\\" {
                        guard let escaped = iterator.next() else { return nil }
                        current.append(escaped)
                    } else {
                        current.append(next)
                    }
                }
            case "\\":
                inWord = true
                if let escaped = iterator.next() { current.append(escaped) }
            default:
                inWord = true
                current.append(character)
            }
        }
        if inWord { words.append(current) }
        return words
    }
}

/// What other files see of an exercise's source: its text without comments and with every function and initialiser
/// body emptied. Two versions with the same interface differ only inside bodies, which no other file compiles against.
public enum ExerciseInterface {
    /// The interface of `text`, or nil when the text has something whose body other files may depend on (an opaque
    /// `some` result, an inlinable or transparent function, a macro) or that this reading does not follow (raw or
    /// multi-line strings, an unbalanced brace).
    public static func of(_ text: String) -> String? {
        guard !text.contains("\"\"\""), !text.contains("#\"") else { return nil }
        let characters = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        var pendingBody = false   // a `func`/`init` header was seen; its first `{` opens the body
        var headerDepth = 0       // parentheses, brackets and angle brackets open in that header
        while i < characters.count {
            let c = characters[i]
            switch skipCommentOrString(characters, at: i) {
            case nil: return nil
            case .comment(let end)?:
                i = end
                continue
            case .string(let end)?:
                out.append(contentsOf: characters[i..<end])
                i = end
                continue
            case .neither?: break
            }
            if isIdentifierStart(c) && (i == 0 || !isIdentifierPart(characters[i - 1])) {
                var end = i
                while end < characters.count && isIdentifierPart(characters[end]) { end += 1 }
                let word = String(String.UnicodeScalarView(characters[i..<end]))
                if word == "func" || word == "init" {
                    pendingBody = true
                    headerDepth = 0
                } else if pendingBody && headerDepth == 0 && declarationWords.contains(word) {
                    pendingBody = false  // a requirement without a body (a protocol's), then the next declaration
                }
                out.append(contentsOf: characters[i..<end])
                i = end
                continue
            }
            if pendingBody {
                if "([<".unicodeScalars.contains(c) { headerDepth += 1 }
                if ")]>".unicodeScalars.contains(c) && !(c == ">" && i > 0 && characters[i - 1] == "-") { headerDepth -= 1 }
                if c == "}" { pendingBody = false }
                if c == "{" && headerDepth <= 0 {
                    guard let end = skipBraces(characters, from: i) else { return nil }
                    out.append(contentsOf: "{}".unicodeScalars)
                    i = end
                    pendingBody = false
                    continue
                }
            }
            out.append(c)
            i += 1
        }
        // Whitespace never changes an interface.
        let words = String(out).split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
        // Bodies other files do compile against (opaque results, inlinable code, macros): keep the driver's judgement.
        let risky = ["@inlinable", "@_transparent", "@_alwaysEmitIntoClient", "@inline(", "@usableFromInline", "@attached",
                     "@freestanding"]
        guard !words.contains(where: { $0 == "some" || $0 == "macro" || $0.hasSuffix("(some") || $0.hasSuffix(":some")
                                         || risky.contains(where: $0.hasPrefix) }) else { return nil }
        return words.joined(separator: " ")
    }

    private static let declarationWords: Set<String> = ["func", "init", "var", "let", "struct", "class", "enum", "protocol",
                                                        "extension", "typealias", "subscript", "case", "deinit", "associatedtype"]

    private static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool { c == "_" || c.properties.isAlphabetic }
    private static func isIdentifierPart(_ c: Unicode.Scalar) -> Bool { isIdentifierStart(c) || ("0"..."9").contains(c) }

    private enum Skipped { case neither, comment(Int), string(Int) }

    /// What starts at `i`: a comment or a string literal (with the index after it), or neither; nil for one that
    /// never ends.
    private static func skipCommentOrString(_ s: [Unicode.Scalar], at i: Int) -> Skipped? {
        let next: Unicode.Scalar? = i + 1 < s.count ? s[i + 1] : nil
        if s[i] == "/" && next == "/" {
            var end = i
            while end < s.count && s[end] != "\n" { end += 1 }
            return .comment(end)
        }
        if s[i] == "/" && next == "*" { return skipBlockComment(s, from: i).map { .comment($0) } }
        if s[i] == "\"" { return skipString(s, from: i).map { .string($0) } }
        return .neither
    }

    /// The index after the block comment starting at `start` (block comments nest in Swift).
    private static func skipBlockComment(_ s: [Unicode.Scalar], from start: Int) -> Int? {
        var depth = 0
        var i = start
        while i + 1 < s.count {
            if s[i] == "/" && s[i + 1] == "*" { depth += 1; i += 2; continue }
            if s[i] == "*" && s[i + 1] == "/" {
                depth -= 1
                i += 2
                if depth == 0 { return i }
                continue
            }
            i += 1
        }
        return nil
    }

    /// The index after the string literal starting at `start`, interpolations (with their own strings) included.
    private static func skipString(_ s: [Unicode.Scalar], from start: Int) -> Int? {
        var i = start + 1
        while i < s.count {
            switch s[i] {
            case "\"": return i + 1
            case "\n": return nil
            case "\\":
                if i + 1 < s.count && s[i + 1] == "(" {
                    guard let end = skipCode(s, from: i + 2, closing: ")") else { return nil }
                    i = end
                } else {
                    i += 2
                }
            default: i += 1
            }
        }
        return nil
    }

    /// The index after the brace that closes the one at `start`.
    private static func skipBraces(_ s: [Unicode.Scalar], from start: Int) -> Int? {
        skipCode(s, from: start + 1, closing: "}")
    }

    /// Skips code (strings and comments included) up to and past the `closing` bracket at depth 0.
    private static func skipCode(_ s: [Unicode.Scalar], from start: Int, closing: Unicode.Scalar) -> Int? {
        let opening: Unicode.Scalar = closing == "}" ? "{" : "("
        var depth = 0
        var i = start
        while i < s.count {
            let c = s[i]
            switch skipCommentOrString(s, at: i) {
            case nil: return nil
            case .comment(let end)?, .string(let end)?:
                i = end
                continue
            case .neither?: break
            }
            if c == opening { depth += 1 }
            if c == closing {
                if depth == 0 { return i + 1 }
                depth -= 1
            }
            i += 1
        }
        return nil
    }
}
