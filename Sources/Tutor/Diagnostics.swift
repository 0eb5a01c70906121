import Foundation

/// Reads the compiler's llvm-style diagnostics (`file:line:col: error: message`, one per line).
enum DiagnosticParser {
    static func parse(_ output: String) -> [Diagnostic] {
        var result: [Diagnostic] = []
        for line in output.split(separator: "\n") {
            // The file is everything before the first ":LINE:COL: severity: " (a file name may hold colons).
            var searchStart = line.startIndex
            while let colon = line[searchStart...].firstIndex(of: ":") {
                searchStart = line.index(after: colon)
                let parts = line[searchStart...].split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
                guard parts.count == 4, let lineNumber = Int(parts[0]), let column = Int(parts[1]) else { continue }
                let severity = parts[2].trimmingCharacters(in: .whitespaces)
                guard ["error", "warning", "note"].contains(severity) else { continue }
                result.append(Diagnostic(file: unescape(String(line[..<colon])), line: lineNumber, column: column, severity: severity,
                                         message: parts[3].trimmingCharacters(in: .whitespaces)))
                break
            }
        }
        return result
    }

    /// The compiler prints a `#sourceLocation` file as written in the literal: undo the escapes
    /// `swiftStringLiteral` made (`\\`, `\"`), so the name matches the lesson's path again.
    static func unescape(_ file: String) -> String {
        guard file.contains("\\") else { return file }
        var out = ""
        var escaping = false
        for character in file {
            if escaping {
                out.append(character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                out.append(character)
            }
        }
        return out
    }
}
