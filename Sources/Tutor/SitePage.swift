import Foundation

/// One lesson as the site shows it: where its page is and what the home page says about it.
struct SiteLesson {
    var lesson: Lesson
    /// The page's file name inside DIR (`02-backprop-rules.html`).
    var page: String
    /// nil when the lesson could not be run at all.
    var run: LessonRunResult?
    /// Why the lesson could not be run.
    var failure: String?

    /// The first paragraph of the lesson's prose, as plain text, cut at a sentence near 260 characters.
    var summary: String {
        for block in lesson.blocks {
            guard case .prose(let html, nil) = block, html.hasPrefix("<p>") else { continue }
            return SiteText.firstSentences(SiteText.plain(html), limit: 260)
        }
        return ""
    }

    /// "14 of 14 steps ran as declared" or why not; and whether all is well.
    var status: (text: String, ok: Bool) {
        guard let run else { return ("could not be run: \(failure ?? "unknown error")", false) }
        let declared = run.steps.filter { $0.status.isAsDeclared }.count
        return ("\(declared) of \(run.steps.count) steps ran as declared", declared == run.steps.count)
    }
}

/// The frame shared by every page: head, top bar (search, theme), sidebar, content, footer.
struct SitePage {
    var courseTitle: String
    var lessons: [SiteLesson]
    /// The page's own file name (for `aria-current` and the sidebar's section list).
    var current: String
    /// Link to the API reference, when the site has one.
    var apiHref: String?
    /// The way back to DIR from the page's folder: "" for DIR's own pages, "../" for the API reference's.
    var root = ""

    func render(title: String, main: String, extraScripts: [String] = []) -> String {
        let scripts = extraScripts.map { "<script src=\"\(escape($0))\"></script>" }.joined()
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark">
        <meta name="generator" content="tutor site">
        <title>\(escape(title == courseTitle ? title : "\(title) — \(courseTitle)"))</title>
        <link rel="stylesheet" href="\(root)assets/site.css">
        <script src="\(root)assets/site.js"></script>\(scripts)
        </head>
        <body>
        <a class="skip" href="#content">Skip to the content</a>
        <header class="topbar">
        <button type="button" class="menu-toggle" id="menu-toggle" aria-controls="sidebar" aria-expanded="false">Lessons</button>
        <a class="brand" href="\(root)index.html">\(escape(courseTitle))</a>
        <form class="search" role="search" action="\(root)search.html" method="get">
        <label class="visually-hidden" for="top-search">Search the course</label>
        <input id="top-search" name="q" type="search" placeholder="Search the course">
        </form>
        <button type="button" class="theme-toggle" id="theme-toggle">Theme</button>
        </header>
        <div class="layout">
        \(sidebar())
        <main id="content">
        \(main)
        </main>
        </div>
        <footer>Built with <code>tutor site</code>. Every page works offline and from any folder.</footer>
        </body>
        </html>

        """
    }

    /// The lessons in order; the current lesson's sections under it.
    private func sidebar() -> String {
        var html = "<nav class=\"sidebar\" id=\"sidebar\" aria-label=\"Lessons\"><ol>"
        html += "<li><a href=\"\(root)index.html\"\(current == "index.html" ? " aria-current=\"page\"" : "")>Home</a></li>"
        for entry in lessons {
            let isCurrent = entry.page == current
            html += "<li><a href=\"\(root)\(escape(entry.page))\"\(isCurrent ? " aria-current=\"page\"" : "")>\(escape(entry.lesson.title))</a>"
            if isCurrent {
                let headings = entry.lesson.blocks.compactMap { block -> Heading? in
                    if case .prose(_, let heading?) = block, heading.level == 2 { heading } else { nil }
                }
                if !headings.isEmpty {
                    html += "<ul class=\"sections\">"
                    for heading in headings {
                        html += "<li><a href=\"#\(escape(heading.anchor))\">\(escape(heading.text))</a></li>"
                    }
                    html += "</ul>"
                }
            }
            html += "</li>"
        }
        html += "</ol><ul class=\"extra\">"
        html += "<li><a href=\"\(root)search.html\"\(current == "search.html" ? " aria-current=\"page\"" : "")>Search</a></li>"
        if let apiHref {
            let isCurrent = current.hasPrefix("api/")
            html += "<li><a href=\"\(root)\(escape(apiHref))\"\(isCurrent ? " aria-current=\"page\"" : "")>API reference</a></li>"
        }
        return html + "</ul></nav>"
    }

    /// Previous / next lesson links for the lesson at `index`.
    func pager(at index: Int) -> String {
        var html = "<nav class=\"pager\" aria-label=\"Previous and next lesson\">"
        if index > 0 {
            let previous = lessons[index - 1]
            html += "<a class=\"prev\" rel=\"prev\" href=\"\(escape(previous.page))\"><small>Previous</small>\(escape(previous.lesson.title))</a>"
        } else {
            html += "<a class=\"prev\" rel=\"prev\" href=\"index.html\"><small>Previous</small>Course home</a>"
        }
        if index + 1 < lessons.count {
            let next = lessons[index + 1]
            html += "<a class=\"next\" rel=\"next\" href=\"\(escape(next.page))\"><small>Next</small>\(escape(next.lesson.title))</a>"
        }
        return html + "</nav>"
    }
}

/// Plain-text helpers for summaries and the search index.
enum SiteText {
    /// The text of an HTML fragment: tags dropped, entities decoded, whitespace collapsed.
    static func plain(_ html: String) -> String {
        var text = ""
        var inTag = false
        for character in html {
            if character == "<" { inTag = true; text.append(" "); continue }
            if character == ">" && inTag { inTag = false; continue }
            if !inTag { text.append(character) }
        }
        for (entity, value) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: value)
        }
        let words = text.split(whereSeparator: { $0.isWhitespace })
        var joined = words.joined(separator: " ")
        // Tags between a word and its punctuation left a space behind ("<code>x</code>." → "x .").
        for mark in [".", ",", ";", ":", ")", "?", "!"] { joined = joined.replacingOccurrences(of: " " + mark, with: mark) }
        return joined
    }

    /// Whole sentences from the start of `text` up to about `limit` characters (at least one sentence, clipped).
    static func firstSentences(_ text: String, limit: Int) -> String {
        guard text.count > limit else { return text }
        var result = ""
        for sentence in text.split(separator: ".", omittingEmptySubsequences: false) {
            let candidate = result + sentence + "."
            if candidate.count > limit && !result.isEmpty { break }
            result = candidate
            if result.count > limit { return String(result.prefix(limit - 1)) + "…" }
        }
        return result.trimmingCharacters(in: .whitespaces)
    }
}
