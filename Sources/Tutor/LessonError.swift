import Foundation

/// A problem in a lesson file, found before anything runs.
public struct LessonIssue: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// The lesson file.
    public var file: String
    /// The Markdown line (1-based).
    public var line: Int
    public var message: String

    /// One line; text quoted from the lesson is clipped so a crafted file cannot print megabytes.
    public var description: String { "\(file):\(line): error: \(Self.clipped(message))" }

    /// `text` on one line and at most `limit` characters.
    static func clipped(_ text: String, limit: Int = 600) -> String {
        let flat = text.contains(where: \.isNewline) ? String(text.map { $0.isNewline ? " " : $0 }) : text
        guard flat.count > limit else { return flat }
        return String(flat.prefix(limit)) + "… (\(flat.count - limit) more characters)"
    }
}

/// Errors from the lesson tools.
public enum TutorError: Error, Sendable, CustomStringConvertible {
    /// The lesson has one or more format problems.
    case invalidLesson([LessonIssue])
    /// A file could not be read or written.
    case io(path: String, reason: String)
    /// The prebuilt libraries or the compiler were not found.
    case setup(String)

    public var description: String {
        switch self {
        case .invalidLesson(let issues):
            // A crafted lesson can hold a problem on every line: show the first hundred.
            issues.prefix(100).map(\.description).joined(separator: "\n")
                + (issues.count > 100 ? "\n\(issues[0].file): … and \(issues.count - 100) more problems" : "")
        case .io(let path, let reason): "\(path): \(reason)"
        case .setup(let message): message
        }
    }
}
