import Foundation

/// Cuts one execution's stdout, stderr and image events into per-step output, in the order it was produced.
///
/// Only the runner's own step markers cut: a step's output is what lies between its begin and end, and an image
/// is placed within those bounds whatever offsets its event claims. Images are copied by content (regular files
/// with names the runtime generates, never through a link) into the lesson's folder.
struct StepOutputSlicer {
    var execution: Execution
    var lesson: Lesson
    /// The run's image folder.
    var assets: URL
    /// The lesson's work folder; images are copied to `work/assets` so later runs cannot overwrite them.
    var work: URL

    struct Slice {
        var output: [OutputItem]
        var stderr: String
        var seconds: Double
    }

    func slices() -> [Int: Slice] {
        var result: [Int: Slice] = [:]
        let events = execution.events
        let target = work.appendingPathComponent("assets")
        try? FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        let runName = assets.deletingLastPathComponent().lastPathComponent
        for (position, began) in events.enumerated() where began.kind == "stepBegan" {
            let index = began.step
            let rest = events[(position + 1)...]
            let end = rest.firstIndex { $0.kind == "stepEnded" || $0.kind == "stepBegan" }
            let ended = end.flatMap { events[$0].kind == "stepEnded" ? events[$0] : nil }
            let own = rest[..<(end ?? events.endIndex)]
            let stdoutStart = max(0, began.stdoutOffset)
            let stdoutEnd = max(stdoutStart, ended?.stdoutOffset ?? execution.stdout.count)
            let stderrStart = max(0, began.stderrOffset)
            let stderrEnd = max(stderrStart, ended?.stderrOffset ?? execution.stderr.count)
            func clamp(_ offset: Int) -> Int { min(max(offset, stdoutStart), stdoutEnd) }
            var items: [OutputItem] = []
            var cursor = stdoutStart
            for event in own where event.kind == "image" {
                let at = clamp(event.stdoutOffset)
                appendText(from: cursor, to: at, into: &items)
                cursor = max(cursor, at)
                guard let file = event.string("file"), SafeFiles.isRuntimeImageName(file),
                      let data = SafeFiles.readRegularFile(in: assets, name: file) else { continue }
                let copied = "\(runName)-\(file)"
                guard SafeFiles.writeNewFile(data, in: target, name: copied) else { continue }
                let step = lesson.step(index)
                let title = event.string("title")
                let role = event.string("role") ?? "image"
                // The program's own alt text wins; then the step's `alt` option (with which panel of a figure this
                // is); then the runtime's description of the figure.
                let suffix = event.string("altSuffix").map { " — " + $0 } ?? ""
                let alt = event.string("alt") ?? step?.options["alt"].map { $0 + suffix } ?? event.string("altDefault")
                    ?? title.map { "\($0) (\(role))" } ?? "\(role) shown by the step at line \(step?.fenceLine ?? 0)"
                items.append(.image(ImageOutput(file: copied, role: role, title: title, alt: alt,
                                                group: event.int("group"), note: event.string("note"),
                                                figure: FigureLayout.from(event))))
            }
            appendText(from: cursor, to: stdoutEnd, into: &items)
            var stderr = text(execution.stderr, from: stderrStart, to: stderrEnd)
            // The crash reporter's banner says nothing the report does not (the JSON backtrace gives the line).
            if let banner = stderr.range(of: "\n*** Signal") ?? stderr.range(of: "*** Signal") {
                stderr = String(stderr[..<banner.lowerBound])
            }
            stderr = stderr.trimmingCharacters(in: .newlines)
            let endTime = ended?.time ?? own.last?.time ?? began.time
            result[index] = Slice(output: items, stderr: stderr, seconds: max(0, endTime - began.time))
        }
        return result
    }

    private func appendText(from start: Int, to end: Int, into items: inout [OutputItem]) {
        let chunk = text(execution.stdout, from: start, to: end)
        if !chunk.isEmpty { items.append(.text(chunk)) }
    }

    private func text(_ data: Data, from start: Int, to end: Int) -> String {
        let lower = max(0, min(start, data.count)), upper = max(lower, min(end, data.count))
        guard upper > lower else { return "" }
        return String(decoding: data[lower..<upper], as: UTF8.self)
    }
}
