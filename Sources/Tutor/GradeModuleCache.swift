import Foundation

/// The compiler's module cache for grading workers. Each worker starts in a fresh folder, so the compiler would
/// rebuild the C and Swift Testing modules a check program imports (about 23 MB, 1.4 s of CPU) for every
/// submission. The grader builds them once per library build and toolchain, from a program of its own that imports
/// what check programs import, in a folder beside the runner's cache; each sandboxed worker gets a copy at the same
/// path (compiled modules remember where their cache was) in its private cache, through `XDG_CACHE_HOME`. What a
/// student's program writes into its copy dies with the worker, so no submission can change how another compiles.
struct GradeModuleCache: Sendable {
    /// `XDG_CACHE_HOME` of the prepared cache, nil when it could not be built (workers then build their own).
    let home: URL?

    /// Finds or builds the cache for the current libraries and toolchain.
    static func prepare() -> GradeModuleCache {
        guard let runner = try? LessonRunner(options: RunOptions()) else { return GradeModuleCache(home: nil) }
        let environment = runner.environment
        var hasher = StableHasher()
        hasher.combine("grade-module-cache-v1")
        hasher.combine(environment.buildID())
        hasher.combine(environment.toolchainID())
        let prefix = "grade-module-cache-\(hasher.hexDigest)-"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: runner.cacheRoot.path)) ?? []
        for name in names.sorted() where name.hasPrefix(prefix) {
            let folder = runner.cacheRoot.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("complete").path) {
                return GradeModuleCache(home: folder.appendingPathComponent("xdg"))
            }
        }
        // Built where it stays: the compiled modules name this path.
        let folder = runner.cacheRoot.appendingPathComponent(prefix + String(UInt32.random(in: 0...UInt32.max)))
        guard build(in: folder, environment: environment) else {
            try? FileManager.default.removeItem(at: folder)
            return GradeModuleCache(home: nil)
        }
        _ = FileManager.default.createFile(atPath: folder.appendingPathComponent("complete").path, contents: Data())
        return GradeModuleCache(home: folder.appendingPathComponent("xdg"))
    }

    /// Compiles and links a program importing what check programs import, with `folder/xdg` as its cache home.
    private static func build(in folder: URL, environment: BuildEnvironment) -> Bool {
        let work = folder.appendingPathComponent("work")
        defer { try? FileManager.default.removeItem(at: work) }
        do { try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true) } catch { return false }
        let main = work.appendingPathComponent("main.swift")
        let source = "import Foundation\nimport Testing\nimport LessonRuntime\n@Test func warm() { #expect(Bool(true)) }\nprint(1)\n"
        guard (try? source.write(to: main, atomically: true, encoding: .utf8)) != nil else { return false }
        var variables = ProcessInfo.processInfo.environment
        variables["XDG_CACHE_HOME"] = folder.appendingPathComponent("xdg").path
        variables["TMPDIR"] = work.path
        let log = work.appendingPathComponent("log").path
        let process = Subprocess(executable: environment.swiftc,
                                 arguments: environment.compileArguments(sources: [main.path], output: work.appendingPathComponent("program").path),
                                 environment: variables, stdoutPath: log, stderrPath: log, contained: false)
        guard let termination = try? process.run(), termination == .exited(0) else { return false }
        return FileManager.default.fileExists(atPath: folder.appendingPathComponent("xdg/clang/ModuleCache").path)
    }

    /// The folder the sandbox copies into a worker's private cache (the parent of `home`).
    var folder: URL? { home?.deletingLastPathComponent() }
}
