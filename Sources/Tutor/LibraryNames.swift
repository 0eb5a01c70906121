import Foundation

/// Which names the libraries a check program imports already declare, asked of the compiler (one type-check of
/// `_ = NAME` lines) and remembered per library build. An exercise that declares such a name at top level would
/// shadow the library's declaration inside the checks.
struct LibraryNames {
    var environment: BuildEnvironment
    /// Folder for the remembered answers.
    var cacheRoot: URL

    private var cacheFile: URL {
        var hasher = StableHasher()
        hasher.combine(environment.buildID())
        hasher.combine(environment.toolchainID())
        return cacheRoot.appendingPathComponent("library-names-\(hasher.hexDigest).json")
    }

    /// The subset of `names` the libraries declare.
    func declared(_ names: Set<String>) throws -> Set<String> {
        guard !names.isEmpty else { return [] }
        var known = (try? JSONDecoder().decode([String: Bool].self, from: Data(contentsOf: cacheFile))) ?? [:]
        let unknown = names.filter { known[$0] == nil && $0.allSatisfy { $0 == "_" || $0.isLetter || $0.isNumber } }.sorted()
        if !unknown.isEmpty {
            for (name, declared) in try probe(unknown) { known[name] = declared }
            try? FileManager.default.createDirectory(at: cacheRoot, withIntermediateDirectories: true)
            try? JSONEncoder().encode(known).write(to: cacheFile, options: .atomic)
        }
        return names.filter { known[$0] ?? true }
    }

    private func probe(_ names: [String]) throws -> [String: Bool] {
        let folder = cacheRoot.appendingPathComponent("probe.\(getpid()).\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let header = ["import Foundation", "import LessonRuntime", "import Testing"]
        let source = (header + names.map { "_ = `\($0)`" }).joined(separator: "\n") + "\n"
        let file = folder.appendingPathComponent("probe.swift")
        try source.write(to: file, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("probe.out").path
        let arguments = BuildEnvironment.languageFlags + ["-module-name", "LibraryProbe"] + environment.searchFlags() + ["-typecheck", file.path]
        _ = try Subprocess(executable: environment.swiftc, arguments: arguments, environment: ProcessInfo.processInfo.environment,
                           stdoutPath: out, stderrPath: out, contained: false).run()
        let diagnostics = DiagnosticParser.parse((try? String(contentsOfFile: out, encoding: .utf8)) ?? "")
        var result: [String: Bool] = [:]
        for (i, name) in names.enumerated() {
            let line = header.count + 1 + i
            let missing = diagnostics.contains { $0.line == line && $0.severity == "error" && $0.message.contains("cannot find '\(name)' in scope") }
            result[name] = !missing
        }
        return result
    }
}
