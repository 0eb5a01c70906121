import Foundation

/// The GRADES folder: kept results (`.grading/results/<student>/<lesson>.json`), `gradebook.csv`, one feedback page
/// per student and lesson, and `summary.html`.
struct GradeStore {
    var root: URL

    var internalFolder: URL { root.appendingPathComponent(".grading") }
    private var resultsFolder: URL { internalFolder.appendingPathComponent("results") }

    func prepare() throws {
        do { try FileManager.default.createDirectory(at: resultsFolder, withIntermediateDirectories: true) } catch {
            throw TutorError.io(path: root.path, reason: "cannot create the grades folder: \(error.localizedDescription)")
        }
    }

    private func resultURL(student: String, lesson: String) -> URL {
        resultsFolder.appendingPathComponent(student).appendingPathComponent(lesson + ".json")
    }

    /// The kept result of a student's lesson, if any.
    func result(student: String, lesson: String) -> LessonGrade? {
        guard let data = FileManager.default.contents(atPath: resultURL(student: student, lesson: lesson).path) else { return nil }
        return try? JSONDecoder().decode(LessonGrade.self, from: data)
    }

    func save(_ grade: LessonGrade) throws {
        let url = resultURL(student: grade.student, lesson: grade.lesson)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(grade).write(to: url, options: .atomic)
    }

    /// Every kept result.
    func allResults() -> [LessonGrade] {
        let manager = FileManager.default
        var grades: [LessonGrade] = []
        for student in ((try? manager.contentsOfDirectory(atPath: resultsFolder.path)) ?? []).sorted() {
            let folder = resultsFolder.appendingPathComponent(student)
            for file in ((try? manager.contentsOfDirectory(atPath: folder.path)) ?? []).sorted() where file.hasSuffix(".json") {
                if let data = manager.contents(atPath: folder.appendingPathComponent(file).path),
                   let grade = try? JSONDecoder().decode(LessonGrade.self, from: data) {
                    grades.append(grade)
                }
            }
        }
        return grades
    }

    /// Writes gradebook.csv, the feedback pages and summary.html for `grades`.
    func writeOutputs(_ grades: [LessonGrade]) throws {
        try Release.write(Gradebook.csv(grades), to: root.appendingPathComponent("gradebook.csv"))
        for grade in grades {
            let folder = root.appendingPathComponent(grade.student)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Release.write(GradeFeedbackPage(grade: grade).render(), to: folder.appendingPathComponent(grade.lesson + ".html"))
        }
        try Release.write(GradebookSummaryPage(grades: grades).render(), to: root.appendingPathComponent("summary.html"))
    }
}

/// `gradebook.csv` and `tutor gradebook merge`.
public enum Gradebook {
    /// The header row.
    public static let header = "student,lesson,exercise,points,possible,status,note"

    /// One row per (student, lesson, exercise), students and lessons sorted, exercises in lesson order.
    public static func csv(_ grades: [LessonGrade]) -> String {
        var lines = [header]
        for grade in grades.sorted(by: { ($0.student, $0.lesson) < ($1.student, $1.lesson) }) {
            for exercise in grade.exercises {
                var note = exercise.note
                if !grade.changes.isEmpty && !note.contains("tampered") && exercise.id == grade.exercises.first?.id {
                    note += (note.isEmpty ? "" : "; ") + "changed locked blocks (ignored): \(grade.changes.count)"
                }
                let fields = [grade.student, grade.lesson, exercise.id, String(exercise.points), String(exercise.possible),
                              exercise.status.rawValue, note]
                lines.append(fields.map(field).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A CSV field: quoted when needed; a leading = + - @ is defused so spreadsheets do not run it as a formula.
    static func field(_ text: String) -> String {
        var text = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if let first = text.first, "=+-@\t".contains(first) { text = "'" + text }
        guard text.contains(",") || text.contains("\"") || text.hasPrefix(" ") || text.hasSuffix(" ") else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Combines the GRADES folders of shards into one: results, gradebook, feedback pages and summary.
    /// A student's lesson graded in two shards must have the same result in both.
    public static func merge(_ shards: [URL], into out: URL) throws -> Int {
        var merged: [String: LessonGrade] = [:]
        for shard in shards {
            let store = GradeStore(root: shard)
            guard FileManager.default.fileExists(atPath: store.internalFolder.path) else {
                throw TutorError.io(path: shard.path, reason: "not a GRADES folder of `tutor grade` (no .grading inside)")
            }
            for grade in store.allResults() {
                let id = grade.student + "/" + grade.lesson
                if let other = merged[id], other.key != grade.key || other.exercises != grade.exercises {
                    throw TutorError.io(path: shard.path, reason: "\(id) was graded differently in two shards; grade it again in one")
                }
                merged[id] = grade
            }
        }
        guard !merged.isEmpty else { throw TutorError.io(path: shards.map(\.path).joined(separator: " "), reason: "no graded submissions to merge") }
        let store = GradeStore(root: out)
        try store.prepare()
        let grades = merged.values.sorted { ($0.student, $0.lesson) < ($1.student, $1.lesson) }
        for grade in grades { try store.save(grade) }
        try store.writeOutputs(grades)
        return grades.count
    }
}
