import Foundation

/// Checks a built site's pages (DIR/*.html and the API reference's DIR/api/*.html): every internal link and image
/// resolves (anchors included), every image has alt text, and nothing is loaded from outside DIR.
public enum SiteAudit {
    /// One problem per line, "page: what"; empty when the site is sound.
    public static func problems(in directory: URL) -> [String] {
        let manager = FileManager.default
        func htmlFiles(_ folder: String) -> [String] {
            let names = (try? manager.contentsOfDirectory(atPath: directory.appendingPathComponent(folder).path)) ?? []
            return names.filter { $0.hasSuffix(".html") }.sorted().map { folder.isEmpty ? $0 : folder + "/" + $0 }
        }
        let pages = htmlFiles("") + htmlFiles("api")
        var ids: [String: Set<String>] = [:]
        func anchors(_ page: String) -> Set<String> {
            if let known = ids[page] { return known }
            let html = (try? String(contentsOf: directory.appendingPathComponent(page), encoding: .utf8)) ?? ""
            let found = Set(attributes("id", in: html))
            ids[page] = found
            return found
        }
        var problems: [String] = []
        if pages.isEmpty { problems.append("\(directory.path): no pages") }
        for page in pages {
            guard let html = try? String(contentsOf: directory.appendingPathComponent(page), encoding: .utf8) else {
                problems.append("\(page): not readable as UTF-8")
                continue
            }
            for tag in tags(in: html) {
                let name = tag.prefix { $0.isLetter || $0.isNumber }.lowercased()
                for attribute in ["href", "src"] {
                    for value in attributes(attribute, in: "<" + tag + ">") {
                        let reference = decodeEntities(value)
                        if isExternal(reference) {
                            // Following a link is the reader's choice; loading a resource would leave DIR on its own.
                            if name != "a" { problems.append("\(page): <\(name)> loads \(reference) from outside the site") }
                            continue
                        }
                        if reference.hasPrefix("data:") { continue }
                        if let problem = resolve(reference, from: page, in: directory, anchors: anchors) {
                            problems.append("\(page): <\(name) \(attribute)=\"\(reference)\"> \(problem)")
                        }
                    }
                }
                if name == "img" {
                    let alt = attributes("alt", in: "<" + tag + ">")
                    if alt.first?.trimmingCharacters(in: .whitespaces).isEmpty ?? true {
                        problems.append("\(page): an image has no alt text (\(tag.prefix(80)))")
                    }
                }
            }
        }
        return problems
    }

    static func isExternal(_ reference: String) -> Bool {
        let lower = reference.lowercased()
        return lower.hasPrefix("//") || (lower.firstIndex(of: ":").map { colon in
            let scheme = lower[..<colon]
            return !scheme.isEmpty && scheme.allSatisfy { $0.isLetter || $0 == "+" || $0 == "-" || $0 == "." } && scheme != "data"
        } ?? false)
    }

    /// Why `reference` (relative to `page`) does not resolve, or nil when it does.
    private static func resolve(_ reference: String, from page: String, in directory: URL,
                                anchors: (String) -> Set<String>) -> String? {
        var path = reference
        var fragment: String?
        if let hash = path.firstIndex(of: "#") {
            fragment = String(path[path.index(after: hash)...])
            path = String(path[..<hash])
        }
        if let query = path.firstIndex(of: "?") { path = String(path[..<query]) }
        if path.hasPrefix("/") { return "is an absolute path (breaks under a sub-path and from file://)" }
        let decoded = path.removingPercentEncoding ?? path
        // Relative to the page's own folder (api/ pages link "../index.html").
        let folder = (page as NSString).deletingLastPathComponent
        let url = (decoded.isEmpty ? directory.appendingPathComponent(page)
            : directory.appendingPathComponent(folder).appendingPathComponent(decoded)).standardizedFileURL
        let root = directory.standardizedFileURL.path + "/"
        guard url.path.hasPrefix(root) else { return "points outside the site" }
        let target = String(url.path.dropFirst(root.count))
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return "does not exist" }
        // A folder address is fine where the folder has an index page (a static host serves it).
        if isDirectory.boolValue && !FileManager.default.fileExists(atPath: url.appendingPathComponent("index.html").path) {
            return "is a folder without index.html"
        }
        if let fragment, !fragment.isEmpty, target.hasSuffix(".html"),
           !anchors(target).contains(fragment.removingPercentEncoding ?? fragment) {
            return "has no anchor #\(fragment)"
        }
        return nil
    }

    /// The inside of every start tag (`a href="…"` for `<a href="…">`).
    static func tags(in html: String) -> [String] {
        var tags: [String] = []
        var rest = Substring(html)
        while let open = rest.firstIndex(of: "<") {
            let after = rest.index(after: open)
            guard after < rest.endIndex, rest[after].isLetter, let close = rest[after...].firstIndex(of: ">") else {
                rest = rest[after...]
                continue
            }
            tags.append(String(rest[after..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return tags
    }

    /// Values of `name="…"` attributes in `html`.
    static func attributes(_ name: String, in html: String) -> [String] {
        var values: [String] = []
        var rest = Substring(html)
        let key = " \(name)=\""
        while let start = rest.range(of: key) {
            let after = rest[start.upperBound...]
            guard let end = after.firstIndex(of: "\"") else { break }
            values.append(String(after[..<end]))
            rest = after[end...]
        }
        return values
    }

    static func decodeEntities(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }
}
