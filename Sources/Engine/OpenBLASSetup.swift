import Foundation

/// Detects OpenBLAS 0.3.21 falling back to slow "Prescott" kernels on CPUs it does not recognise, and
/// fixes it by re-executing the process with `OPENBLAS_CORETYPE` set (the variable is only read at load time).
public enum OpenBLASSetup {
    /// Set in the environment of the re-executed process so the re-exec happens at most once.
    static let guardVariable = "SALIENCY_TUTOR_BLAS_REEXEC"

    /// The kernel family OpenBLAS is using (e.g. "SkylakeX", "Haswell", "Prescott").
    public static var coreName: String { blasCoreName() }

    /// Number of threads the engine computes with. The engine splits each GEMM over these threads itself and
    /// keeps OpenBLAS single-threaded (its idle workers spin and would steal the cores from the engine's loops).
    public static var threads: Int { EngineThreads.count }

    /// Sets the engine's thread count: `count`, else OPENBLAS_NUM_THREADS, else all cores.
    public static func configureThreads(_ count: Int? = nil) {
        let env = ProcessInfo.processInfo.environment
        let n = count ?? env["OPENBLAS_NUM_THREADS"].flatMap(Int.init) ?? ProcessInfo.processInfo.activeProcessorCount
        EngineThreads.count = max(1, n)
        _ = blasSingleThreaded
    }

    /// The core type this CPU supports according to /proc/cpuinfo, or nil when unknown.
    public static var bestSupportedCore: String? {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        guard let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        if flags.contains("avx512f") { return "SkylakeX" }
        if flags.contains("avx2") { return "Haswell" }
        return nil
    }

    /// Cores weaker than what `bestSupportedCore` offers; seeing one of these means OpenBLAS fell back.
    static let fallbackCores: Set<String> = ["prescott", "core2", "nehalem", "sandybridge", "atom", "penryn", "dunnington", "katmai", "coppermine", "northwood", "banias"]

    /// The core type to force, or nil when OpenBLAS already uses a good one or the user chose one.
    public static var recommendedCoreType: String? {
        let env = ProcessInfo.processInfo.environment
        if env["OPENBLAS_CORETYPE"] != nil { return nil }
        guard let best = bestSupportedCore else { return nil }
        let current = coreName.lowercased()
        if current == best.lowercased() { return nil }
        let weaker = fallbackCores.contains(current) || (best == "SkylakeX" && current == "haswell")
        return weaker ? best : nil
    }

    /// Re-executes the current binary (same argv) with OPENBLAS_CORETYPE set when OpenBLAS fell back to slow
    /// kernels; returns normally when nothing is needed or the exec fails. Call first thing in `main`.
    public static func reexecIfNeeded() {
        let env = ProcessInfo.processInfo.environment
        guard env[guardVariable] == nil, let core = recommendedCoreType else {
            configureThreads()
            return
        }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv(guardVariable, "1", 1)
        let args = CommandLine.arguments
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", &argv)
        // exec failed: carry on with the slow kernels.
        for p in argv { free(p) }
        configureThreads()
    }

    /// Environment for child processes: the current one plus the core type this process should use.
    public static func environmentForChildren() -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        if env["OPENBLAS_CORETYPE"] == nil, let core = recommendedCoreType { env["OPENBLAS_CORETYPE"] = core }
        return env
    }
}
