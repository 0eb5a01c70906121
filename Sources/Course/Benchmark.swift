// The course's built-in pointing-game benchmark (lesson 6).
import Foundation

extension CourseFiles {
    /// `<repository>/Lessons/benchmark`: 32 boards with exact object boxes in `annotations.json`.
    /// - Throws: `CourseError.missingFile` when the folder or its annotations are missing.
    public static func benchmarkDirectory() throws -> URL {
        let folder = try repositoryRoot().appendingPathComponent("Lessons").appendingPathComponent("benchmark")
        let annotations = folder.appendingPathComponent("annotations.json")
        guard FileManager.default.isReadableFile(atPath: annotations.path) else { throw CourseError.missingFile(annotations.path) }
        return folder
    }
}
