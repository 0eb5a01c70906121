import Foundation

/// The search index: one entry per lesson section (prose and headings only — never code, so no solution or test
/// text can reach it), written as a script that sets `window.TUTOR_SEARCH_INDEX`. A script file rather than JSON
/// because pages opened from `file://` may not fetch() files, but may load scripts.
struct SiteSearchIndex {
    struct Entry: Encodable {
        var lesson: String
        var heading: String
        var url: String
        var text: String
    }

    var lessons: [SiteLesson]
    /// Text kept per section; long sections are cut (the index stays small).
    var maxText = 4000

    var entries: [Entry] {
        var entries: [Entry] = []
        for entry in lessons {
            var current = Entry(lesson: entry.lesson.title, heading: "", url: entry.page, text: "")
            func flush() {
                current.text = String(current.text.trimmingCharacters(in: .whitespaces).prefix(maxText))
                if !current.text.isEmpty || !current.heading.isEmpty { entries.append(current) }
            }
            for block in entry.lesson.blocks {
                guard case .prose(let html, let heading) = block else { continue }
                if let heading, heading.level > 1 {
                    flush()
                    current = Entry(lesson: entry.lesson.title, heading: heading.text, url: "\(entry.page)#\(heading.anchor)", text: "")
                } else if heading == nil {
                    current.text += " " + SiteText.plain(html)
                }
            }
            flush()
        }
        return entries
    }

    func javascript() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = try encoder.encode(entries)
        return Data("window.TUTOR_SEARCH_INDEX = ".utf8) + json + Data(";\n".utf8)
    }
}

/// Copies images that lesson prose refers to (`![…](images/x.png)`) into DIR and points the page at the copies.
/// Only files inside the lesson's folder are copied; anything else is left as written (and the audit flags it).
struct SiteProseImages {
    var lessonPath: String
    var site: URL
    var lessonName: String

    func rewrite(_ html: String) throws -> String {
        let folder = URL(fileURLWithPath: lessonPath).deletingLastPathComponent().standardizedFileURL
        var out = ""
        var rest = Substring(html)
        while let tag = rest.range(of: "<img src=\"") {
            out += rest[..<tag.upperBound]
            rest = rest[tag.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { break }
            let src = String(rest[..<end])
            rest = rest[end...]
            out += copied(src, from: folder) ?? src
        }
        return out + rest
    }

    /// The site address of a copy of a relative image inside the lesson folder, or nil to leave `src` alone.
    private func copied(_ src: String, from folder: URL) -> String? {
        guard !src.contains(":"), !src.hasPrefix("/"), !src.hasPrefix("#"), !src.isEmpty,
              let path = src.removingPercentEncoding else { return nil }
        let source = folder.appendingPathComponent(path).standardizedFileURL
        guard source.path.hasPrefix(folder.path + "/"),
              (try? FileManager.default.attributesOfItem(atPath: source.path))?[.type] as? FileAttributeType == .typeRegular else { return nil }
        let relative = String(source.path.dropFirst(folder.path.count + 1))
        let target = site.appendingPathComponent("media/\(lessonName)/prose").appendingPathComponent(relative)
        try? FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: target.path) { try? FileManager.default.copyItem(at: source, to: target) }
        let href = "media/\(lessonName)/prose/" + relative
        return escape(href.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? href)
    }
}

/// The DocC reference copied into DIR/api: its landing page and its type pages.
enum APIReference {
    /// The documented modules (DocC's lower-cased folder names), sorted.
    static func modules(in api: URL) -> [String] {
        let documentation = api.appendingPathComponent("documentation")
        return ((try? FileManager.default.contentsOfDirectory(atPath: documentation.path)) ?? []).filter {
            FileManager.default.fileExists(atPath: documentation.appendingPathComponent($0).appendingPathComponent("index.html").path)
        }.sorted()
    }

    /// A plain landing page for DIR/api (replacing DocC's empty root): the modules, and how to read them.
    static func landingPage(modules: [String], courseTitle: String) -> String {
        let items = modules.map { "<li><a href=\"documentation/\(escape($0))/\">\(escape($0))</a></li>" }.joined()
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark"><title>API reference — \(escape(courseTitle))</title>
        <link rel="stylesheet" href="../assets/site.css"></head>
        <body><main id="content" class="api-home"><p><a href="../index.html">← \(escape(courseTitle))</a></p>
        <h1>API reference</h1><p>The modules a lesson program sees (LessonRuntime re-exports them all):</p><ul>\(items)</ul>
        <p class="note">The reference is a DocC web app: it needs the site to be served (any static host, or
        <code>python3 -m http.server</code> in the site's folder); opened from disk it shows a blank page.</p></main></body></html>

        """
    }

    /// Lower-cased top-level symbol name → its page, for names that only one module documents.
    static func typePages(in api: URL) -> [String: String] {
        let documentation = api.appendingPathComponent("documentation")
        var pages: [String: String] = [:]
        var ambiguous: Set<String> = []
        for module in modules(in: api) {
            let folder = documentation.appendingPathComponent(module)
            for symbol in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
                guard FileManager.default.fileExists(atPath: folder.appendingPathComponent(symbol).appendingPathComponent("index.html").path) else { continue }
                // DocC names overloaded functions "saliency(model:…)"; the bare name is what lessons write.
                let name = String(symbol.prefix { $0 != "(" }).lowercased()
                let page = "api/documentation/\(module)/\(symbol.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? symbol)/"
                if let existing = pages[name], existing != page { ambiguous.insert(name) } else { pages[name] = page }
            }
        }
        for name in ambiguous { pages[name] = nil }
        return pages
    }
}
