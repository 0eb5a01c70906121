import Foundation

/// The linked targets as one shared object, built once per library build: linking a lesson program against it
/// (with lld where the toolchain has it) takes a fraction of the time of linking the ~150 objects each time.
extension BuildEnvironment {
    /// The folder holding shared objects built from this library build (outside the pruned result cache).
    func sharedLibraryFolder() -> URL {
        libraryDirectory.resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("tutor-libs").appendingPathComponent(buildID())
    }

    static let sharedLibraryName = "TutorLessonLibraries"

    /// The learner's-loop speed-ups (shared libraries, lld, incremental builds); `TUTOR_FAST_BUILD=0` turns them
    /// off, which builds every program from scratch against the objects (the benchmark's baseline, and a way out).
    static let fastBuild = ProcessInfo.processInfo.environment["TUTOR_FAST_BUILD"] != "0"

    /// The shared object, built now if it is missing; nil when it cannot be built (the objects are linked then).
    func sharedLibrary() -> URL? {
        let folder = sharedLibraryFolder()
        let library = folder.appendingPathComponent("lib\(Self.sharedLibraryName).so")
        if FileManager.default.fileExists(atPath: library.path) { return library }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            // Built under a private name and renamed into place, so two builders never see half a file.
            let partial = folder.appendingPathComponent("partial.\(getpid()).\(UInt32.random(in: 0...UInt32.max)).so")
            let log = folder.appendingPathComponent("build.\(getpid()).log").path
            defer {
                try? FileManager.default.removeItem(at: partial)
                try? FileManager.default.removeItem(atPath: log)
            }
            let arguments = ["-emit-library", "-o", partial.path] + objectFiles() + Self.systemLibraries.map { "-l\($0)" } + linkerFlags()
            let termination = try PhaseTimes.shared.measure("shared library (once)") {
                try Subprocess(executable: swiftc, arguments: arguments, environment: ProcessInfo.processInfo.environment,
                               stdoutPath: log, stderrPath: log, contained: false).run()
            }
            guard termination == .exited(0) else { return nil }
            if FileManager.default.fileExists(atPath: library.path) { return library }
            try FileManager.default.moveItem(at: partial, to: library)
            return library
        } catch {
            return FileManager.default.fileExists(atPath: library.path) ? library : nil
        }
    }

    /// `-use-ld=lld` when the toolchain ships lld (several times faster than gold at linking Swift programs).
    func linkerFlags() -> [String] {
        let beside = URL(fileURLWithPath: swiftc).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("ld.lld").path
        return FileManager.default.isExecutableFile(atPath: beside) ? ["-use-ld=lld"] : []
    }

    /// What a lesson program links: the shared object (found at run time through its rpath), or the objects.
    func libraryLinkArguments() -> [String] {
        if Self.fastBuild, let library = sharedLibrary() {
            let folder = library.deletingLastPathComponent().path
            return ["-L", folder, "-l\(Self.sharedLibraryName)", "-Xlinker", "-rpath", "-Xlinker", folder]
                + Self.systemLibraries.map { "-l\($0)" } + linkerFlags()
        }
        return objectFiles() + Self.systemLibraries.map { "-l\($0)" }
    }
}
