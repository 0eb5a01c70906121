import Foundation

/// Code standing in for an exercise: the reference solution, with the file and line it came from.
struct ReplacementCode: Sendable {
    var path: String
    var firstLine: Int
    var lines: [String]
    /// Where it came from, for notes ("the reference solution in X.md").
    var origin: String
}

/// Generates the Swift sources of a lesson program: one `main.swift` with every step as top-level code, each
/// wrapped in `#sourceLocation` so diagnostics, traps and `#expect` failures name the Markdown line.
struct ProgramGenerator {
    var lesson: Lesson
    /// The code of each step as the learner has it (student form already applied).
    var codeOf: (Step) -> [String]
    /// The variable holding the runner's handle: a fresh name per generator, so lesson code cannot name it.
    let handle = "__tutor_" + (0..<3).map { _ in String(format: "%08x", UInt32.random(in: 0...UInt32.max)) }.joined()

    /// The prefix of the generated suites' type names (lesson code may not declare names starting with `__`).
    static let suitePrefix = "__TutorChecks_"

    /// `main.swift` for the steps in `included` (in order); `replacements` stand in for exercises.
    /// With `checks`, the program runs Swift Testing after the last step. Steps in `separate` are declarations
    /// compiled from files of their own (`exerciseSource`): here they only begin and end.
    func mainSource(included: Set<Int>, replacements: [Int: ReplacementCode], checks: Bool, separate: Set<Int> = [],
                    handle: String? = nil) -> String {
        let handle = handle ?? self.handle
        var out = ["import Foundation", "import LessonRuntime"]
        if checks { out.append("import Testing") }
        // Private: code in another file of the program (a separate exercise) cannot reach the handle at all.
        out.append("private let \(handle) = LessonRuntime.__tutorConnect()")
        // A check program can be asked to run its checks alone (`SideBySideChecks`): straight to them, no step runs.
        if checks { out.append("if \(handle).checksOnly { \(handle).programEnded(); await \(handle).runChecks() }") }
        for step in lesson.steps where included.contains(step.index) {
            out.append("\(handle).stepBegan(\(step.index), line: \(step.fenceLine))")
            if separate.contains(step.index) {
                out.append("\(handle).stepEnded(\(step.index))")
                continue
            }
            if step.expectation == .noRun { out.append("if LessonRuntime.__tutorNoRun() {") }
            out += locatedCode(step, replacement: replacements[step.index])
            if step.expectation == .noRun { out.append("}") }
            out.append("\(handle).stepEnded(\(step.index))")
        }
        out.append("\(handle).programEnded()")
        if checks { out.append("await \(handle).runChecks()") }
        return out.joined(separator: "\n") + "\n"
    }

    /// The file of one declaration-only exercise: its code (or the replacement standing in for it) at its lines.
    func exerciseSource(_ step: Step, replacement: ReplacementCode?) -> String {
        (["import Foundation", "import LessonRuntime"] + locatedCode(step, replacement: replacement)).joined(separator: "\n") + "\n"
    }

    /// A step's code (or the replacement standing in for it) between `#sourceLocation` lines naming where it came from.
    private func locatedCode(_ step: Step, replacement: ReplacementCode?) -> [String] {
        let header = replacement.map { "#sourceLocation(file: \(literal($0.path)), line: \($0.firstLine))" }
            ?? "#sourceLocation(file: \(literal(lesson.path)), line: \(step.fenceLine + 1))"
        return [header] + (replacement?.lines ?? codeOf(step)) + ["#sourceLocation()"]
    }

    /// The checks file: one `@Suite` per exercise holding its test blocks. Returns the source and, for each
    /// physical line of a test block, the test step and Markdown line.
    func checksSource(tests: [Step]) -> (source: String, lineMap: [Int: (step: Int, line: Int)]) {
        var out = ["import Foundation", "import Testing", "import LessonRuntime"]
        // Imports are only valid at file scope: lift them out of the suites (a blank line keeps the numbering).
        for test in tests {
            for line in test.lines where Self.isImport(line) && !out.contains(line.trimmingCharacters(in: .whitespaces)) {
                out.append(line.trimmingCharacters(in: .whitespaces))
            }
        }
        var map: [Int: (Int, Int)] = [:]
        var byExercise: [String: [Step]] = [:]
        var order: [String] = []
        for test in tests {
            guard case .test(let id, _, _) = test.role else { continue }
            if byExercise[id] == nil { order.append(id) }
            byExercise[id, default: []].append(test)
        }
        for id in order {
            out.append("@Suite(\(literal("exercise \(id)"))) struct \(suiteName(id)) {")
            for test in byExercise[id]! {
                out.append("#sourceLocation(file: \(literal(lesson.path)), line: \(test.fenceLine + 1))")
                for (i, line) in test.lines.enumerated() {
                    out.append(Self.isImport(line) ? "" : line)
                    map[out.count] = (test.index, test.markdownLine(i))
                }
                out.append("#sourceLocation()")
            }
            out.append("}")
        }
        return (out.joined(separator: "\n") + "\n", map)
    }

    static func isImport(_ line: String) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.hasPrefix("import ") || trimmed.hasPrefix("@testable import ")
    }

    /// The Swift type name of an exercise's suite: by position, so ids that differ only in punctuation never collide.
    func suiteName(_ id: String) -> String {
        let position = lesson.exercises.firstIndex { $0.exerciseID == id } ?? 0
        return Self.suitePrefix + "\(position)"
    }

    /// Swift Testing filter that selects only the generated suites (regular expression over test ids).
    static var suiteFilter: String { "^LessonProgram\\.\(suitePrefix)" }

    private func literal(_ text: String) -> String {
        swiftStringLiteral(text)
    }
}

/// A Swift string literal for any text (control characters escaped, so no file name can break the source).
func swiftStringLiteral(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F { out += "\\u{\(String(scalar.value, radix: 16))}" } else { out.unicodeScalars.append(scalar) }
        }
    }
    return out + "\""
}
