#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Foundation

/// Runs Swift Testing through its version-stable ABI entry point, so each event record comes back to this
/// process as a callback (and leaves on the runner's stamped channel) instead of going to a file anyone can write.
/// LessonRuntime does not link Testing: the entry point is looked up in the check program, which does.
enum SwiftTestingBridge {
    typealias RecordHandler = @Sendable (_ recordJSON: UnsafeRawBufferPointer) -> Void
    typealias EntryPoint = @convention(thin) @Sendable (
        _ configurationJSON: UnsafeRawBufferPointer?, _ recordHandler: @escaping RecordHandler
    ) async throws -> Bool
    typealias EntryPointGetter = @convention(c) () -> UnsafeRawPointer

    /// Runs the tests (serially) matching `filter` and not `skip` (regular expressions over test ids); true when all passed.
    static func run(skip: [String], filter: [String], record: @escaping @Sendable (String) -> Void) async -> Bool {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "swt_abiv0_getEntryPoint") else {
            fputs("tutor: Swift Testing is not linked into this program\n", stderr)
            return false
        }
        let entryPoint = unsafeBitCast(unsafeBitCast(symbol, to: EntryPointGetter.self)(), to: EntryPoint.self)
        var configuration: [String: Any] = ["parallel": false, "verbosity": -1]
        if !skip.isEmpty { configuration["skip"] = skip }
        if !filter.isEmpty { configuration["filter"] = filter }
        let json = (try? JSONSerialization.data(withJSONObject: configuration)) ?? Data("{}".utf8)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: json.count, alignment: 1)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: json)
        do {
            return try await entryPoint(UnsafeRawBufferPointer(buffer)) { bytes in
                record(String(decoding: bytes, as: UTF8.self))
            }
        } catch {
            fputs("tutor: the checks could not run: \(error)\n", stderr)
            return false
        }
    }
}
