import Foundation

/// Settings for `tutor site`.
public struct SiteOptions: Sendable {
    /// The folder the site is written to (created; files of an earlier build are replaced).
    public var outputDirectory: URL
    /// Put each exercise's reference solution behind a "show the solution" toggle; false leaves them out of DIR.
    public var includeSolutions = true
    /// A folder of symbol graphs (`swift symbolgraph-extract`, see scripts/build-api-docs.sh) to render as the API
    /// reference in `DIR/api/`, linked from every page.
    public var apiDirectory: URL?

    /// Options writing into `outputDirectory`.
    public init(outputDirectory: URL) { self.outputDirectory = outputDirectory }
}

/// What a site build did.
public struct SiteSummary: Sendable {
    /// Pages written, relative to DIR.
    public var pages: [String]
    /// Lessons whose run had problems (steps not as declared, or not runnable), with why.
    public var lessonProblems: [String]
    /// Public types and functions the lessons use whose doc comment is missing or has no example.
    public var documentationGaps: [String] = []
    /// Total size of DIR in bytes.
    public var bytes: Int
}

/// Builds the course as a static site: home page, one page per lesson, search, API reference.
///
/// Every address is relative and every file lives in DIR, so the site works opened from `file://` and from any
/// sub-path of any static host, and no request leaves DIR.
public struct SiteBuilder {
    public var runner: LessonRunner
    public var options: SiteOptions

    /// A builder that runs lessons with `runner` (its cache makes rebuilds of unchanged lessons fast).
    public init(runner: LessonRunner, options: SiteOptions) {
        self.runner = runner
        self.options = options
    }

    /// Runs the lessons and writes the site. `intro` is an optional Markdown file (the lessons folder's README.md)
    /// whose first heading is the course title and whose text opens the home page.
    public func build(lessonFiles: [String], intro: String? = nil) throws -> SiteSummary {
        let dir = options.outputDirectory
        let manager = FileManager.default
        try Self.claim(dir)
        // Only what this build writes may be in DIR: stale solutions from an earlier build must not survive.
        for name in ["assets", "media", "api"] { try? manager.removeItem(at: dir.appendingPathComponent(name)) }
        for name in (try? manager.contentsOfDirectory(atPath: dir.path)) ?? [] where name.hasSuffix(".html") {
            try? manager.removeItem(at: dir.appendingPathComponent(name))
        }
        let course = try SiteIntro(path: intro)
        let lessons = try runLessons(lessonFiles)
        let api = try options.apiDirectory.map { try APIModel(folder: $0) }
        let apiHref = api == nil ? nil : "api/index.html"
        let frame = { (current: String) in
            SitePage(courseTitle: course.title, lessons: lessons, current: current, apiHref: apiHref,
                     root: current.hasPrefix("api/") ? "../" : "")
        }
        var pages: [String] = []
        func write(_ html: String, _ name: String) throws {
            let url = dir.appendingPathComponent(name)
            do { try html.write(to: url, atomically: true, encoding: .utf8) } catch {
                throw TutorError.io(path: url.path, reason: "cannot write the page: \(error.localizedDescription)")
            }
            pages.append(name)
        }
        try writeAssets(lessons: lessons)
        try write(frame("index.html").render(title: course.title, main: SiteHome(intro: course, lessons: lessons).render()), "index.html")
        try write(frame("search.html").render(title: "Search", main: SiteHome.searchMain, extraScripts: ["assets/search-index.js"]), "search.html")
        let reference = try api.map { try writeAPIReference($0, lessons: lessons, frame: frame) }
        pages += reference?.pages ?? []
        let linker = APILinker(pages: reference?.links ?? [:])
        for (i, entry) in lessons.enumerated() {
            let media = dir.appendingPathComponent("media").appendingPathComponent(entry.lesson.name)
            let page = SiteLessonPage(entry: entry, includeSolutions: options.includeSolutions,
                                      placement: .files(directory: media, href: "media/\(entry.lesson.name)/"), linker: linker)
            var body = page.render(pager: frame(entry.page).pager(at: i))
            body = try SiteProseImages(lessonPath: entry.lesson.path, site: dir, lessonName: entry.lesson.name).rewrite(body)
            try write(frame(entry.page).render(title: entry.lesson.title, main: body), entry.page)
        }
        let problems = lessons.compactMap { $0.status.ok ? nil : "\($0.lesson.path): \($0.status.text)" }
        return SiteSummary(pages: pages, lessonProblems: problems, documentationGaps: reference?.gaps ?? [],
                           bytes: Self.size(of: dir))
    }

    /// The file that marks a folder as a site this command wrote (and may therefore clear).
    static let marker = ".tutor-site"

    /// Creates DIR, or checks that an existing DIR is empty or an earlier site: a rebuild clears old pages, and
    /// that must never hit a folder of the user's own files (`--out .` by mistake).
    static func claim(_ dir: URL) throws {
        let manager = FileManager.default
        if let names = try? manager.contentsOfDirectory(atPath: dir.path), !names.isEmpty, !names.contains(marker) {
            throw TutorError.io(path: dir.path, reason: "--out must be an empty folder or an earlier `tutor site` output (this one holds other files)")
        }
        do {
            try manager.createDirectory(at: dir, withIntermediateDirectories: true)
            try Data("written by tutor site; the next build replaces its pages\n".utf8).write(to: dir.appendingPathComponent(marker))
        } catch {
            throw TutorError.io(path: dir.path, reason: "cannot create the site folder: \(error.localizedDescription)")
        }
    }

    /// Parses and runs each lesson (cached when unchanged); a lesson that fails to parse stops the build.
    private func runLessons(_ files: [String]) throws -> [SiteLesson] {
        var lessons: [SiteLesson] = []
        var pages: Set<String> = []
        for file in files {
            let lesson = try LessonParser.parse(file: file)
            let base = FigureRenderer.safeName(lesson.name)
            guard !base.isEmpty, !["index", "search"].contains(base), !base.hasPrefix(".") else {
                throw TutorError.io(path: file, reason: "the lesson's file name cannot name a page (use letters, digits and '-')")
            }
            let page = base + ".html"
            guard pages.insert(page).inserted else { throw TutorError.io(path: file, reason: "two lessons would both be \(page)") }
            var entry = SiteLesson(lesson: lesson, page: page, run: nil, failure: nil)
            do { entry.run = try runner.run(lesson) } catch { entry.failure = "\(error)" }
            lessons.append(entry)
        }
        return lessons
    }

    private func writeAssets(lessons: [SiteLesson]) throws {
        let assets = options.outputDirectory.appendingPathComponent("assets")
        try FileManager.default.createDirectory(at: assets, withIntermediateDirectories: true)
        try SiteAssets.css.write(to: assets.appendingPathComponent("site.css"), atomically: true, encoding: .utf8)
        try SiteAssets.js.write(to: assets.appendingPathComponent("site.js"), atomically: true, encoding: .utf8)
        try SiteSearchIndex(lessons: lessons).javascript().write(to: assets.appendingPathComponent("search-index.js"))
    }

    /// Writes DIR/api from the symbol graphs; returns its pages, the lessons' links to it (lower-cased name → page)
    /// and the documentation gaps of the API the lessons use.
    private func writeAPIReference(_ api: APIModel, lessons: [SiteLesson], frame: @escaping (String) -> SitePage) throws
        -> (pages: [String], links: [String: String], gaps: [String])
    {
        let reference = APIReferencePages(model: api, frame: frame)
        let pages = try reference.write(to: options.outputDirectory.appendingPathComponent("api"))
        let code = lessons.flatMap { $0.lesson.steps.flatMap(\.lines) }.joined(separator: "\n")
        return (pages, reference.typePages, APIDocCoverage.gaps(model: api, lessonCode: code))
    }

    /// Bytes of the regular files under `directory` (what a host stores), folders not counted.
    static func size(of directory: URL) -> Int {
        guard let files = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey]) else { return 0 }
        var total = 0
        for case let url as URL in files {
            guard let values = try? url.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey]), values.isRegularFile == true else { continue }
            total += values.fileSize ?? 0
        }
        return total
    }
}

/// The course's title and opening text, from the lessons folder's README.md when there is one.
struct SiteIntro {
    var title = "SaliencyTutor course"
    /// The README without its title, as HTML.
    var html = ""

    init(path: String?) throws {
        guard let path, FileManager.default.fileExists(atPath: path) else { return }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw TutorError.io(path: path, reason: "cannot read the course introduction (not UTF-8?)")
        }
        var first = true
        for block in CMark.parse(text) {
            if first, case .heading(level: 1, text: let heading) = block.kind {
                title = heading
            } else {
                html += block.html
            }
            first = false
        }
    }
}

/// The home page and the search page.
struct SiteHome {
    var intro: SiteIntro
    var lessons: [SiteLesson]

    func render() -> String {
        var html = "<h1>\(escape(intro.title))</h1>\n\(intro.html)\n<h2 id=\"lessons\">Lessons</h2><ol class=\"lessons\">"
        for entry in lessons {
            let status = entry.status
            html += "<li><a class=\"title\" href=\"\(escape(entry.page))\">\(escape(entry.lesson.title))</a>"
            if !entry.summary.isEmpty { html += "<p>\(escape(entry.summary))</p>" }
            let exercises = entry.lesson.exercises.count
            html += "<p class=\"status \(status.ok ? "good" : "bad")\">\(exercises) exercise\(exercises == 1 ? "" : "s") · \(escape(status.text))</p></li>"
        }
        return html + "</ol>"
    }

    static let searchMain = """
    <h1>Search</h1>
    <form role="search" action="search.html" method="get">
    <label for="search-box">Words to find in the lessons</label>
    <input id="search-box" name="q" type="search">
    <button type="submit">Search</button>
    </form>
    <p id="search-status" role="status">Search needs JavaScript; the table of contents in the sidebar works without it.</p>
    <ol class="results" id="search-results"></ol>
    """
}
