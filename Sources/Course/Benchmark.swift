import Attribution
import Foundation

extension CourseFiles {
    /// `Lessons/benchmark`: the course's pointing-game benchmark (32 boards, exact boxes; see its README).
    public static func benchmarkDirectory() throws -> URL {
        let folder = try repositoryRoot().appendingPathComponent("Lessons/benchmark", isDirectory: true)
        let annotations = folder.appendingPathComponent("annotations.json")
        guard FileManager.default.isReadableFile(atPath: annotations.path) else { throw CourseError.missingFile(annotations.path) }
        return folder
    }
}

extension PointingDataset {
    /// The course's built-in benchmark, loaded and checked (ImageNet classes).
    /// - Throws: `CourseError` when the repository is not found, `PointingDatasetError` when the folder is broken.
    public static func builtInBenchmark() throws -> PointingDataset {
        try PointingDataset(directory: CourseFiles.benchmarkDirectory(), classCount: 1000)
    }
}
