import Foundation

/// A parsed lesson: prose and Swift steps in document order, with every attribute validated.
public struct Lesson: Sendable {
    /// The lesson file as given on the command line (used in `#sourceLocation` and diagnostics).
    public var path: String
    /// The lesson's name: the file name without `.md`.
    public var name: String
    /// The title: the first heading, or the name.
    public var title: String
    /// The raw text, for cache keys.
    public var text: String
    /// Blocks in document order.
    public var blocks: [LessonBlock]
    /// The exercises' hints (`<!-- hints for=ID … -->`), in document order; never part of `blocks`.
    public var hintBlocks: [HintBlock] = []

    /// The hints of exercise `id`, in the order `tutor hint` shows them (empty when it has none).
    public func hints(for id: String) -> [String] {
        hintBlocks.first { $0.exerciseID == id }?.hints ?? []
    }

    /// All steps (runnable blocks and tests), in document order.
    public var steps: [Step] {
        blocks.compactMap { if case .step(let step) = $0 { step } else { nil } }
    }

    /// The exercises, in document order.
    public var exercises: [Step] { steps.filter { $0.exerciseID != nil } }

    /// The step with the given index.
    public func step(_ index: Int) -> Step? { steps.first { $0.index == index } }

    /// The step whose code holds Markdown line `line`.
    public func step(containingLine line: Int) -> Step? {
        steps.first { $0.fenceLine < line && line <= $0.fenceLine + max($0.lines.count, 1) }
    }
}

/// A block of a lesson.
public enum LessonBlock: Sendable {
    /// Prose rendered to HTML by cmark.
    case prose(html: String, heading: Heading?)
    /// A Swift step.
    case step(Step)
}

/// A heading, for the table of contents.
public struct Heading: Sendable, Codable {
    public var level: Int
    public var text: String
    public var anchor: String
}

/// What a step is for.
public enum StepRole: Sendable, Equatable, Codable {
    /// Ordinary code that runs and shows its output.
    case code
    /// Runs but is not shown.
    case setup
    /// Code the learner edits.
    case exercise(id: String)
    /// Swift Testing checks for an exercise.
    case test(exerciseID: String, points: Int, hidden: Bool)
}

/// How a step is expected to behave.
public enum StepExpectation: String, Sendable, Codable {
    case runs, shouldTrap = "should-trap", compileFail = "compile-fail", noRun = "no-run"
}

/// One fenced `swift` block.
public struct Step: Sendable {
    /// Position among the lesson's steps (0-based).
    public var index: Int
    /// Markdown line of the opening fence; the code starts on the next line.
    public var fenceLine: Int
    public var role: StepRole
    public var expectation: StepExpectation
    /// Wall-clock limit for this step, if the block sets one.
    public var timeout: Double?
    /// The code, one entry per Markdown line.
    public var lines: [String]
    /// Which lines are shown in the report (`// snippet.hide` regions, `//|` options and markers are not).
    public var visible: [Bool]
    /// `//| key: value` options (alt, caption).
    public var options: [String: String]
    /// Line ranges (0-based, in `lines`, markers included) of `// BEGIN SOLUTION` … `// END SOLUTION`.
    public var solutionRegions: [ClosedRange<Int>]

    /// Markdown line of code line `i` (0-based).
    public func markdownLine(_ i: Int) -> Int { fenceLine + 1 + i }

    /// The exercise id, if this is an exercise.
    public var exerciseID: String? { if case .exercise(let id) = role { id } else { nil } }

    /// True for `test for=…` blocks.
    public var isTest: Bool { if case .test = role { true } else { false } }

    /// The code as one string.
    public var code: String { lines.joined(separator: "\n") }

    /// The student form: each solution region replaced by `TODO()` at the region's indentation.
    public func studentLines() -> [String] {
        var result = lines
        for region in solutionRegions.reversed() {
            let first = region.lowerBound + 1 <= region.upperBound - 1 ? lines[region.lowerBound + 1] : lines[region.lowerBound]
            let indent = String(first.prefix { $0 == " " || $0 == "\t" })
            // Keep the line count so Markdown lines stay the same: markers stay, body lines become blank.
            for i in region where i != region.lowerBound && i != region.upperBound { result[i] = "" }
            if region.upperBound - region.lowerBound >= 2 {
                result[region.lowerBound + 1] = indent + "TODO(" + swiftStringLiteral(StudentForm.hint(in: lines, region: region)) + ")"
            }
        }
        return result
    }
}
