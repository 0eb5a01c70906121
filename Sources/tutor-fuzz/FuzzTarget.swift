import Engine
import Foundation
import Imaging
import Models
import Tutor

// Coverage-guided fuzzing of every loader with libFuzzer (scripts/untrusted/libfuzzer.sh builds this with
// `-sanitize=fuzzer -DFUZZING`); a plain build replays files instead, so a crash found by libFuzzer reproduces
// with `tutor-fuzz FILE…`. Thrown errors are the expected outcome; a trap is a finding.

/// Which loader an input goes to: `FUZZ_TARGET` = checkpoint (default), npy, png or lesson.
enum FuzzTarget: String, CaseIterable {
    case checkpoint, npy, png, lesson

    static var current: FuzzTarget {
        FuzzTarget(rawValue: ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? "") ?? .checkpoint
    }

    /// Feeds one input to the loader; returns its error message, or nil when the input loaded.
    @discardableResult
    func run(_ bytes: [UInt8]) -> String? {
        do {
            switch self {
            case .checkpoint:
                _ = try loadStateDict(data: Data(bytes), name: "fuzz.pth")
            case .npy:
                _ = try NPY.parse(bytes, path: "fuzz.npy")
            case .png:
                _ = try Image(pngData: bytes)
                // The row-by-row reader works on files.
                let url = FileManager.default.temporaryDirectory.appendingPathComponent("tutor-fuzz-\(getpid()).png")
                try Data(bytes).write(to: url)
                defer { try? FileManager.default.removeItem(at: url) }
                _ = try Image(pngFile: url, resizedShorterSideTo: 64)
            case .lesson:
                _ = try LessonParser.parse(text: String(decoding: bytes, as: UTF8.self), path: "fuzz.md")
            }
            return nil
        } catch {
            return "\(error)"
        }
    }
}

#if FUZZING
/// libFuzzer's per-input entry point. The fuzzing build is linked by scripts/untrusted/libfuzzer.sh so that
/// libFuzzer's own `main` drives it (SwiftPM's executable link expects a Swift entry point instead).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTarget.current.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}
#else
/// Replays the files named on the command line through `FUZZ_TARGET`'s loader and prints each outcome.
@main
struct FuzzReplay {
    static func main() {
        let target = FuzzTarget.current
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("\(path): unreadable")
                continue
            }
            print("\(path): " + (target.run([UInt8](data)).map { "error: \($0)" } ?? "loaded"))
        }
    }
}
#endif
