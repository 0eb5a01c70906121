import Foundation
import Testing
import Tutor

/// Submissions that go looking for the hidden checks: in the source lesson, on disk around the program, in the
/// program's own executable and memory, in the grading worker's memory. Each attack prints what it found (that is
/// how it would reach the student: in the step output of their feedback) and earns `double`'s points only if it
/// found hidden check text. None may.
@Suite("tutor grade: red team", .serialized)
struct GradeRedTeamTests {
    /// The hidden check's message and expression, split so that the attack's own source does not contain them.
    static let needles = ["SECRET-MESSAGE-DOUBLE", "double(-4) == -8"]
    static let needleCode = #"["SECRET" + "-MESSAGE-DOUBLE", "double(" + "-4) == -8"]"#

    /// Shared by every attack: searching bytes for the needles, and `double`, which is right only with a find.
    static let common = """
    func rtHits(_ data: Data) -> [String] {
        var hits: [String] = []
        for needle in \(needleCode) {
            if let range = data.range(of: Data(needle.utf8)) {
                let low = max(data.startIndex, range.lowerBound - 60), high = min(data.endIndex, range.upperBound + 60)
                hits.append(String(decoding: data[low..<high], as: UTF8.self))
            }
        }
        return hits
    }
    func rtRead(_ path: String) -> Data? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        return try? handle.read(upToCount: 64 << 20)
    }
    func rtRegions(_ pid: String, fileBacked: String?) -> [(UInt64, UInt64)] {
        guard let maps = try? String(contentsOfFile: "/proc/\\(pid)/maps", encoding: .utf8) else { return [] }
        return maps.split(separator: "\\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, fields[1].hasPrefix("r") else { return nil }
            if let file = fileBacked, !(fields.count >= 6 && fields[5] == file) { return nil }
            let bounds = fields[0].split(separator: "-").compactMap { UInt64($0, radix: 16) }
            guard bounds.count == 2, bounds[1] - bounds[0] <= 256 << 20 else { return nil }
            return (bounds[0], bounds[1])
        }
    }
    func rtMemory(_ pid: String, fileBacked: String?) -> (read: Int, hits: [String]) {
        guard let mem = FileHandle(forReadingAtPath: "/proc/\\(pid)/mem") else { return (0, []) }
        var read = 0, hits: [String] = []
        for (start, end) in rtRegions(pid, fileBacked: fileBacked) {
            guard (try? mem.seek(toOffset: start)) != nil, let data = try? mem.read(upToCount: Int(end - start)) else { continue }
            read += data.count
            hits += rtHits(data)
        }
        return (read, hits)
    }
    let rtFound = rtAttack()
    print("attack ran: \\(rtFound.count) finds")
    for find in rtFound { print("LEAK:", find) }
    func double(_ x: Int) -> Int {
        rtFound.isEmpty ? x + 2 : x * 2
    }
    """

    /// The attacks, by student.
    static func attacks(source: String) -> [String: String] {
        [
            "read-source": """
            func rtAttack() -> [String] {
                var hits: [String] = []
                let here = FileManager.default.currentDirectoryPath
                for path in [\(swiftLiteral(source)), here + "/small-course.md", here + "/job.json"] {
                    let data = rtRead(path)
                    print("read", path, data.map { "\\($0.count) bytes" } ?? "refused")
                    if let data { hits += rtHits(data) }
                }
                // The libraries and images are there to read, not to change (for this student or the next).
                for folder in [\(swiftLiteral(TutorProcess.executable.resolvingSymlinksInPath().deletingLastPathComponent().path)), \(swiftLiteral(imagesFolder))] {
                    let wrote = FileManager.default.createFile(atPath: folder + "/red-team-write", contents: Data("x".utf8))
                    print("write into", folder, wrote ? "WRITE-" + "SUCCEEDED" : "refused")
                }
                return hits
            }
            """,
            "scan-disk": """
            func rtWalk(_ folder: String, _ depth: Int, _ seen: inout Int, _ opened: inout Int, _ hits: inout [String]) {
                guard depth < 24, seen < 300_000, let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
                for name in names {
                    seen += 1
                    let path = folder == "/" ? "/" + name : folder + "/" + name
                    if ["/proc", "/sys", "/dev", "/usr", "/opt", "/etc"].contains(path) { continue }
                    guard let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType else { continue }
                    if type == .typeDirectory {
                        rtWalk(path, depth + 1, &seen, &opened, &hits)
                    } else if type == .typeRegular, name.hasSuffix(".md") || name.hasSuffix(".swift") || name.hasSuffix(".json"),
                              let data = rtRead(path) {
                        opened += 1
                        hits += rtHits(data)
                    }
                }
            }
            func rtAttack() -> [String] {
                // The whole file system (mount points included), the source's folder, and where the programs run.
                var hits: [String] = [], seen = 0, opened = 0
                for root in ["/", \(swiftLiteral(URL(fileURLWithPath: source).deletingLastPathComponent().path)), "/proc/self/cwd", "/proc/1/cwd"] {
                    rtWalk(root, 0, &seen, &opened, &hits)
                }
                print("scanned \\(seen) paths, read \\(opened) files")
                return hits
            }
            """,
            "own-binary": """
            func rtAttack() -> [String] {
                let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
                let file = rtRead("/proc/self/exe")
                print("read own executable:", file.map { "\\($0.count) bytes" } ?? "refused")
                let memory = rtMemory("self", fileBacked: exe)
                print("read \\(memory.read) bytes of mapped executable memory")
                return (file.map(rtHits) ?? []) + memory.hits
            }
            """,
            "worker-memory": """
            func rtAttack() -> [String] {
                var hits: [String] = []
                let me = String(getpid())
                for pid in ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []) where Int(pid) != nil && pid != me {
                    let memory = rtMemory(pid, fileBacked: nil)
                    let environ = rtRead("/proc/\\(pid)/environ")
                    let command = rtRead("/proc/\\(pid)/cmdline").map { String(decoding: $0, as: UTF8.self) } ?? "?"
                    print("process", pid, command.prefix(40).replacingOccurrences(of: "\\0", with: " "), "memory read:", memory.read, "environ:", environ?.count ?? -1)
                    hits += memory.hits + (environ.map(rtHits) ?? [])
                }
                return hits
            }
            """,
        ]
    }

    /// The course's images folder, which workers see read-only.
    static var imagesFolder: String {
        var folder = TutorProcess.executable.deletingLastPathComponent()
        while folder.path != "/", !FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
            folder.deleteLastPathComponent()
        }
        return folder.appendingPathComponent("Lessons/images").path
    }

    static func swiftLiteral(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Whether this machine allows the namespaces the private file system needs (as root, or with user namespaces);
    /// without them `tutor grade` says the protection is not in force, and these attacks would succeed.
    static let namespacesWork: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = (getuid() == 0 ? [] : ["-r"]) + ["-m", "-n", "-p", "-f", "/bin/true"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    @Test("attacks on the hidden checks find nothing and earn nothing; the private file system is in force",
          .enabled(if: namespacesWork, "this machine refuses the namespaces of the private file system"))
    func attacksFindNothing() throws {
        let root = TutorProcess.outputFolder("grade-red-team")
        let release = root.appendingPathComponent("release")
        let made = try TutorProcess.run(["release", GradeTests.source, "--out", release.path])
        try #require(made.status == 0, "\(made.stderr)")
        let copy = try String(contentsOf: release.appendingPathComponent("small-course.md"), encoding: .utf8)
        let submissions = root.appendingPathComponent("submissions")
        let attacks = Self.attacks(source: GradeTests.source)
        for (student, attack) in attacks {
            let released = copy.range(of: "```swift exercise id=double\n")!
            let end = copy.range(of: "```\n", range: released.upperBound..<copy.endIndex)!
            let text = copy.replacingCharacters(in: released.lowerBound..<end.upperBound,
                                                with: "```swift exercise id=double\n" + attack + "\n" + Self.common + "\n```\n")
            try GradeTests.write(text, to: submissions.appendingPathComponent("\(student)/small-course.md"))
        }
        let out = root.appendingPathComponent("grades")
        let run = try TutorProcess.run(["grade", submissions.path, "--source", GradeTests.source, "--out", out.path,
                                        "--step-timeout", "60", "--test-timeout", "20", "--memory", "2048", "--jobs", "2"])
        #expect(run.status == 0, "\(run.stderr)")
        let csv = try String(contentsOf: out.appendingPathComponent("gradebook.csv"), encoding: .utf8)
        for student in attacks.keys.sorted() {
            #expect(csv.contains("\(student),small-course,double,0,3,failed"), "\(student) earned points: \(csv)")
            let page = try String(contentsOf: out.appendingPathComponent("\(student)/small-course.html"), encoding: .utf8)
            #expect(page.contains("attack ran: 0 finds"), "\(student): the attack did not run or found something")
            for needle in Self.needles { #expect(!page.contains(needle), "\(student)'s feedback shows `\(needle)`") }
            #expect(page.contains("a private file system"), "\(student): the private file system was not in force")
        }
        // Each attack really looked: it reports what it read.
        let pages = try attacks.keys.sorted().map {
            try String(contentsOf: out.appendingPathComponent("\($0)/small-course.html"), encoding: .utf8)
        }
        let joined = pages.joined()
        #expect(joined.contains("read own executable:") && joined.contains("bytes of mapped executable memory"))
        let scanned = joined.range(of: #"scanned (\d+) paths"#, options: .regularExpression)
            .flatMap { Int(joined[$0].split(separator: " ")[1]) } ?? 0
        #expect(scanned > 1_000, "the disk scan saw only \(scanned) paths")
        #expect(joined.contains("process 1 "))
        #expect(joined.contains("Lessons/images refused") && !joined.contains("WRITE-SUCCEEDED"), "a worker could write into the libraries or images")
        for folder in [TutorProcess.executable.resolvingSymlinksInPath().deletingLastPathComponent().path, Self.imagesFolder] {
            #expect(!FileManager.default.fileExists(atPath: folder + "/red-team-write"))
            try? FileManager.default.removeItem(atPath: folder + "/red-team-write")
        }
        // Nothing anywhere in GRADES either.
        let files = FileManager.default.enumerator(atPath: out.path)?.compactMap { $0 as? String } ?? []
        for file in files {
            guard let data = FileManager.default.contents(atPath: out.appendingPathComponent(file).path) else { continue }
            for needle in Self.needles { #expect(data.range(of: Data(needle.utf8)) == nil, "\(file) holds `\(needle)`") }
        }
    }
}
