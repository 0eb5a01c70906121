import Foundation

/// The API reference as plain static pages under DIR/api: an index of the modules, a page per module (its types,
/// with their summaries, and its functions in full) and a page per top-level type (its members, nested types
/// included). No script fetches anything, so it works from `file://` like the lessons; each page is one file
/// (`api/Engine.html`, `api/Engine.Tensor.html`), so relative links work at any depth of any host.
struct APIReferencePages {
    var model: APIModel
    /// The site's frame for a page at `current` (relative to DIR), with every address one level up.
    var frame: (_ current: String) -> SitePage

    /// Page address (relative to DIR) of a top-level type or module-level function, by lower-cased name, for the
    /// lessons' links; names that two modules declare get no link.
    var typePages: [String: String] {
        var pages: [String: String] = [:]
        var ambiguous: Set<String> = []
        for module in model.modules.keys.sorted() {
            var names: [(String, String)] = model.types(of: module).map { ($0.name, "api/" + Self.page(module, $0.name)) }
            // Functions: link by the name before the parenthesis, to the module page's entry (overloads: the first).
            for symbol in model.globals(of: module) {
                names.append((Self.baseName(symbol.name), "api/\(Self.page(module))#\(Self.anchor(symbol.name))"))
            }
            for (name, page) in names {
                let key = name.lowercased()
                if let existing = pages[key] {
                    if !existing.hasPrefix("api/\(module).") { ambiguous.insert(key) }
                } else {
                    pages[key] = page
                }
            }
        }
        for key in ambiguous { pages[key] = nil }
        return pages
    }

    /// Writes every page into `folder` (DIR/api); returns the pages written, relative to DIR.
    func write(to folder: URL) throws -> [String] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var written: [String] = []
        func save(_ html: String, _ name: String) throws {
            let url = folder.appendingPathComponent(name)
            do { try html.write(to: url, atomically: true, encoding: .utf8) } catch {
                throw TutorError.io(path: url.path, reason: "cannot write the page: \(error.localizedDescription)")
            }
            written.append("api/" + name)
        }
        try save(render("api/index.html", title: "API reference", main: indexMain()), "index.html")
        for module in model.modules.keys.sorted() {
            try save(render("api/" + Self.page(module), title: module, main: moduleMain(module)), Self.page(module))
            for type in model.types(of: module) {
                let name = Self.page(module, type.name)
                try save(render("api/" + name, title: "\(type.name) (\(module))", main: typeMain(type)), name)
            }
        }
        return written
    }

    private func render(_ current: String, title: String, main: String) -> String {
        frame(current).render(title: title, main: main)
    }

    // MARK: pages

    private func indexMain() -> String {
        var html = """
        <h1>API reference</h1>
        <p>The Swift API a lesson program sees: it imports <code>LessonRuntime</code>, which re-exports the other
        modules. Each type has a page with its members; each entry shows the declaration and its documentation.</p>
        <ul class="api-list">
        """
        for module in model.modules.keys.sorted() {
            let count = model.types(of: module).count
            let functions = model.globals(of: module).count
            html += "<li><a href=\"\(escape(Self.page(module)))\"><code>\(escape(module))</code></a>"
                + " <span class=\"note\">\(count) type\(count == 1 ? "" : "s"), \(functions) function\(functions == 1 ? "" : "s") and value\(functions == 1 ? "" : "s")</span></li>"
        }
        return html + "</ul>"
    }

    private func moduleMain(_ module: String) -> String {
        var html = "<p class=\"crumbs\"><a href=\"index.html\">API reference</a></p><h1>Module <code>\(escape(module))</code></h1>"
        let types = model.types(of: module)
        if !types.isEmpty {
            html += "<h2 id=\"types\">Types</h2><dl class=\"api-list\">"
            for type in types {
                html += "<dt><a href=\"\(escape(Self.page(module, type.name)))\"><code>\(escape(type.name))</code></a>"
                    + " <span class=\"note\">\(escape(type.kind.lowercased()))</span></dt>"
                    + "<dd>\(Self.inline(type.summary))</dd>"
            }
            html += "</dl>"
        }
        let globals = model.globals(of: module)
        if !globals.isEmpty {
            html += "<h2 id=\"functions\">Functions and values</h2>"
            var anchors = Set<String>()
            for symbol in globals { html += entry(symbol, anchors: &anchors, level: 3) }
        }
        let extensions = model.extensions(in: module)
        if !extensions.isEmpty {
            html += "<h2 id=\"extensions\">Extensions</h2>"
            var anchors = Set<String>()
            for type in extensions.keys.sorted() {
                let owner = model.owner(ofType: type)
                let title = owner.map { "<a href=\"\(escape(Self.page($0, type)))\"><code>\(escape(type))</code></a> (\(escape($0)))" }
                    ?? "<code>\(escape(type))</code>"
                html += "<h3>\(title)</h3>"
                for symbol in extensions[type]! { html += entry(symbol, anchors: &anchors, level: 4) }
            }
        }
        return html
    }

    private func typeMain(_ type: APISymbol) -> String {
        var html = "<p class=\"crumbs\"><a href=\"index.html\">API reference</a> › <a href=\"\(escape(Self.page(type.module)))\">\(escape(type.module))</a></p>"
        html += "<h1><code>\(escape(type.name))</code> <span class=\"note\">\(escape(type.kind.lowercased()))</span></h1>"
        html += declaration(type) + Self.docHTML(type.doc)
        let members = model.members(of: type.name, in: type.module)
        // Members other modules add (e.g. LessonRuntime's `show` overloads are functions, but extensions land here).
        let added = model.modules.keys.sorted().filter { $0 != type.module && model.owner(ofType: type.name) == type.module }
            .flatMap { model.extensions(in: $0)[type.name] ?? [] }
        var anchors = Set<String>()
        let groups: [(String, (APISymbol) -> Bool)] = [
            ("Creating", { $0.kindID == "init" }),
            ("Cases", { $0.kindID == "enum.case" }),
            ("Properties", { ["property", "type.property", "var"].contains($0.kindID) }),
            ("Methods", { ["method", "type.method", "func", "func.op", "subscript", "type.subscript"].contains($0.kindID) }),
            ("Nested types", { $0.isType }),
        ]
        let direct = members.filter { $0.path.count == 2 }
        var shown = 0
        for (heading, belongs) in groups {
            let chosen = direct.filter(belongs)
            guard !chosen.isEmpty else { continue }
            shown += chosen.count
            html += "<h2>\(heading)</h2>"
            for symbol in chosen {
                html += entry(symbol, anchors: &anchors, level: 3)
                if symbol.isType {
                    for nested in members.filter({ $0.path.count > 2 && Array($0.path.prefix(2)) == symbol.path }) {
                        html += entry(nested, anchors: &anchors, level: 4)
                    }
                }
            }
        }
        let rest = direct.filter { symbol in !groups.contains { $0.1(symbol) } }
        if !rest.isEmpty {
            html += "<h2>Other members</h2>"
            for symbol in rest { html += entry(symbol, anchors: &anchors, level: 3) }
        }
        if !added.isEmpty {
            html += "<h2>Added by other modules</h2>"
            for symbol in added { html += entry(symbol, anchors: &anchors, level: 3) }
        }
        return html
    }

    /// One symbol: its name (an anchor), declaration and documentation.
    private func entry(_ symbol: APISymbol, anchors: inout Set<String>, level: Int) -> String {
        var anchor = Self.anchor(symbol.path.dropFirst(symbol.path.count > 2 ? 1 : 0).joined(separator: "."))
        if symbol.path.count == 1 { anchor = Self.anchor(symbol.name) }
        var unique = anchor
        var n = 2
        while !anchors.insert(unique).inserted {
            unique = "\(anchor)-\(n)"
            n += 1
        }
        let name = symbol.path.count > 2 ? symbol.path.dropFirst().joined(separator: ".") : symbol.name
        var html = "<section class=\"symbol\" id=\"\(escape(unique))\"><h\(level)><code>\(escape(name))</code>"
        if symbol.module != model.owner(ofType: symbol.path[0]) ?? symbol.module, symbol.path.count > 1 {
            html += " <span class=\"note\">from \(escape(symbol.module))</span>"
        }
        html += "</h\(level)>" + declaration(symbol) + Self.docHTML(symbol.doc)
        return html + "</section>"
    }

    private func declaration(_ symbol: APISymbol) -> String {
        symbol.declaration.isEmpty ? "" : "<pre class=\"declaration\"><code>\(escape(symbol.declaration))</code></pre>"
    }

    // MARK: names and text

    /// `Engine.html`, or `Engine.Tensor.html` for a type.
    static func page(_ module: String, _ type: String? = nil) -> String {
        let parts = [module] + (type.map { [$0] } ?? [])
        return parts.map(FigureRenderer.safeName).joined(separator: ".") + ".html"
    }

    /// `saliency` for `saliency(model:input:target:method:)`.
    static func baseName(_ name: String) -> String { String(name.prefix { $0 != "(" }) }

    /// An id from a symbol's name: `init(shape:scalars:)` → `init-shape-scalars`.
    static func anchor(_ name: String) -> String {
        var id = ""
        for scalar in name.unicodeScalars {
            if scalar.isASCII, CharacterSet.alphanumerics.contains(scalar) || scalar == "_" || scalar == "." {
                id.unicodeScalars.append(scalar)
            } else if !id.hasSuffix("-") && !id.isEmpty {
                id += "-"
            }
        }
        while id.hasSuffix("-") { id.removeLast() }
        return id.isEmpty ? "symbol" : id
    }

    /// A doc comment as HTML (Markdown; raw HTML in it is not passed through).
    static func docHTML(_ doc: String) -> String {
        doc.isEmpty ? "<p class=\"note\">No documentation.</p>" : "<div class=\"doc\">\(CMark.html(fromMarkdown: doc))</div>"
    }

    /// A one-paragraph summary as inline HTML.
    static func inline(_ text: String) -> String {
        let html = CMark.html(fromMarkdown: text).trimmingCharacters(in: .whitespacesAndNewlines)
        guard html.hasPrefix("<p>"), html.hasSuffix("</p>") else { return html }
        return String(html.dropFirst(3).dropLast(4))
    }
}

/// Doc-comment coverage of the API the lessons use: each public top-level type a lesson names and each function
/// overload it calls (matched by name and first argument label), with whether it is documented with an example.
struct APIDocCoverage {
    /// "Module.name: what is missing", sorted; empty when every used symbol is documented with an example.
    static func gaps(model: APIModel, lessonCode: String) -> [String] {
        let code = withoutCommentsAndStrings(lessonCode)
        let words = Set(identifiers(in: code))
        let calls = Set(calls(in: code).map { "\($0.name)(\($0.label)" })
        var gaps: Set<String> = []
        for (module, symbols) in model.modules {
            let used = symbols.filter { symbol in
                guard symbol.path.count == 1 else { return false }
                if symbol.isType { return words.contains(symbol.name) }
                guard ["func", "func.op"].contains(symbol.kindID) else { return false }
                return calls.contains("\(APIReferencePages.baseName(symbol.name))(\(firstLabel(symbol.name))")
            }
            // Overloads called the same way (name and first label) share one example, but each needs a comment.
            let callForm = { (symbol: APISymbol) in
                symbol.isType ? symbol.name : "\(APIReferencePages.baseName(symbol.name))(\(firstLabel(symbol.name)):)"
            }
            for (name, overloads) in Dictionary(grouping: used, by: callForm) {
                if overloads.contains(where: { $0.doc.isEmpty }) {
                    gaps.insert("\(module).\(name): no doc comment")
                } else if !overloads.contains(where: \.hasExample) {
                    gaps.insert("\(module).\(name): no example in its doc comment")
                }
            }
        }
        return gaps.sorted()
    }

    /// Swift source with `//` comments and the text of string literals blanked ("13 Conv2d layers" names no
    /// type); interpolations are blanked too, which only loses a few mentions.
    static func withoutCommentsAndStrings(_ code: String) -> String {
        var out = ""
        for line in code.split(separator: "\n", omittingEmptySubsequences: false) {
            var inString = false
            var previous: Character = " "
            for character in line {
                if !inString && character == "/" && previous == "/" {
                    out.removeLast()
                    break
                }
                if character == "\"" && previous != "\\" { inString.toggle(); out.append(" ") }
                else { out.append(inString ? " " : character) }
                previous = character
            }
            out.append("\n")
        }
        return out
    }

    /// "heatmap" for `show(heatmap:over:)`, "_" for `show(_:)` and for a function without parameters.
    static func firstLabel(_ name: String) -> String {
        guard let open = name.firstIndex(of: "(") else { return "_" }
        let label = name[name.index(after: open)...].prefix { $0 != ":" && $0 != ")" }
        return label.isEmpty ? "_" : String(label)
    }

    /// Every `name(label:` (or `name(` without a label, as "_") in the code.
    static func calls(in code: String) -> [(name: String, label: String)] {
        let characters = Array(code)
        var found: [(String, String)] = []
        var i = 0
        func isWord(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
        while i < characters.count {
            guard characters[i] == "(", i > 0, isWord(characters[i - 1]) else { i += 1; continue }
            var start = i - 1
            while start > 0, isWord(characters[start - 1]) { start -= 1 }
            let name = String(characters[start..<i])
            var j = i + 1
            while j < characters.count, characters[j].isWhitespace { j += 1 }
            var k = j
            while k < characters.count, isWord(characters[k]) { k += 1 }
            let label = k > j && k < characters.count && characters[k] == ":" ? String(characters[j..<k]) : "_"
            found.append((name, label))
            i += 1
        }
        return found
    }

    /// The identifiers in Swift source (letters, digits, underscores; not starting with a digit).
    static func identifiers(in code: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in code {
            if character.isLetter || character == "_" || (character.isNumber && !current.isEmpty) {
                current.append(character)
            } else {
                if !current.isEmpty { words.append(current) }
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}
