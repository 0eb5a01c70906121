import Foundation
import Synchronization

/// Where the release-built libraries and the compiler are, and the exact flags a lesson program is built with.
public struct BuildEnvironment: Sendable {
    /// The SwiftPM build folder holding `Modules/` and `<Target>.build/*.o` (e.g. `.build/release`).
    public var libraryDirectory: URL
    /// The package root (for the C module maps under `Sources/`).
    public var packageRoot: URL
    /// The Swift compiler.
    public var swiftc: String
    /// Targets whose objects a lesson program links.
    public static let linkedTargets = ["Engine", "Imaging", "Models", "Attribution", "Course", "LessonRuntime", "ZIPFoundation",
                                       "CPNGRows", "CJPEGShim", "CReadTrace"]
    /// C module-map folders, relative to `Sources/` (CPNGRows and CJPEGShim are compiled C behind setjmp).
    public static let cModules = ["CBLAS", "CPNG", "CCmark", "CJPEG", "CPNGRows/include", "CJPEGShim/include", "CReadTrace/include"]
    /// System libraries the linked targets need.
    public static let systemLibraries = ["openblas", "png16", "z", "jpeg"]

    /// Finds the libraries next to the running `tutor` (or in `TUTOR_LIBRARY_DIR`) and `swiftc` on the PATH.
    public static func locate(libraryDirectory override: String? = nil) throws -> BuildEnvironment {
        let environment = ProcessInfo.processInfo.environment
        let candidates: [URL] = [
            override.map { URL(fileURLWithPath: $0) },
            environment["TUTOR_LIBRARY_DIR"].map { URL(fileURLWithPath: $0) },
            URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
                .deletingLastPathComponent(),
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/release"),
        ].compactMap { $0 }
        guard let library = candidates.first(where: {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent("Modules/LessonRuntime.swiftmodule").path)
        }) else {
            throw TutorError.setup("the release-built LessonRuntime was not found (looked in \(candidates.map(\.path).joined(separator: ", "))); run `swift build -c release` first")
        }
        var root = library.resolvingSymlinksInPath()
        while root.path != "/" && !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            root.deleteLastPathComponent()
        }
        if let explicit = environment["TUTOR_PACKAGE_ROOT"] { root = URL(fileURLWithPath: explicit) }
        guard let swiftc = findExecutable("swiftc") else {
            throw TutorError.setup("swiftc was not found on the PATH")
        }
        return BuildEnvironment(libraryDirectory: library, packageRoot: root, swiftc: swiftc)
    }

    static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The object files of the linked targets.
    public func objectFiles() -> [String] {
        var files: [String] = []
        for target in Self.linkedTargets {
            let folder = libraryDirectory.appendingPathComponent("\(target).build")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            files += names.filter { $0.hasSuffix(".o") }.sorted().map { folder.appendingPathComponent($0).path }
        }
        return files
    }

    /// Search-path flags: the Swift modules and the C module maps.
    public func searchFlags() -> [String] {
        ["-I", libraryDirectory.appendingPathComponent("Modules").path] + cModuleDirectories().flatMap { ["-I", $0] }
    }

    /// Folders holding the module maps of C modules the libraries import: the package's system-library shims and
    /// those of checked-out dependencies (ZIPFoundation's CZLib).
    public func cModuleDirectories() -> [String] {
        var folders = Self.cModules.map { packageRoot.appendingPathComponent("Sources/\($0)").path }
        let checkouts = packageRoot.appendingPathComponent(".build/checkouts")
        for package in (try? FileManager.default.contentsOfDirectory(atPath: checkouts.path)) ?? [] {
            let sources = checkouts.appendingPathComponent(package).appendingPathComponent("Sources")
            for target in (try? FileManager.default.contentsOfDirectory(atPath: sources.path)) ?? [] {
                let folder = sources.appendingPathComponent(target)
                if FileManager.default.fileExists(atPath: folder.appendingPathComponent("module.modulemap").path) {
                    folders.append(folder.path)
                }
            }
        }
        return folders.sorted()
    }

    /// The flags every lesson program is compiled with (runner-notes: Swift 5 mode, no optimisation, line tables).
    public static let languageFlags = ["-swift-version", "5", "-Onone", "-gline-tables-only", "-diagnostic-style=llvm"]

    /// The full swiftc argument list for building `sources` into `output`.
    public func compileArguments(sources: [String], output: String, typecheckOnly: Bool = false) -> [String] {
        var arguments = Self.languageFlags + ["-module-name", "LessonProgram"] + searchFlags()
        if typecheckOnly { return arguments + ["-typecheck"] + sources }
        arguments += sources + libraryLinkArguments()
        arguments += ["-o", output]
        return arguments
    }

    /// Changes whenever a library is rebuilt: sizes and modification times of the modules and objects. Kept for a
    /// second (one check asks several times; listing and examining ~400 files took ~3 ms each time), so a long-lived
    /// `tutor watch` still sees a rebuild at its next check.
    public func buildID() -> String {
        let key = libraryDirectory.path
        let now = Date()
        if let recent = Self.recentBuildIDs.withLock({ $0[key] }), now.timeIntervalSince(recent.at) < 1 { return recent.id }
        let id = computeBuildID()
        Self.recentBuildIDs.withLock { $0[key] = (id, now) }
        return id
    }

    private static let recentBuildIDs = Mutex<[String: (id: String, at: Date)]>([:])

    private func computeBuildID() -> String {
        var hasher = StableHasher()
        let files = objectFiles() + Self.linkedTargets.map {
            libraryDirectory.appendingPathComponent("Modules/\($0).swiftmodule").path
        }
        for file in files {
            hasher.combine(file)
            if let attributes = try? FileManager.default.attributesOfItem(atPath: file) {
                hasher.combine("\((attributes[.size] as? Int) ?? 0)")
                hasher.combine("\(((attributes[.modificationDate] as? Date) ?? .distantPast).timeIntervalSince1970)")
            }
        }
        return hasher.hexDigest
    }

    /// The compiler's identity (path and modification time; cheaper than running `swiftc --version`).
    public func toolchainID() -> String {
        let date = (try? FileManager.default.attributesOfItem(atPath: swiftc))?[.modificationDate] as? Date
        let resolved = URL(fileURLWithPath: swiftc).resolvingSymlinksInPath().path
        return "\(resolved)@\(date?.timeIntervalSince1970 ?? 0)"
    }
}

/// A 128-bit FNV-1a hash (two 64-bit lanes): stable across runs, unlike `Hasher`; good enough for cache keys.
struct StableHasher {
    private var a: UInt64 = 0xcbf29ce484222325
    private var b: UInt64 = 0x84222325cbf29ce4

    mutating func combine(_ text: String) {
        for byte in text.utf8 {
            a = (a ^ UInt64(byte)) &* 0x100000001b3
            b = (b ^ UInt64(byte)) &* 0x100000001b3 &+ 0x9E3779B97F4A7C15
        }
        // A separator so ("ab","c") and ("a","bc") differ.
        a = (a ^ 0xff) &* 0x100000001b3
        b = (b ^ 0xfe) &* 0x100000001b3
    }

    var hexDigest: String { String(format: "%016llx%016llx", a, b) }
}
