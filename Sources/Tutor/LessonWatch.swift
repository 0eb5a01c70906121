import Foundation

/// `tutor watch`: checks a lesson each time it is saved and prints the result, until interrupted.
///
/// A lesson saved while its check runs is checked again right after (its stamp is taken before each check), and a
/// burst of saves is one check. Several lessons (a folder): each saved lesson is checked, in the order given.
public struct LessonWatch {
    public var frontend: LessonFrontend
    public var checkOptions: CheckOptions
    /// Force polling instead of inotify.
    public var polling = false
    /// Where the watcher's own lines go (the check's feedback goes to standard error, as with `tutor check`).
    public var say: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }

    /// A watcher checking with `frontend` and `checkOptions`.
    public init(frontend: LessonFrontend, checkOptions: CheckOptions) {
        self.frontend = frontend
        self.checkOptions = checkOptions
    }

    /// Watches `arguments` (lesson files or folders) forever; throws only when there is nothing to watch.
    /// A single lesson is checked once at the start; lessons of a folder wait for their first save.
    public func run(_ arguments: [String]) throws -> Never {
        let files = try LessonFrontend.lessonFiles(arguments)
        guard !files.isEmpty else { throw TutorError.io(path: arguments.joined(separator: " "), reason: "no lessons to watch") }
        let watcher = FileWatcher(paths: files, polling: polling)
        let style = TerminalStyle.forStandardError()
        let how = watcher.usesInotify ? "" : " (polling)"
        if files.count == 1 {
            check(files[0], watcher: watcher, style: style)
        }
        say(style.cyan("Watching \(files.count == 1 ? files[0] : "\(files.count) lessons")\(how) — save to check again, Ctrl-C to stop."))
        while true {
            for file in watcher.waitForChanges() {
                check(file, watcher: watcher, style: style)
                // Saved again while it was being checked: check again before waiting.
                while watcher.changedFiles().contains(file), FileManager.default.fileExists(atPath: file) {
                    check(file, watcher: watcher, style: style)
                }
            }
            say(style.cyan("Watching — save to check again, Ctrl-C to stop."))
        }
    }

    private func check(_ file: String, watcher: FileWatcher, style: TerminalStyle) {
        watcher.markSeen(file)
        let time = DateFormatter.localizedString(from: Date(), dateStyle: .none, timeStyle: .medium)
        say(style.bold("── \(time) checking \(file) ──"))
        _ = frontend.check(file, options: checkOptions, json: nil)
    }
}
