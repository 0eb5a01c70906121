import Foundation

/// A student's file for one lesson, read and compared with the instructor's lesson: which exercise code to grade,
/// which exercises are already decided (missing, tampered), and which locked blocks were changed.
struct SubmissionAnalysis: Equatable, Sendable {
    /// The student's code by exercise id.
    var code: [String: [String]] = [:]
    /// Exercises decided before anything runs.
    var decided: [String: DecidedExercise] = [:]
    /// Changes to locked blocks, in words; they are ignored when grading.
    var changes: [String] = []
    /// Per exercise: changes to its public tests (added to its note).
    var testChanges: [String: [String]] = [:]

    /// Reads `SUBMISSIONS/<student>/<lesson>.md`: missing, not UTF-8, or the analysis of its text.
    static func read(_ url: URL, source: Lesson, locked: [LockedBlock]) -> (analysis: SubmissionAnalysis, bytes: Data?) {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            return (everything(source, .missing, "no file \(url.lastPathComponent) was handed in"), nil)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            let offset = firstInvalidUTF8(data)
            return (everything(source, .missing, "\(url.lastPathComponent) is not UTF-8 text (first bad byte at offset \(offset)); save it as UTF-8 and hand it in again"), data)
        }
        return (analyze(StudentForm.normalized(text), source: source, locked: locked, file: url.lastPathComponent), data)
    }

    /// Every exercise decided the same way.
    static func everything(_ source: Lesson, _ status: GradeStatus, _ note: String) -> SubmissionAnalysis {
        var result = SubmissionAnalysis()
        for step in source.exercises { result.decided[step.exerciseID!] = DecidedExercise(status: status, note: note) }
        return result
    }

    /// Compares a submission's text (line endings normalised) with the instructor's lesson.
    static func analyze(_ text: String, source: Lesson, locked: [LockedBlock], file: String) -> SubmissionAnalysis {
        let blocks = ScannedBlock.scan(text)
        let known = Set(source.exercises.compactMap(\.exerciseID))
        let lockedHashes = Set(locked.map(\.sha256))
        let recognisable = blocks.contains { $0.exerciseID.map(known.contains) == true || lockedHashes.contains($0.sha256) }
        if !recognisable {
            let what = blocks.isEmpty ? "no ```swift blocks at all" : "none of the lesson's exercise blocks"
            return everything(source, .missing, "\(file) is not this lesson's Markdown (\(what))")
        }
        var result = SubmissionAnalysis()
        for step in source.exercises {
            let id = step.exerciseID!
            let matches = blocks.filter { $0.exerciseID == id }
            if matches.isEmpty {
                result.decided[id] = DecidedExercise(status: .missing, note: "the submission has no `swift exercise id=\(id)` block")
            } else if matches.count > 1 {
                let lines = matches.map { String($0.fenceLine) }.joined(separator: ", ")
                result.decided[id] = DecidedExercise(status: .tampered, note: "tampered: \(matches.count) blocks claim `id=\(id)` (lines \(lines))")
                result.code[id] = matches[0].lines
            } else if let forged = TamperPatterns.first(in: matches[0]) {
                result.decided[id] = DecidedExercise(status: .tampered, note: "tampered: \(forged)")
                result.code[id] = matches[0].lines
            } else {
                result.code[id] = matches[0].lines
            }
        }
        for block in blocks {
            if let id = block.exerciseID, !known.contains(id) {
                result.changes.append("added an exercise block `id=\(id)` at line \(block.fenceLine) (ignored)")
            }
        }
        let submitted = blocks.filter { $0.exerciseID == nil }
        for change in LockedDiff.changes(expected: locked, submitted: submitted) {
            result.changes.append(change.text)
            if let id = change.exercise { result.testChanges[id, default: []].append(change.text) }
        }
        return result
    }

    private static func firstInvalidUTF8(_ data: Data) -> Int {
        var offset = 0
        var iterator = data.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += String(scalar).utf8.count
            case .emptyInput: return offset
            case .error: return offset
            }
        }
    }
}

/// Code in an exercise block that reaches for the runner's own machinery: graded as tampered, never run.
enum TamperPatterns {
    private static let patterns: [(String, String)] = [
        ("#sourceLocation", "moves the compiler's idea of where code is"),
        ("__tutor", "calls the runner's internal hooks"),
        ("TUTOR_", "reads the runner's settings"),
        ("__swiftPMEntryPoint", "starts the test runner itself"),
        ("__CommandLineArguments", "starts the test runner itself"),
        ("@Test", "declares its own tests"),
        ("@Suite", "declares its own tests"),
        ("Checks_", "uses the name of the checks' suites"),
        ("LessonEventLog", "writes runner events"),
    ]

    /// The first forbidden use in the block, in words with its line.
    static func first(in block: ScannedBlock) -> String? {
        for (i, line) in block.lines.enumerated() {
            let code = line.range(of: "//").map { String(line[..<$0.lowerBound]) } ?? line
            for (pattern, why) in patterns where code.contains(pattern) {
                return "line \(block.fenceLine + 1 + i) uses `\(pattern)`, which \(why)"
            }
        }
        return nil
    }
}

/// Which locked blocks a submission changed: a longest-common-subsequence match of block hashes, so an edit in
/// one block does not make every later block look changed.
enum LockedDiff {
    struct Change: Equatable {
        var text: String
        /// The exercise whose test changed, if a test did.
        var exercise: String?
    }

    static func changes(expected: [LockedBlock], submitted: [ScannedBlock]) -> [Change] {
        let a = expected.map(\.sha256), b = submitted.map(\.sha256)
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var removed: [Int] = [], added: [Int] = []
        var changes: [Change] = []
        func flush() {
            // Within one gap, pair removed and added blocks of the same kind as edits.
            var pool = added
            for r in removed {
                let block = expected[r]
                if let k = pool.firstIndex(where: { kindOf(submitted[$0]) == block.kind && submitted[$0].testFor == block.exercise }) {
                    let s = submitted[pool.remove(at: k)]
                    changes.append(Change(text: "edited the \(describe(block)) at line \(s.fenceLine) (ignored; the original was graded)", exercise: block.exercise))
                } else {
                    changes.append(Change(text: "removed the \(describe(block)) (line \(block.line) of the release; the original was graded)", exercise: block.exercise))
                }
            }
            for k in pool {
                let s = submitted[k]
                changes.append(Change(text: "added a \(s.kindDescription) at line \(s.fenceLine) (ignored)", exercise: s.testFor))
            }
        }
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count && j < b.count && a[i] == b[j] {
                flush(); removed = []; added = []
                i += 1; j += 1
            } else if j < b.count && (i == a.count || table[i][j + 1] >= table[i + 1][j]) {
                added.append(j); j += 1
            } else {
                removed.append(i); i += 1
            }
        }
        flush()
        return changes
    }

    private static func kindOf(_ block: ScannedBlock) -> String {
        block.testFor != nil ? "test" : block.words.contains("setup") ? "setup" : "step"
    }

    private static func describe(_ block: LockedBlock) -> String {
        switch block.kind {
        case "test": "public test for `\(block.exercise ?? "?")`"
        case "setup": "setup step"
        default: "step"
        }
    }
}
