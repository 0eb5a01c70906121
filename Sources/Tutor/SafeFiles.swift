import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// File access for anything a lesson program could have planted: no symlink is followed at any level below the
/// folder the runner made, only regular files are read, and copies are made by content into the runner's folders.
enum SafeFiles {
    /// Names the lesson runtime gives images (`step3-12-heatmap.png`); nothing else is accepted from an event.
    static func isRuntimeImageName(_ name: String) -> Bool {
        matches(name, prefix: "step")
    }

    /// Names the runner gives copied images (`run2-step3-12-heatmap.png`).
    static func isCopiedImageName(_ name: String) -> Bool {
        guard name.hasPrefix("run"), let dash = name.firstIndex(of: "-") else { return false }
        let number = name[name.index(name.startIndex, offsetBy: 3)..<dash]
        return !number.isEmpty && number.count <= 6 && number.allSatisfy(isDigit)
            && matches(String(name[name.index(after: dash)...]), prefix: "step")
    }

    private static func isDigit(_ c: Character) -> Bool { c >= "0" && c <= "9" }

    /// Roles drawn from a PNG, and roles drawn from a JSON figure description (charts and colour bars as SVG).
    private static let pngRoles: Set<String> = ["image", "heatmap", "overlay", "grayscale", "colorbar"]
    private static let figureRoles: Set<String> = ["chart", "colorbar", "table"]

    private static func matches(_ name: String, prefix: String) -> Bool {
        guard name.hasPrefix(prefix), name.count < 80 else { return false }
        let roles: Set<String>
        let stem: Substring
        if name.hasSuffix(".png") {
            (roles, stem) = (pngRoles, name.dropFirst(prefix.count).dropLast(4))
        } else if name.hasSuffix(".json") {
            (roles, stem) = (figureRoles, name.dropFirst(prefix.count).dropLast(5))
        } else {
            return false
        }
        let parts = stem.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0...1].allSatisfy { !$0.isEmpty && $0.count <= 9 && $0.allSatisfy(isDigit) }
            && roles.contains(String(parts[2]))
    }

    /// Opens the folder at `path` component by component from the root, refusing symlinks at the last `depth`
    /// components (the ones below a folder the runner owns). Returns a descriptor or nil.
    static func openDirectory(_ path: String, checkedDepth: Int) -> Int32? {
        let components = URL(fileURLWithPath: path).standardizedFileURL.pathComponents.filter { $0 != "/" }
        var fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        for (i, component) in components.enumerated() {
            let strict = i >= components.count - checkedDepth
            let next = openat(fd, component, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (strict ? O_NOFOLLOW : 0))
            close(fd)
            guard next >= 0 else { return nil }
            fd = next
        }
        return fd
    }

    /// The bytes of regular file `name` in `directory` (no symlink in the file or the last three folder levels), at
    /// most `limit` bytes; nil otherwise.
    static func readRegularFile(in directory: URL, name: String, limit: Int = 64 << 20) -> Data? {
        guard !name.contains("/"), name != "..", name != ".",
              let dirFD = openDirectory(directory.path, checkedDepth: 3) else { return nil }
        defer { close(dirFD) }
        let fd = openat(dirFD, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) <= limit else { return nil }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while data.count <= limit {
            let count = read(fd, &buffer, buffer.count)
            if count > 0 { data.append(contentsOf: buffer[0..<count]); continue }
            if count < 0 && errno == EINTR { continue }
            break
        }
        return data.count <= limit ? data : nil
    }

    /// Writes `data` as a new regular file `name` in `directory`, replacing a file (never following a link) there.
    @discardableResult
    static func writeNewFile(_ data: Data, in directory: URL, name: String) -> Bool {
        guard !name.contains("/"), let dirFD = openDirectory(directory.path, checkedDepth: 3) else { return false }
        defer { close(dirFD) }
        _ = unlinkat(dirFD, name, 0)
        let fd = openat(dirFD, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written > 0 { offset += written } else if written < 0 && errno == EINTR { continue } else { return false }
            }
            return true
        }
    }
}
