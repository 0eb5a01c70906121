import Foundation

/// Cuts one execution's stdout, stderr and image events into per-step output, in the order it was produced.
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
        for began in events where began.kind == "stepBegan" {
            let index = began.step
            let ended = events.first { $0.kind == "stepEnded" && $0.step == index }
            let stdoutEnd = ended?.stdoutOffset ?? execution.stdout.count
            let stderrEnd = ended?.stderrOffset ?? execution.stderr.count
            var items: [OutputItem] = []
            var cursor = began.stdoutOffset
            for event in events where event.kind == "image" && event.step == index {
                appendText(from: cursor, to: event.stdoutOffset, into: &items)
                cursor = max(cursor, event.stdoutOffset)
                guard let file = event.string("file") else { continue }
                let copied = "\(runName)-\(file)"
                try? FileManager.default.removeItem(at: target.appendingPathComponent(copied))
                try? FileManager.default.copyItem(at: assets.appendingPathComponent(file), to: target.appendingPathComponent(copied))
                let step = lesson.step(index)
                let title = event.string("title")
                let role = event.string("role") ?? "image"
                let alt = event.string("alt") ?? step?.options["alt"] ?? title.map { "\($0) (\(role))" }
                    ?? "\(role) shown by the step at line \(step?.fenceLine ?? 0)"
                items.append(.image(ImageOutput(file: copied, role: role, title: title, alt: alt,
                                                group: event.int("group"), note: event.string("note"))))
            }
            appendText(from: cursor, to: stdoutEnd, into: &items)
            var stderr = text(execution.stderr, from: began.stderrOffset, to: stderrEnd)
            // The crash reporter's banner says nothing the report does not (the JSON backtrace gives the line).
            if let banner = stderr.range(of: "\n*** Signal") ?? stderr.range(of: "*** Signal") {
                stderr = String(stderr[..<banner.lowerBound])
            }
            stderr = stderr.trimmingCharacters(in: .newlines)
            let endTime = ended?.time ?? events.last?.time ?? began.time
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
