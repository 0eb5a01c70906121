import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a child process ended.
public enum Termination: Sendable, Equatable {
    case exited(Int32)
    case signaled(Int32)
    /// The runner killed it (wall-clock limit).
    case killed

    /// The shell-style status (128 + signal for signals).
    public var shellStatus: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        case .killed: 137
        }
    }
}

/// Runs a program in its own process group with stdout and stderr going to files, so a limit can kill it whole.
struct Subprocess {
    var executable: String
    var arguments: [String]
    var environment: [String: String]
    var stdoutPath: String
    var stderrPath: String

    /// Starts the process, polls `shouldKill` every 10 ms and kills the process group when it says so.
    func run(shouldKill: () -> Bool = { false }) throws -> Termination {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // The child inherits the working directory (lesson paths are relative to it).

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawnStatus = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard spawnStatus == 0 else {
            throw TutorError.setup("cannot start \(executable): \(String(cString: strerror(spawnStatus)))")
        }
        var status: Int32 = 0
        var killedByUs = false
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result < 0 && errno != EINTR { break }
            if !killedByUs && shouldKill() {
                kill(-pid, SIGKILL)
                killedByUs = true
            }
            usleep(10_000)
        }
        // Reap anything the lesson left behind in its group.
        kill(-pid, SIGKILL)
        if killedByUs { return .killed }
        let signal = status & 0x7f
        if signal == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(signal)
    }
}
