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

/// The two pipes a lesson program inherits: settings in (written once, then closed), events out (read live).
/// Nothing about them is in a file or in the environment the program could rewrite.
final class ProgramChannel {
    /// Descriptor numbers the program sees (named to it in `TUTOR_CHANNEL`, which it removes on first use).
    static let childSettingsFD: Int32 = 3
    static let childEventsFD: Int32 = 4
    /// The paths of files the program opens, one per line (CReadTrace): a cache hint, never a result.
    static let childReadsFD: Int32 = 5

    let token: String
    let settings: Data
    fileprivate var settingsPipe: [Int32] = [-1, -1]
    fileprivate var eventsPipe: [Int32] = [-1, -1]
    fileprivate var readsPipe: [Int32] = [-1, -1]

    /// A channel carrying `settings` (JSON) with a fresh random token added.
    init(settings: [String: Any]) throws {
        var rng = SystemRandomNumberGenerator()
        token = (0..<4).map { _ in String(format: "%08x", UInt32.random(in: 0...UInt32.max, using: &rng)) }.joined()
        var stamped = settings
        stamped["token"] = token
        self.settings = try JSONSerialization.data(withJSONObject: stamped, options: [.sortedKeys])
        guard pipe(&settingsPipe) == 0, pipe(&eventsPipe) == 0, pipe(&readsPipe) == 0 else {
            close()
            throw TutorError.setup("cannot create the runner's pipes: \(String(cString: strerror(errno)))")
        }
        // Only the descriptors the program gets by dup2 cross into it.
        for fd in settingsPipe + eventsPipe + readsPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(eventsPipe[0], F_SETFL, fcntl(eventsPipe[0], F_GETFL) | O_NONBLOCK)
        _ = fcntl(readsPipe[0], F_SETFL, fcntl(readsPipe[0], F_GETFL) | O_NONBLOCK)
    }

    var environmentValue: String { "\(Self.childSettingsFD) \(Self.childEventsFD) \(Self.childReadsFD)" }

    /// After the spawn: drop the child's ends, hand over the settings and close that pipe.
    fileprivate func started() {
        Glibc.close(settingsPipe[0]); settingsPipe[0] = -1
        Glibc.close(eventsPipe[1]); eventsPipe[1] = -1
        Glibc.close(readsPipe[1]); readsPipe[1] = -1
        settings.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(settingsPipe[1], raw.baseAddress! + offset, raw.count - offset)
                if written > 0 { offset += written } else if written < 0 && errno == EINTR { continue } else { break }
            }
        }
        Glibc.close(settingsPipe[1]); settingsPipe[1] = -1
    }

    /// Reads whatever the program sent since the last call (non-blocking).
    fileprivate func drain() -> Data { drain(eventsPipe[0]) }

    /// The file-read trace since the last call (non-blocking); kept here until the run ends.
    fileprivate func drainReads() { reads.append(drain(readsPipe[0])) }

    /// Every line the program's read trace sent.
    private(set) var reads = Data()

    private func drain(_ fd: Int32) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while fd >= 0 {
            let count = read(fd, &buffer, buffer.count)
            if count > 0 { data.append(contentsOf: buffer[0..<count]); continue }
            if count < 0 && errno == EINTR { continue }
            break
        }
        return data
    }

    func close() {
        for fd in settingsPipe + eventsPipe + readsPipe where fd >= 0 { Glibc.close(fd) }
        settingsPipe = [-1, -1]
        eventsPipe = [-1, -1]
        readsPipe = [-1, -1]
    }

    deinit { close() }
}

/// How lesson programs are fenced in, decided once per `tutor` process by trying it.
///
/// Best case (root, or user namespaces allowed): `setpriv --pdeathsig KILL` so the launcher dies with `tutor`,
/// and `unshare --pid --fork --mount-proc --kill-child` so the program is PID 1 of a namespace of its own; when it
/// ends or is killed, the kernel kills every process in the namespace (`setsid` cannot leave it). Otherwise the
/// program still runs in a session of its own that is killed as a whole.
enum Containment {
    static let launcher: [String] = probe()

    private static func probe() -> [String] {
        var prefix: [String] = []
        if let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].first(where: FileManager.default.isExecutableFile(atPath:)) {
            prefix += [setpriv, "--pdeathsig", "KILL"]
        }
        if let unshare = ["/usr/bin/unshare", "/bin/unshare"].first(where: FileManager.default.isExecutableFile(atPath:)) {
            let candidate = [unshare, "--pid", "--fork", "--mount-proc", "--kill-child=SIGKILL"]
            var trial = candidate + ["/bin/true"]
            if getuid() != 0 { trial.insert(contentsOf: ["--user", "--map-root-user"], at: 1) }
            let probe = Subprocess(executable: trial[0], arguments: Array(trial.dropFirst()), environment: [:],
                                   stdoutPath: "/dev/null", stderrPath: "/dev/null", contained: false)
            if (try? probe.run()) == .exited(0) {
                prefix += getuid() == 0 ? candidate : [candidate[0], "--user", "--map-root-user"] + candidate.dropFirst()
            }
        }
        return prefix
    }
}

/// The processes `tutor` started that are still running, so an interrupted `tutor` can kill them all.
enum LiveChildren {
    nonisolated(unsafe) private static var pids: Set<pid_t> = []
    private static let lock = NSLock()

    static func add(_ pid: pid_t) { lock.withLock { _ = pids.insert(pid) } }
    static func remove(_ pid: pid_t) { lock.withLock { _ = pids.remove(pid) } }

    /// Kills every child and its session (each child leads one), namespace members with it.
    static func killAll() {
        for pid in lock.withLock({ pids }) {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
        }
    }
}

/// Runs a program in a session of its own (and, for lesson programs, in the containment above) with stdout and
/// stderr going to files, so a limit or an interrupted `tutor` can kill it and everything it started.
struct Subprocess {
    var executable: String
    var arguments: [String]
    var environment: [String: String]
    var stdoutPath: String
    var stderrPath: String
    /// Run inside `Containment.launcher`.
    var contained = true
    /// The runner's channel (lesson programs only).
    var channel: ProgramChannel?
    /// Started with this much lower CPU priority (`nice -n`), when above 0.
    var niceness = 0

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: CloseFrom? = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: CloseFrom.self) }
    /// glibc's POSIX_SPAWN_SETSID (not exported to Swift).
    private static let spawnSetSID: Int32 = 0x80

    /// Starts the process, polls every 10 ms (2 ms without a channel; passing on what arrived on the channel) and kills the whole session
    /// when `shouldKill` says so.
    func run(onEvents: (Data) -> Void = { _ in }, shouldKill: () -> Bool = { false }) throws -> Termination {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var environment = environment
        if let channel {
            posix_spawn_file_actions_adddup2(&actions, channel.settingsPipe[0], ProgramChannel.childSettingsFD)
            posix_spawn_file_actions_adddup2(&actions, channel.eventsPipe[1], ProgramChannel.childEventsFD)
            posix_spawn_file_actions_adddup2(&actions, channel.readsPipe[1], ProgramChannel.childReadsFD)
            environment["TUTOR_CHANNEL"] = channel.environmentValue
        }
        // Nothing else of tutor's leaks into the program.
        _ = Self.addCloseFrom?(&actions, channel == nil ? 3 : ProgramChannel.childReadsFD + 1)
        // The child inherits the working directory (lesson paths are relative to it).

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(Self.spawnSetSID))

        let nice = niceness > 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/nice") ? ["/usr/bin/nice", "-n", "\(niceness)"] : []
        let command = (contained ? Containment.launcher : []) + nice + [executable] + arguments
        let argv = command.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawnStatus = posix_spawn(&pid, command[0], &actions, &attributes, argv, envp)
        guard spawnStatus == 0 else {
            throw TutorError.setup("cannot start \(executable): \(String(cString: strerror(spawnStatus)))")
        }
        LiveChildren.add(pid)
        defer { LiveChildren.remove(pid) }
        channel?.started()
        var status: Int32 = 0
        var killedByUs = false
        var eventsClosed = false  // a program that closed its end of the channel must not make the loop spin
        while true {
            if let channel {
                // Wakes at once on events, and on the channel's end when the program (and its launcher) ended.
                var poller = pollfd(fd: eventsClosed ? -1 : channel.eventsPipe[0], events: Int16(POLLIN), revents: 0)
                _ = poll(&poller, 1, 10)
                let data = channel.drain()
                if !data.isEmpty { onEvents(data) }
                channel.drainReads()
                if poller.revents & Int16(POLLHUP) != 0 && data.isEmpty { eventsClosed = true }
            } else {
                // The compiler and the linker: a short tick, so their end is seen within ~1 ms of a learner's wait.
                usleep(2_000)
            }
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result < 0 && errno != EINTR { break }
            if !killedByUs && shouldKill() {
                kill(-pid, SIGKILL)
                kill(pid, SIGKILL)
                killedByUs = true
            }
        }
        // Reap anything left in its session; what reached the pipe before the end still counts.
        kill(-pid, SIGKILL)
        if let channel {
            let data = channel.drain()
            if !data.isEmpty { onEvents(data) }
            channel.drainReads()
            channel.close()
        }
        if killedByUs { return .killed }
        let signal = status & 0x7f
        if signal == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(signal)
    }
}

/// What `tutor` does when interrupted: kill every lesson program and compiler it started, then exit 130 (SIGINT),
/// 143 (SIGTERM) or 129 (SIGHUP).
public enum Interruption {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    nonisolated(unsafe) private static var folders: Set<String> = []
    private static let lock = NSLock()

    /// Installs the handlers (once per process).
    public static func install() {
        lock.withLock {
            guard sources.isEmpty else { return }
            for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler { stop(signalNumber) }
                source.resume()
                sources.append(source)
            }
        }
    }

    /// A scratch folder to remove if `tutor` is interrupted.
    static func removeOnInterrupt(_ path: String) { lock.withLock { _ = folders.insert(path) } }
    static func keep(_ path: String) { lock.withLock { _ = folders.remove(path) } }

    private static func stop(_ signalNumber: Int32) {
        LiveChildren.killAll()
        for folder in lock.withLock({ folders }) { try? FileManager.default.removeItem(atPath: folder) }
        FileHandle.standardError.write(Data("\ntutor: interrupted; stopped the lesson program\n".utf8))
        exit(128 + signalNumber)
    }
}
