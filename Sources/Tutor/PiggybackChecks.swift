import Foundation

/// Lets `tutor check` compile its tests into the lesson's first run, so an edited lesson is built and run once
/// instead of twice. The runner fills `outcome` when that run went through every step cleanly, or when the checks
/// ran beside the steps, apart from them (`SideBySideChecks`).
final class PiggybackChecks: @unchecked Sendable {
    struct Outcome {
        var execution: Execution
        var included: Set<Int>
        var lineMap: [Int: (step: Int, line: Int)]
        /// Set when the checks ran beside the steps, apart from them: the test blocks they ran. Their result then
        /// holds for any set of steps, as long as the same blocks are to run.
        var apartWithTests: [Int]?
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
