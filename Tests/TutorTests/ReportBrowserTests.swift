import Foundation
import Testing
import Tutor

/// Renders a report in headless Chromium (Debian package `chromium`) and checks that every image decodes.
@Suite("report in a real browser", .serialized)
struct ReportBrowserTests {
    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    @Test("heatmaps decode and show; a screenshot is saved", .enabled(if: chromium != nil, "needs the Debian package chromium"))
    func heatmapsShow() throws {
        let (output, result, folder) = try TutorProcess.runLesson("images")
        #expect(output.status == 0, "\(output.stderr)")
        let images = result.steps.flatMap(\.output).compactMap { item -> ImageOutput? in
            if case .image(let image) = item { image } else { nil }
        }
        #expect(images.map(\.role) == ["image", "heatmap", "overlay", "grayscale", "colorbar"])
        #expect(images.allSatisfy { !$0.alt.isEmpty })
        #expect(images.contains { $0.note?.contains("min–max") == true })

        let report = folder.appendingPathComponent("images.html")
        var html = try String(contentsOf: report, encoding: .utf8)
        // PNGs are <img>; the colour bar is drawn as SVG with its labels as text.
        let pngs = images.filter { $0.file.hasSuffix(".png") }
        #expect(pngs.map(\.role) == ["image", "heatmap", "overlay", "grayscale"])
        #expect(html.components(separatedBy: "<img ").count - 1 == pngs.count)
        #expect(html.contains("<svg class=\"colorbar\"") && html.contains("<linearGradient"))
        #expect(html.contains("class=\"map\" width=\"64\" height=\"64\"") || html.contains("width=\"64\" height=\"64\" class=\"map\""),
                "the 8×8 map is shown at the overlay's size")
        #expect(!html.contains("<img src=\"http"))
        // A copy with a probe script: it writes each image's decoded size into the DOM for --dump-dom.
        let probe = """
        <script>window.addEventListener('load', () => {
          const sizes = [...document.images].map(i => i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().width > 0 ? i.naturalWidth + 'x' + i.naturalHeight + '@' + Math.round(i.getBoundingClientRect().width) : 'broken');
          const out = document.createElement('pre'); out.id = 'probe'; out.textContent = 'IMAGES:' + sizes.join(',') + ':END';
          document.body.appendChild(out);
        });</script>
        """
        html = html.replacingOccurrences(of: "</body>", with: probe + "</body>")
        let probed = folder.appendingPathComponent("images-probe.html")
        try html.write(to: probed, atomically: true, encoding: .utf8)
        let dom = try browser(["--dump-dom", "--virtual-time-budget=5000", probed.absoluteString])
        let sizes = try #require(dom.range(of: "id=\"probe\">IMAGES:").flatMap { start in
            dom[start.upperBound...].range(of: ":END").map { String(dom[start.upperBound..<$0.lowerBound]) }
        }, "the probe did not run: \(dom.prefix(300))")
        let decoded = sizes.split(separator: ",").map(String.init)
        #expect(decoded.count == pngs.count)
        #expect(!decoded.contains("broken"), "\(decoded)")
        // The heatmap is stored at the map's size (8×8) and shown as wide as the overlay on the 64×64 picture.
        let widths = decoded.map { $0.split(separator: "@").last.map(String.init) ?? "" }
        #expect(decoded.count == 4 && decoded[1].hasPrefix("8x8@") && decoded[2].hasPrefix("64x64@"), "\(decoded)")
        #expect(decoded.count == 4 && widths[1] == widths[2] && widths[3] == widths[2], "\(decoded)")

        let screenshot = folder.appendingPathComponent("report-screenshot.png")
        _ = try browser(["--screenshot=\(screenshot.path)", "--window-size=1200,1400", report.absoluteString])
        let bytes = try Data(contentsOf: screenshot)
        #expect(bytes.count > 10_000)
        #expect(bytes.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
        print("report screenshot: \(screenshot.path)")
    }

    private func browser(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.chromium!)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
