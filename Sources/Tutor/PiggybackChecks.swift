import Foundation

/// Lets `tutor check` compile its tests into the lesson's first run, so an edited lesson is built and run once
/// instead of twice. The runner fills `outcome` only when that run went through every step cleanly.
final class PiggybackChecks: @unchecked Sendable {
    struct Outcome {
        var execution: Execution
        var included: Set<Int>
        var lineMap: [Int: (step: Int, line: Int)]
    }

    let tests: [Step]
    let testTimeout: Double
    let timeoutReason: String
    var outcome: Outcome?

    init(tests: [Step], testTimeout: Double, timeoutReason: String) {
        self.tests = tests
        self.testTimeout = testTimeout
        self.timeoutReason = timeoutReason
    }
}
