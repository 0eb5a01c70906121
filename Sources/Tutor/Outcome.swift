import Foundation

/// What happened to one step.
public enum StepStatus: String, Sendable, Codable {
    /// Ran to the end.
    case ok
    /// A `should-trap` step trapped, or a `compile-fail` step failed to compile: as declared.
    case failedAsDeclared = "failed-as-declared"
    /// A `no-run` step compiled and was not run, as declared.
    case compiledOnly = "compiled-only"
    case compileError = "compile-error"
    case trapped
    case timedOut = "timed-out"
    /// An exercise still at `TODO()` (or a step that reached one).
    case todo
    /// Did not run; the message says why.
    case notRun = "not-run"
    /// A `should-trap` step finished, or a `compile-fail` step compiled.
    case unexpectedSuccess = "unexpected-success"
    /// The program's events were not a well-formed run (forged, rewritten or cut short by lesson code).
    case tampered

    /// True when the step behaved as the lesson declared.
    public var isAsDeclared: Bool { self == .ok || self == .failedAsDeclared || self == .compiledOnly }
}

/// A compiler diagnostic at a Markdown line.
public struct Diagnostic: Sendable, Codable, Equatable {
    public var file: String
    public var line: Int
    public var column: Int
    public var severity: String
    public var message: String
}

/// One piece of a step's output, in the order it was produced.
public enum OutputItem: Sendable, Equatable {
    case text(String)
    case image(ImageOutput)
}

// MARK: - Codable

extension OutputItem: Codable {
    private enum CodingKeys: String, CodingKey { case text, image }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let text = try container.decodeIfPresent(String.self, forKey: .text) {
            self = .text(text)
        } else {
            self = .image(try container.decode(ImageOutput.self, forKey: .image))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .text(let text): try container.encode(text, forKey: .text)
        case .image(let image): try container.encode(image, forKey: .image)
        }
    }
}

/// An image a step showed.
public struct ImageOutput: Sendable, Codable, Equatable {
    /// File name inside the result's asset folder.
    public var file: String
    /// heatmap, overlay, grayscale, colorbar or image.
    public var role: String
    public var title: String?
    public var alt: String
    /// Images of one `show(heatmap:)` call share a group.
    public var group: Int?
    /// E.g. the normalisation of a heatmap.
    public var note: String?
    /// The layout of a `PanelFigure` its group comes from: the title `show` gave, the figure's own title, panels per
    /// row (nil: one row), and the size to display a small map at.
    public var figure: FigureLayout?
}

/// How the panels of one figure are laid out and titled (from a lesson program: every value is capped on reading).
public struct FigureLayout: Sendable, Codable, Equatable {
    public var title: String?
    public var subtitle: String?
    public var columns: Int?
    public var displayWidth: Int?
    public var displayHeight: Int?

    /// The layout an image event describes, or nil when it names none.
    static func from(_ event: RuntimeEvent) -> FigureLayout? {
        let title = event.string("figureTitle").map { String($0.prefix(300)) }
        let subtitle = event.string("figureSubtitle").map { String($0.prefix(300)) }
        let columns = event.int("columns").flatMap { (1...64).contains($0) ? $0 : nil }
        let display = (event.fields["display"] as? [Any])?.compactMap { $0 as? Int }
        let size = display.flatMap { $0.count == 2 && $0.allSatisfy { (1...4096).contains($0) } ? $0 : nil }
        guard title != nil || subtitle != nil || columns != nil || size != nil else { return nil }
        return FigureLayout(title: title, subtitle: subtitle, columns: columns, displayWidth: size?[0], displayHeight: size?[1])
    }
}

/// The result of one step.
public struct StepResult: Sendable, Codable {
    public var index: Int
    /// Markdown line of the opening fence.
    public var line: Int
    public var status: StepStatus
    /// Why it failed or did not run.
    public var message: String?
    /// The Markdown line the failure points at (a trap's line, a TODO's line, the first error's line).
    public var failureLine: Int?
    public var diagnostics: [Diagnostic]
    public var output: [OutputItem]
    /// Standard error of the step (fatal-error messages, warnings printed by libraries).
    public var stderr: String
    /// Seconds the step took (0 when it did not run).
    public var seconds: Double
    /// Set when later steps ran on the reference solution of this exercise.
    public var note: String?
    /// The exercise whose failure stopped this step in the learner's code; it then ran on the reference.
    public var reliesOnReferenceOf: String?
    /// True when this step ran while a reference solution stood in for an unfinished or failing exercise.
    public var ranOnReference: Bool?
}

/// The result of running a whole lesson.
public struct LessonRunResult: Sendable, Codable {
    public var lessonPath: String
    public var steps: [StepResult]
    public var seconds: Double
    /// Folder holding the images the steps wrote.
    public var assetsDirectory: String
    /// True when served from the cache.
    public var cached: Bool

    /// True when every step behaved as declared.
    public var allAsDeclared: Bool { steps.allSatisfy { $0.status.isAsDeclared } }
}

/// One Swift Testing test of an exercise.
public struct TestResult: Sendable, Codable {
    public var name: String
    /// passed, failed, crashed, timed-out, not-run.
    public var status: String
    public var message: String?
    /// Markdown line of the `@Test` (or of the failed expectation).
    public var line: Int
    public var points: Int
    public var hidden: Bool
}

/// The checks of one exercise.
public struct ExerciseResult: Sendable, Codable {
    public var id: String
    public var line: Int
    public var pointsEarned: Int
    public var pointsPossible: Int
    public var tests: [TestResult]
}

/// The outcome of `tutor check`.
public struct CheckResult: Sendable, Codable {
    public var lesson: String
    /// 0 pass, 1 failing checks, 2 lesson or build error, 3 crash or timeout.
    public var exitCode: Int32
    public var steps: [StepResult]
    public var exercises: [ExerciseResult]
    public var pointsEarned: Int
    public var pointsPossible: Int
    /// Problems that stopped the checks (build errors of the check program).
    public var errors: [String]
    /// True when this result came from the cache (nothing was built or run).
    public var cached: Bool?
}

extension CheckResult {
    /// The result as a learner may see it: hidden tests keep their status and points, lose their names, messages
    /// and lines (the block's fence line stands in).
    public func redactingHidden(lesson: Lesson) -> CheckResult {
        var copy = self
        for e in copy.exercises.indices {
            for t in copy.exercises[e].tests.indices where copy.exercises[e].tests[t].hidden {
                let test = copy.exercises[e].tests[t]
                let block = lesson.step(containingLine: test.line)?.fenceLine ?? copy.exercises[e].line
                copy.exercises[e].tests[t] = TestResult(name: "hidden test", status: test.status, message: nil, line: block,
                                                        points: test.points, hidden: true)
            }
        }
        return copy
    }
}
