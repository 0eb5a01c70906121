#if canImport(Glibc)
@preconcurrency import Glibc  // stdout/stderr are C globals; Swift 6 would reject them otherwise
#endif
import Foundation

/// The exit status of a program stopped by `TODO()`; the runner reports the step as "TODO not done".
public let todoExitStatus: Int32 = 86

/// Marks code the learner still has to write; running it stops the lesson program with a "TODO not done" report.
public func TODO(_ hint: String = "", file: StaticString = #filePath, line: UInt = #line) -> Never {
    LessonEventLog.shared.emit("todo", ["hint": hint, "file": "\(file)", "line": Int(line)])
    let where_ = "\(file):\(line)"
    fputs("TODO not done at \(where_)\(hint.isEmpty ? "" : ": \(hint)")\n", stderr)
    fflush(stdout)
    fflush(stderr)
    exit(todoExitStatus)
}

/// Marks a value the learner still has to compute (the overload that fits any expression position).
public func TODO<T>(_ hint: String = "", file: StaticString = #filePath, line: UInt = #line) -> T {
    TODO(hint, file: file, line: line) as Never
}
