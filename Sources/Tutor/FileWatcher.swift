import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The identity of a file's current content as far as the file system tells: inode, size, modification and change
/// times. An editor that saves by writing a new file and renaming it over the old one changes the inode.
struct FileStamp: Equatable {
    var exists: Bool
    var inode: UInt64 = 0
    var size: Int64 = 0
    var modified: Int64 = 0
    var changed: Int64 = 0

    /// The stamp of `path` now (following a link, as reading the lesson does).
    init(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            exists = false
            return
        }
        exists = true
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modified = Int64(info.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(info.st_mtim.tv_nsec)
        changed = Int64(info.st_ctim.tv_sec) &* 1_000_000_000 &+ Int64(info.st_ctim.tv_nsec)
    }
}

/// Waits for files to change: inotify on their folders (so saves by rename or replace are seen), with a stamp
/// comparison as the judge, and polling where inotify is not available.
public final class FileWatcher {
    /// The watched files, as given.
    public let paths: [String]
    private var stamps: [String: FileStamp]
    private var inotifyFD: Int32 = -1
    /// Watch descriptor → folder; a file's events arrive on its folder's descriptor with the file's name.
    private var folders: [Int32: String] = [:]
    /// How often to compare stamps when nothing wakes us (the polling fallback, and a safety net with inotify).
    public var pollInterval: Double
    /// How long to wait after the first event for the rest of one save (editors write, rename, touch). Short: it adds
    /// to every wait, and a save that lands later still brings another check (the stamps differ).
    public var settleInterval: Double = 0.02

    /// Watches `paths`; `polling` forces the fallback (also used when inotify cannot be set up).
    public init(paths: [String], polling: Bool = false) {
        self.paths = paths
        stamps = Dictionary(paths.map { ($0, FileStamp(path: $0)) }, uniquingKeysWith: { a, _ in a })
        pollInterval = polling ? 0.2 : 1.0
        if !polling { setUpInotify() }
    }

    deinit {
        if inotifyFD >= 0 { close(inotifyFD) }
    }

    /// True when inotify is in use.
    public var usesInotify: Bool { inotifyFD >= 0 }

    private func setUpInotify() {
        let fd = inotify_init1(Int32(IN_CLOEXEC) | Int32(IN_NONBLOCK))
        guard fd >= 0 else { return }
        let mask = UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO) | UInt32(IN_CREATE) | UInt32(IN_MODIFY) | UInt32(IN_ATTRIB)
            | UInt32(IN_DELETE) | UInt32(IN_MOVED_FROM)
        for folder in Set(paths.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path }) {
            let wd = inotify_add_watch(fd, folder, mask)
            guard wd >= 0 else {
                close(fd)
                folders = [:]
                return
            }
            folders[wd] = folder
        }
        inotifyFD = fd
    }

    /// Marks the files' current state as seen (call just before checking them, so a save during the check counts).
    public func markSeen(_ path: String) { stamps[path] = FileStamp(path: path) }

    /// The watched files whose stamp differs from the one last seen (does not mark them seen).
    public func changedFiles() -> [String] {
        paths.filter { FileStamp(path: $0) != stamps[$0] }
    }

    /// Blocks until at least one watched file changed since it was last seen, and returns those files (in the
    /// order given). A file that is being replaced (briefly absent) is waited for.
    public func waitForChanges() -> [String] {
        while true {
            let changed = changedFiles().filter { FileManager.default.fileExists(atPath: $0) }
            if !changed.isEmpty {
                // Let the rest of the save land, then report what changed by then.
                usleep(useconds_t(settleInterval * 1_000_000))
                drainInotify()
                return changedFiles().filter { FileManager.default.fileExists(atPath: $0) }
            }
            waitForWakeUp()
        }
    }

    /// Sleeps until inotify reports activity in a watched folder or the poll interval passes.
    private func waitForWakeUp() {
        guard inotifyFD >= 0 else {
            usleep(useconds_t(pollInterval * 1_000_000))
            return
        }
        var poller = pollfd(fd: inotifyFD, events: Int16(POLLIN), revents: 0)
        _ = poll(&poller, 1, Int32(pollInterval * 1000))
        drainInotify()
    }

    /// Reads and drops pending inotify events: the stamps decide what changed.
    private func drainInotify() {
        guard inotifyFD >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 16384)
        while read(inotifyFD, &buffer, buffer.count) > 0 {}
    }
}
