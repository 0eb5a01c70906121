import Engine
import Foundation
import Models

/// Paths into the committed fixtures and small numeric helpers shared by the Models tests.
enum Fixtures {
    static let root: URL = {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            fatalError("ModelsTests: Fixtures resource missing from the test bundle")
        }
        return url
    }()

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    static func checkpoint(_ name: String) -> URL { url("checkpoints/" + name) }

    static func json(_ relative: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(relative)))
    }

    /// One row of modules.tsv: dotted name, PyTorch class, last output shape ("-" if never called), call count.
    struct ModuleRow: Equatable, CustomStringConvertible {
        let name: String, typeName: String, shape: String, calls: Int
        var description: String { "\(name)\t\(typeName)\t\(shape)\t\(calls)" }
    }

    static func moduleRows(_ arch: String) throws -> [ModuleRow] {
        let text = try String(contentsOf: url(arch + "/modules.tsv"), encoding: .utf8)
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return ModuleRow(name: f[0], typeName: f[1], shape: f[2], calls: Int(f[3]) ?? -1)
        }
    }
}

/// ‖a − b‖ / ‖b‖ in Double.
func relativeError(_ a: Tensor, _ b: Tensor) -> Double {
    var diff = 0.0, norm = 0.0
    for (x, y) in zip(a.scalars, b.scalars) {
        diff += Double(x - y) * Double(x - y)
        norm += Double(y) * Double(y)
    }
    return norm == 0 ? diff.squareRoot() : (diff / norm).squareRoot()
}

/// The thrown ModelError, or nil if `body` did not throw one.
func modelError(_ body: () throws -> Void) -> ModelError? {
    do {
        try body()
        return nil
    } catch let error as ModelError {
        return error
    } catch {
        return nil
    }
}
