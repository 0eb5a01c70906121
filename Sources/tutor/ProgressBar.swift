import Foundation

/// A one-line progress bar with counts and an ETA on stderr, drawn only when stderr is a terminal.
///
/// Library calls report `(done, total)` through a callback; `callback` adapts this bar to one. Redraws are
/// throttled (at most ten a second) so a fast loop spends no time writing to the terminal. When stderr is
/// not a TTY (a pipe, a file, CI) nothing is written at all.
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let enabled: Bool
    private let write: (String) -> Void
    private let clock: () -> Double
    private let width: Int
    private var start: Double?
    private var lastDraw = -Double.infinity
    private var drewSomething = false
    private let lock = NSLock()

    /// A bar for `label`, drawn on stderr when stderr is a terminal.
    convenience init(label: String) {
        let tty = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
        self.init(label: label, enabled: tty, columns: ProgressBar.terminalColumns(), write: { text in
            FileHandle.standardError.write(Data(text.utf8))
        }, clock: { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 })
    }

    /// A bar with an explicit sink and clock (for tests).
    init(label: String, enabled: Bool, columns: Int, write: @escaping (String) -> Void, clock: @escaping () -> Double) {
        self.label = label
        self.enabled = enabled
        self.write = write
        self.clock = clock
        self.width = max(columns, 40)
    }

    /// Runs `body` with a bar for `label` and ends the bar's line however `body` leaves (return or throw).
    static func showing<T>(_ label: String, _ body: (ProgressBar) throws -> T) rethrows -> T {
        let bar = ProgressBar(label: label)
        defer { bar.finish() }
        return try body(bar)
    }

    /// The library-side callback: `progress: bar.callback` (Sendable, for `MethodSettings.progress` too).
    var callback: @Sendable (_ done: Int, _ total: Int) -> Void { { [self] done, total in update(done: done, total: total) } }

    /// Records progress; redraws when enabled and at least 0.1 s passed (always on the last item).
    func update(done: Int, total: Int) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = clock()
        if start == nil { start = now }
        let finished = total > 0 && done >= total
        guard finished || now - lastDraw >= 0.1 else { return }
        lastDraw = now
        drewSomething = true
        write("\r" + line(done: done, total: total, elapsed: now - (start ?? now)) + "\u{1B}[K")
    }

    /// Ends the bar's line (a newline after the last draw); nothing when nothing was drawn.
    func finish() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        if drewSomething { write("\n") }
        drewSomething = false
    }

    /// The text of one frame: `label [=====>     ]  12/40  30%  0:07 elapsed, ETA 0:16`.
    func line(done: Int, total: Int, elapsed: Double) -> String {
        let total = max(total, 0)
        let done = min(max(done, 0), total)
        let fraction = total > 0 ? Double(done) / Double(total) : 0
        let counts = "\(String(repeating: " ", count: max(0, String(total).count - String(done).count)))\(done)/\(total)"
        let percent = String(format: "%3d%%", Int((fraction * 100).rounded(.down)))
        var timing = ProgressBar.clockText(elapsed)
        if done >= total && total > 0 {
            timing += " total"
        } else if done > 0 {
            // Constant-rate estimate from the items done so far.
            timing += ", ETA " + ProgressBar.clockText(elapsed / Double(done) * Double(total - done))
        } else {
            timing += ", ETA --:--"
        }
        // The bar's width depends only on the label and the total, so it does not jump between frames;
        // 24 columns are kept for the longest timing text ("1:02:03, ETA 1:02:03").
        let fixed = label.count + counts.count + percent.count + 24 + 5
        let barWidth = max(10, min(30, width - fixed))
        let filled = Int((fraction * Double(barWidth)).rounded(.down))
        let arrow = filled < barWidth && filled > 0 ? ">" : ""
        let bar = String(repeating: "=", count: max(0, filled - arrow.count)) + arrow
            + String(repeating: " ", count: barWidth - filled)
        return "\(label) [\(bar)] \(counts) \(percent) \(timing)"
    }

    /// Seconds as `m:ss` (or `h:mm:ss` from an hour on).
    static func clockText(_ seconds: Double) -> String {
        let total = seconds.isFinite ? Int(min(max(0, seconds), 3.6e8).rounded()) : 0
        let h = total / 3600, m = (total % 3600) / 60, s = total % 60
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
    }

    /// The terminal's width from TIOCGWINSZ on stderr, else $COLUMNS, else 80.
    static func terminalColumns() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let columns = Int(text), columns > 0 { return columns }
        return 80
    }
}
