import Foundation

/// The limits a grading worker runs under, and which of them this machine can enforce.
///
/// Where Linux namespaces work (as root, or with unprivileged user namespaces), each worker gets a file system of
/// its own: a fresh root holding only the system folders, the toolchain, the libraries and the course's images and
/// weights (read-only), its own work folder, and an empty private cache and /tmp. The instructor's SOURCE,
/// SUBMISSIONS, GRADES and manifest, other workers' folders and every other file of the machine are not there. It
/// also gets its own PID namespace (other workers' processes are invisible), no network and no capabilities, and
/// it makes itself non-dumpable, so the student's program cannot read the worker's memory (which holds the
/// instructor's lesson).
public struct GradeSandbox: Sendable {
    /// Command prefix that isolates the worker (namespaces, the private root).
    var isolation: [String]
    /// Command prefix that applies the resource limits (`prlimit …`), run inside the isolation.
    var limiter: [String]
    /// The private root is built in `<folder>.root` (an empty folder on the host).
    var buildsRoot: Bool
    /// The compiler's module cache each worker starts with (a copy in its private cache).
    var moduleCache = GradeModuleCache(home: nil)
    /// The limits in force, in words (shown in every feedback page).
    public var inForce: [String]
    /// Limits asked for that this machine cannot apply.
    public var notInForce: [String]

    /// The paths a worker must not see: the instructor's lessons, the class's submissions, the gradebook folder.
    public struct Hidden: Sendable {
        public var paths: [String]
        public init(paths: [String]) { self.paths = paths }
    }

    /// The `tutor` executable (workers run the same one).
    static var tutorExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Finds out what works here: a private file-system view in new mount, PID and network namespaces (`unshare`,
    /// `pivot_root`, `setpriv`), else a network namespace alone; and rlimits (`prlimit`).
    public static func detect(_ limits: GradeLimits, hiding hidden: Hidden) -> GradeSandbox {
        var sandbox = GradeSandbox(isolation: [], limiter: [], buildsRoot: false, inForce: [
            "wall clock: \(formatSeconds(limits.stepTimeout)) per step, \(formatSeconds(limits.testTimeout)) per check, "
                + "\(formatSeconds(limits.submissionTimeout)) per submission",
            "a fresh temporary folder per submission, removed afterwards",
            "every process of the submission killed at the end",
        ], notInForce: [])
        if let prlimit = BuildEnvironment.findExecutable("prlimit"), works([prlimit, "--data=1073741824", "--", "/bin/true"]) {
            sandbox.limiter = [prlimit, "--data=\(limits.memoryMB * 1_048_576)", "--fsize=\(limits.outputMB * 1_048_576)", "--core=0", "--"]
            sandbox.inForce.append("memory: \(limits.memoryMB) MiB of data per process (RLIMIT_DATA)")
            sandbox.inForce.append("files and output: at most \(limits.outputMB) MiB each (RLIMIT_FSIZE); feedback shows the first 20,000 characters of each step's output")
        } else {
            sandbox.notInForce.append("memory and output limits: `prlimit` (util-linux) is missing")
        }
        if let isolation = PrivateRoot(hidden: hidden).isolationCommand(), probe(isolation) {
            sandbox.isolation = isolation
            sandbox.buildsRoot = true
            sandbox.inForce.append("a private file system: only the system folders, the toolchain, the course's libraries, images, benchmark and weights "
                + "(read-only) and the submission's own folder; the source lessons, the other submissions and the gradebook are not visible")
            sandbox.inForce.append("no network, no view of other processes, no capabilities (new network, PID, mount and user namespaces)")
            sandbox.inForce.append("the grading process's memory is closed to the student's program (non-dumpable)")
        } else if let unshare = BuildEnvironment.findExecutable("unshare"), works([unshare, "-n", "/bin/true"]) {
            sandbox.isolation = [unshare, "-n"]
            sandbox.inForce.append("no network (a new, empty network namespace)")
            sandbox.notInForce.append("a private file system: mount namespaces are refused here, so the student's program can read "
                + "whatever this user can, the source lessons (hidden tests) included")
        } else {
            sandbox.notInForce.append("no network and a private file system: `unshare` does not work here (needs root or user namespaces)")
        }
        return sandbox
    }

    /// The full command that runs `worker` (which starts in `folder`) in the sandbox.
    func command(_ worker: [String], folder: URL) -> [String] {
        guard buildsRoot else { return isolation + limiter + worker }
        let root = Self.rootFolder(for: folder)
        try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return isolation + [moduleCache.folder?.path ?? "-", root.path, folder.path, "--"] + limiter + worker
    }

    /// Removes what `command` left on the host (the empty mount point of the private root).
    func cleanUp(folder: URL) {
        if buildsRoot { try? FileManager.default.removeItem(at: Self.rootFolder(for: folder)) }
    }

    static func rootFolder(for folder: URL) -> URL { URL(fileURLWithPath: folder.path + ".root") }

    /// The worker's environment: the grader's, with its home and temporary folder in the work folder.
    func environment(home: URL) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home.path
        environment["TMPDIR"] = home.path
        // The prepared module cache, copied to the same path in the worker's private cache (never the shared one).
        if buildsRoot, let cache = moduleCache.home { environment["XDG_CACHE_HOME"] = cache.path }
        return environment
    }

    /// Marks this process non-dumpable: another process of the same user then needs CAP_SYS_PTRACE (which the
    /// sandbox drops) to read its memory through ptrace or /proc/PID/mem.
    static func forbidInspection() {
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        guard let symbol = dlsym(nil, "prctl") else { return }
        let PR_SET_DUMPABLE: Int32 = 4
        _ = unsafeBitCast(symbol, to: Prctl.self)(PR_SET_DUMPABLE, 0, 0, 0, 0)
    }

    /// Runs `/bin/true` in a throwaway private root: does the whole isolation work here?
    private static func probe(_ isolation: [String]) -> Bool {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tutor-sandbox-probe-\(UUID().uuidString)")
        let root = rootFolder(for: folder)
        defer {
            try? FileManager.default.removeItem(at: folder)
            try? FileManager.default.removeItem(at: root)
        }
        guard (try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)) != nil,
              (try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)) != nil else { return false }
        return works(isolation + ["-", root.path, folder.path, "--", "/bin/true"])
    }

    private static func works(_ command: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}

/// The private root a worker runs in: which host paths it holds (read-only), which it hides, and the shell script
/// that builds it inside new namespaces and then runs the worker there.
struct PrivateRoot {
    var hidden: GradeSandbox.Hidden

    /// `unshare … sh -c SCRIPT` up to the script's arguments; the caller appends SEED ROOT WORK -- COMMAND…. Nil when a
    /// needed tool is missing.
    func isolationCommand() -> [String]? {
        guard let unshare = BuildEnvironment.findExecutable("unshare"), let setpriv = BuildEnvironment.findExecutable("setpriv"),
              BuildEnvironment.findExecutable("pivot_root") != nil, BuildEnvironment.findExecutable("mount") != nil,
              let environment = try? BuildEnvironment.locate(libraryDirectory: nil) else { return nil }
        // LessonRunner's cache: other workers' generated check sources pass through it.
        let cache = environment.libraryDirectory.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("tutor-cache")
        let readOnly = Self.readOnlyPaths(environment)
        let hide = Self.visibleHidden(hidden.paths + Self.testFiles(environment), readOnly: readOnly)
        // As root the namespaces need no user namespace; otherwise one maps this user to root inside it.
        let user = getuid() == 0 ? [] : ["-r"]
        return [unshare] + user + ["-m", "-n", "-p", "-f", "--kill-child=SIGKILL", "/bin/sh", "-c", Self.script, "tutor-sandbox",
                                   setpriv, cache.path, String(readOnly.count)] + readOnly + [String(hide.count)] + hide
    }

    /// What a worker needs to see: the system, the toolchain, `tutor` and the course's libraries, images and weights.
    static func readOnlyPaths(_ environment: BuildEnvironment) -> [String] {
        let root = environment.packageRoot.path
        var paths = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"]
        // The toolchain: <prefix>/usr/bin/swiftc → <prefix>.
        let swiftc = URL(fileURLWithPath: environment.swiftc).resolvingSymlinksInPath()
        paths.append(swiftc.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path)
        paths.append(URL(fileURLWithPath: GradeSandbox.tutorExecutable).deletingLastPathComponent().path)
        let library = environment.libraryDirectory.resolvingSymlinksInPath()
        paths.append(library.path)
        // Libraries linked from the build (a shared object of the linked targets, where the runner builds one): made
        // here if missing, so a worker finds what the grader built instead of building its own.
        let linked = library.deletingLastPathComponent().appendingPathComponent("tutor-libs")
        try? FileManager.default.createDirectory(at: linked, withIntermediateDirectories: true)
        paths.append(linked.path)
        // The course data the libraries read (CourseFiles, Benchmark) and the default weights.
        paths += [".build/checkouts", "Sources", "Package.swift", "Lessons/images", "Lessons/benchmark", ".cache/weights"].map { root + "/" + $0 }
        if let weights = ProcessInfo.processInfo.environment["SALIENCY_TUTOR_CACHE"], !weights.isEmpty { paths.append(weights) }
        var seen = Set<String>()
        return paths.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            .filter { FileManager.default.fileExists(atPath: $0) && seen.insert($0).inserted && $0 != "/" }
    }

    /// The test bundles and their resources beside the libraries (they hold lessons with hidden checks).
    static func testFiles(_ environment: BuildEnvironment) -> [String] {
        let folder = environment.libraryDirectory.resolvingSymlinksInPath()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.contains("Tests") || $0.hasSuffix(".xctest") }.map { folder.appendingPathComponent($0).path }
    }

    /// The hidden paths that would be visible: those inside a read-only path (a folder above one is only a skeleton
    /// of mount points, so it shows nothing of its own).
    static func visibleHidden(_ hidden: [String], readOnly: [String]) -> [String] {
        hidden.map { URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath().path }
            .filter { path in
                FileManager.default.fileExists(atPath: path)
                    && readOnly.contains { path.hasPrefix($0 + "/") || path == $0 }
                    && !readOnly.contains { $0.hasPrefix(path + "/") }
            }
    }

    /// Arguments: SETPRIV CACHE N RO… M HIDE… SEED ROOT WORK -- COMMAND… (SEED: a folder of CACHE copied in, or -). Builds the root on a tmpfs at ROOT, binds the
    /// read-only paths and WORK, covers the hidden paths and the shared cache, pivots into it, drops every
    /// capability and runs COMMAND in WORK. Runs as (namespace) root, in new mount, PID and network namespaces.
    static let script = #"""
    set -e
    setpriv=$1 cache=$2; shift 2
    n=$1; shift; ro=""; while [ "$n" -gt 0 ]; do ro="$ro
    $1"; shift; n=$((n - 1)); done
    n=$1; shift; hide=""; while [ "$n" -gt 0 ]; do hide="$hide
    $1"; shift; n=$((n - 1)); done
    seed=$1 root=$2 work=$3; shift 3; [ "$1" = "--" ] && shift
    mkdir -p "$cache" 2>/dev/null || true
    mount --make-rprivate /
    mount -t tmpfs -o mode=0755 tutor-root "$root"
    # The private /tmp first: a course checked out under /tmp is bound on top of it, not hidden by it.
    mkdir -p "$root/tmp"
    mount -t tmpfs -o mode=1777 tutor-tmp "$root/tmp"
    IFS='
    '
    dirs="$root/dev
    $root/proc"
    for path in $ro; do
      if [ -d "$path" ]; then dirs="$dirs
    $root$path"; else dirs="$dirs
    $root${path%/*}"; fi
    done
    mkdir -p $dirs
    for path in $ro; do
      [ -d "$path" ] || : > "$root$path"
      mount --rbind -o ro "$path" "$root$path"
    done
    for path in $hide; do
      if [ -d "$root$path" ]; then mount -t tmpfs -o size=4k,mode=0555 tutor-hidden "$root$path"
      elif [ -e "$root$path" ]; then mount --bind /dev/null "$root$path"; fi
    done
    unset IFS
    mount --rbind /dev "$root/dev"
    mount -t proc proc "$root/proc"
    mkdir -p "$root$cache" 2>/dev/null || true
    if [ -d "$root$cache" ]; then
      mount -t tmpfs -o mode=0755 tutor-cache "$root$cache"
      for names in "$cache"/library-names-*.json; do if [ -f "$names" ]; then cp "$names" "$root$cache/"; fi; done
      if [ "$seed" != "-" ] && [ -d "$seed" ]; then cp -a "$seed" "$root$cache/"; fi
    fi
    mkdir -p "$root$work"
    mount --bind "$work" "$root$work"
    cd "$root"
    mkdir .old
    pivot_root . .old
    umount -l /.old
    rmdir /.old
    cd "$work"
    exec "$setpriv" --bounding-set=-all --inh-caps=-all --no-new-privs "$@"
    """#
}
