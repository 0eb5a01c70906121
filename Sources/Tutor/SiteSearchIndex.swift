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
