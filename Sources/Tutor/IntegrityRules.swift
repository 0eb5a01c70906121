import Foundation

/// The runner's integrity rules as plain functions over text, for tests and tools (the grader, linters).
public enum IntegrityRules {
    /// Why a transcript of the runner's channel (one JSON line each) is not a well-formed run of `plannedSteps`
    /// ending with `termination`; nil when it is.
    public static func tampering(transcript lines: [String], token: String, plannedSteps: [Int], expectsChecks: Bool,
                                 termination: Termination) -> String? {
        var sequence = EventSequence(token: token, plannedSteps: plannedSteps, expectsChecks: expectsChecks)
        sequence.consume(Data(lines.map { $0 + "\n" }.joined().utf8))
        sequence.finish(termination, killed: false)
        return sequence.tampered
    }

    /// Exercise code the source rules refuse, as (exercise id, Markdown line, message), in lesson order.
    public static func refusedExerciseCode(in lesson: Lesson) -> [(exercise: String, line: Int, message: String)] {
        let screen = ExerciseScreen(lesson: lesson)
        return lesson.exercises.flatMap { step in
            screen.findings(in: step, lines: step.lines).map { (step.exerciseID!, $0.line, $0.message) }
        }
    }
}
