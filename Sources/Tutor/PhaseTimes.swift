import Foundation

/// Wall-clock time spent in each phase of a `tutor check` (parse, screen, compile, run, report, …), for
/// `--timings` and the learner's-loop benchmark. Process-wide and cheap: one lock, a few additions per phase.
public final class PhaseTimes: @unchecked Sendable {
    /// The times of this process.
    public static let shared = PhaseTimes()

    private let lock = NSLock()
    private var order: [String] = []
    private var seconds: [String: Double] = [:]

    /// Runs `body` and adds its wall-clock time to `phase`.
    @discardableResult
    public func measure<T>(_ phase: String, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { add(phase, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        return try body()
    }

    /// Adds `value` seconds to `phase`.
    public func add(_ phase: String, _ value: Double) {
        lock.withLock {
            if seconds[phase] == nil { order.append(phase) }
            seconds[phase, default: 0] += value
        }
    }

    /// Forgets every phase (the watcher starts each check afresh).
    public func reset() { lock.withLock { order = []; seconds = [:] } }

    /// The phases in first-seen order with their seconds.
    public var phases: [(name: String, seconds: Double)] { lock.withLock { order.map { ($0, seconds[$0]!) } } }

    /// One line: `parse 2 ms · compile 410 ms · …`.
    public var summary: String {
        phases.map { "\($0.name) \(Int(($0.seconds * 1000).rounded())) ms" }.joined(separator: " · ")
    }
}
