import Foundation

/// `tutor check` runs an edited lesson's steps and its checks as two programs at once, when the checks cannot see
/// what the steps do: the same binary twice, one told to run only the steps, the other only the checks. On a machine
/// with a core to spare this takes the checks (~0.3 s for lesson 01) off the learner's wait.
///
/// In one program the checks run after the last step, so running them apart must not change what they see. They are
/// run apart only when the compiled objects show that neither the checks nor the exercises they call use anything
/// the steps define (their globals, functions or types), that the exercises hold no stored globals a step could
/// change, and that the steps use nothing of the checks'. After both runs, their file traces must show that neither
/// program changed a file the other opened; otherwise the checks' run is thrown away and they run again, after the
/// steps, as before.
enum SideBySideChecks {
    /// Off on one core (nothing to gain) and with `TUTOR_CHECKS_BESIDE=0` (to measure what it saves).
    static let enabled = ProcessInfo.processInfo.activeProcessorCount > 1
        && ProcessInfo.processInfo.environment["TUTOR_CHECKS_BESIDE"] != "0"

    /// True when the objects of the program built in `folder` keep the checks apart from the steps (see above).
    /// `exercises` names the objects (`exercise-N.o`) of the learner's exercises, whose checks run; `references` those
    /// of exercises whose reference solution stands in, which the checks and the learner's exercises may not reach.
    static func keepApart(folder: URL, exercises: [String], references: [String] = []) -> Bool {
        func symbols(_ name: String) -> ObjectSymbols? { ObjectSymbols(path: folder.appendingPathComponent(name).path) }
        guard let main = symbols("main.o"), let checks = symbols("checks.o") else { return false }
        var outOfReach = main.defined
        for name in references {
            guard let reference = symbols(name) else { return false }
            outOfReach.formUnion(reference.defined)
        }
        guard checks.undefined.isDisjoint(with: outOfReach), main.undefined.isDisjoint(with: checks.defined) else {
            return false
        }
        for name in exercises {
            guard let exercise = symbols(name), exercise.undefined.isDisjoint(with: outOfReach),
                  !exercise.defined.contains(where: isStoredVariable) else { return false }
        }
        return true
    }

    /// A Swift global or static stored variable's storage (mangled names end in `vp`, statics in `vpZ`).
    static func isStoredVariable(_ symbol: String) -> Bool {
        symbol.hasPrefix("$s") && (symbol.hasSuffix("vp") || symbol.hasSuffix("vpZ"))
    }

    /// True when one run changed a file (or something inside a folder) the other opened or changed.
    static func touchedSameFiles(_ a: FileTrace, _ b: FileTrace) -> Bool {
        func clash(_ changed: Set<String>, _ other: FileTrace) -> Bool {
            let touched = other.opened.union(other.changed)
            return changed.contains { path in
                if touched.contains(path) { return true }
                // A folder one listed or made, and a file the other changed inside it (or the other way round).
                return touched.contains { path.hasPrefix($0 + "/") || $0.hasPrefix(path + "/") }
            }
        }
        return clash(a.changed, b) || clash(b.changed, a)
    }
}

/// The files one run of a lesson program opened (CReadTrace), and those it may have changed (opened for writing,
/// created, removed or renamed: the lines that start with ">").
struct FileTrace {
    var opened = Set<String>()
    var changed = Set<String>()

    init() {}

    /// Parses the trace's lines; process-private paths (`/proc/…`, `/dev/null` and the like) are left out.
    init(lines data: Data) {
        for line in data.split(separator: 0x0A) {
            var text = String(decoding: line, as: UTF8.self)
            let changes = text.hasPrefix(">")
            if changes { text.removeFirst() }
            let path = URL(fileURLWithPath: text).standardizedFileURL.path
            guard !Self.isPrivate(path) else { continue }
            if changes { changed.insert(path) } else { opened.insert(path) }
        }
    }

    /// Every path, for the cache's read trace.
    var all: Set<String> { opened.union(changed) }

    private static func isPrivate(_ path: String) -> Bool {
        path.hasPrefix("/proc/") || ["/dev/null", "/dev/zero", "/dev/urandom", "/dev/random", "/dev/tty"].contains(path)
    }
}
