import Foundation

/// Reads the compiler's llvm-style diagnostics (`file:line:col: error: message`, one per line).
enum DiagnosticParser {
    static func parse(_ output: String) -> [Diagnostic] {
        var result: [Diagnostic] = []
        for line in output.split(separator: "\n") {
            // Split from the right of the "file:line:col: " prefix; files may contain colons only rarely.
            let parts = line.split(separator: ":", maxSplits: 4, omittingEmptySubsequences: false)
            guard parts.count == 5, let lineNumber = Int(parts[1]), let column = Int(parts[2]) else { continue }
            let severity = parts[3].trimmingCharacters(in: .whitespaces)
            guard ["error", "warning", "note"].contains(severity) else { continue }
            result.append(Diagnostic(file: String(parts[0]), line: lineNumber, column: column, severity: severity,
                                     message: parts[4].trimmingCharacters(in: .whitespaces)))
        }
        return result
    }
}
