import Foundation

/// The files a lesson can read, for its cache key.
///
/// Before a run the runner cannot know what the program will open, so the key fingerprints what a lesson can be
/// expected to read: every file under the lesson's folder (its images and data, recursively; hidden folders, the cache and the report folder skipped)
/// and the default weights under `<package>/.cache/weights`. A fingerprint is each file's path, size, inode and
/// modification and change times, so any write to any of them misses the cache. Files read elsewhere are covered by
/// the read trace kept beside the result (`ReadTrace`). A folder with more than `limit` files is not fingerprinted:
/// the lesson then runs every time.
struct LessonInputs {
    var lesson: Lesson
    var packageRoot: URL
    var cacheRoot: URL
    /// Where reports are written; skipped like the cache.
    var reportFolder: String?
    var limit = 5000

    /// The folders whose files count.
    var folders: [URL] {
        let lessonFolder = URL(fileURLWithPath: lesson.path).standardizedFileURL.deletingLastPathComponent()
        return [lessonFolder, packageRoot.appendingPathComponent(".cache/weights")]
    }

    /// A digest of every input file's identity and times, or nil when there are too many files.
    func fingerprint() -> String? {
        var hasher = StableHasher()
        var count = 0
        let skipped = Set([cacheRoot.standardizedFileURL.path] + [reportFolder].compactMap {
            $0.map { URL(fileURLWithPath: $0, isDirectory: true).standardizedFileURL.path }
        })
        for folder in folders {
            var pending = [folder.path]
            while let directory = pending.popLast() {
                guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
                for name in names.sorted() where !name.hasPrefix(".") {
                    let path = directory + "/" + name
                    var info = stat()
                    guard lstat(path, &info) == 0, !skipped.contains(path) else { continue }
                    count += 1
                    if count > limit { return nil }
                    if (info.st_mode & S_IFMT) == S_IFDIR {
                        pending.append(path)
                        continue
                    }
                    hasher.combine(path)
                    hasher.combine("\(info.st_size)/\(info.st_ino)/\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)/\(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)")
                }
            }
        }
        return hasher.hexDigest
    }
}
