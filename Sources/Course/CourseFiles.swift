import Foundation

/// Where the course's files live: the repository root (the folder holding Package.swift) and its `Lessons/images`.
///
/// ```swift
/// let dataset = try PointingDataset(directory: CourseFiles.benchmarkDirectory())
/// ```
public enum CourseFiles {
    /// The environment variable that, when set, names the repository root directly.
    public static let rootVariable = "SALIENCY_TUTOR_ROOT"

    /// The repository root: `$SALIENCY_TUTOR_ROOT`, else the first folder holding Package.swift walking up from the
    /// current directory, else the one walking up from this source file (the checkout the library was built from).
    /// - Throws: `CourseError.repositoryNotFound` naming the places searched.
    public static func repositoryRoot() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        if let root = environment[rootVariable], !root.isEmpty {
            let url = URL(fileURLWithPath: root, isDirectory: true)
            if isRepository(url) { return url }
        }
        let fromCurrent = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        if let found = walkUp(from: fromCurrent) { return found }
        // Lesson programs may run from a temporary folder; the library's own source path still names the checkout.
        let fromSource = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        if let found = walkUp(from: fromSource) { return found }
        throw CourseError.repositoryNotFound(searched: [fromCurrent.path, fromSource.path])
    }

    /// `Lessons/images` inside the repository root.
    public static func imagesDirectory() throws -> URL {
        try repositoryRoot().appendingPathComponent("Lessons/images", isDirectory: true)
    }

    /// The URL of a file in `Lessons/images`, checked to exist.
    /// - Throws: `CourseError.missingFile` with the full path when it is absent.
    public static func image(named name: String) throws -> URL {
        let url = try imagesDirectory().appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { throw CourseError.missingFile(url.path) }
        return url
    }

    static func walkUp(from start: URL) -> URL? {
        var folder = start.standardizedFileURL
        while true {
            if isRepository(folder) { return folder }
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { return nil }
            folder = parent
        }
    }

    // The Lessons folder tells this project's root from an unrelated Swift package further up.
    static func isRepository(_ folder: URL) -> Bool {
        let manager = FileManager.default
        return manager.fileExists(atPath: folder.appendingPathComponent("Package.swift").path)
            && manager.fileExists(atPath: folder.appendingPathComponent("Lessons").path)
    }
}

/// What can go wrong while preparing the course's example data.
public enum CourseError: Error, CustomStringConvertible, Equatable {
    /// No folder with Package.swift and Lessons/ was found.
    case repositoryNotFound(searched: [String])
    /// A file the course needs is absent.
    case missingFile(String)

    /// A message naming the file or folders involved and how to fix it.
    public var description: String {
        switch self {
        case .repositoryNotFound(let searched):
            "could not find the SaliencyTutor repository (a folder with Package.swift and Lessons/) above "
                + searched.joined(separator: " or ") + "; run from inside the checkout or set \(CourseFiles.rootVariable)"
        case .missingFile(let path):
            "missing file \(path); run `make weights` for the model weights, or check out Lessons/images"
        }
    }
}
