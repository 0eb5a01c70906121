import Engine
import Foundation

/// Errors from model construction, layer lookup and weight loading; each message names the file, key or
/// layer involved and what would have been valid.
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// The file is not in any checkpoint format the loader knows (safetensors, PyTorch zip, PyTorch legacy).
    case notACheckpoint(file: String, reason: String)
    /// The file ends before the data its header promises.
    case truncated(file: String, detail: String)
    /// The pickle stream holds an opcode the minimal unpickler does not implement.
    case unknownPickleOpcode(file: String, opcode: UInt8, offset: Int)
    /// The pickle stream is well-formed bytes but not a state dict the loader understands.
    case malformedPickle(file: String, detail: String)
    /// A tensor is stored with an element type the loader cannot convert.
    case unsupportedDType(file: String, key: String, dtype: String)
    /// Any other structural problem in a checkpoint file (bad header, bad offsets, missing zip entry).
    case corruptCheckpoint(file: String, detail: String)
    /// A file could not be read at all.
    case unreadable(file: String, detail: String)
    /// Strict loading found keys the model has but the state dict lacks, keys it does not expect, or shape
    /// mismatches.
    case stateDictMismatch(missing: [String], unexpected: [String], shapeMismatches: [ShapeMismatch])
    /// A layer path names no module of the model.
    case unknownLayer(path: String, model: String, suggestions: [String])
    /// A layer path string is not a valid dotted name.
    case invalidLayerPath(String, reason: String)
    /// An architecture name is not one of `Architecture.allCases`.
    case unknownArchitecture(String, valid: [String])
    /// The default pretrained weights are not on disk.
    case defaultWeightsMissing(searched: [String])

    /// One key whose shape in the state dict differs from the model's parameter.
    public struct ShapeMismatch: Equatable, Sendable {
        /// The checkpoint key.
        public let key: String
        /// The model parameter's shape.
        public let expected: [Int]
        /// The shape in the state dict.
        public let found: [Int]
        /// A mismatch record.
        public init(key: String, expected: [Int], found: [Int]) {
            self.key = key
            self.expected = expected
            self.found = found
        }
    }

    /// The message shown to users: file, key or layer, what is wrong, what would be valid (one line, with
    /// text from the file clipped so a crafted file cannot print megabytes).
    public var description: String { MessageText.clipped(message, limit: 2_000) }

    private var message: String {
        switch self {
        case let .notACheckpoint(file, reason):
            return "\(file): not a checkpoint (\(reason)); expected a .safetensors file or a PyTorch .pth/.pt file (zip or legacy torch.save format)"
        case let .truncated(file, detail):
            return "\(file): file is truncated (\(detail))"
        case let .unknownPickleOpcode(file, opcode, offset):
            return "\(file): unknown pickle opcode 0x\(String(opcode, radix: 16, uppercase: false)) at byte offset \(offset) of the pickle stream"
        case let .malformedPickle(file, detail):
            return "\(file): malformed pickle: \(detail)"
        case let .unsupportedDType(file, key, dtype):
            return "\(file): tensor '\(key)' has unsupported dtype \(dtype); supported: float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool"
        case let .corruptCheckpoint(file, detail):
            return "\(file): corrupt checkpoint: \(detail)"
        case let .unreadable(file, detail):
            return "\(file): cannot read file: \(detail)"
        case let .stateDictMismatch(missing, unexpected, shapes):
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing keys (\(missing.count)): " + Self.list(missing)) }
            if !unexpected.isEmpty { parts.append("unexpected keys (\(unexpected.count)): " + Self.list(unexpected)) }
            if !shapes.isEmpty {
                parts.append("shape mismatches (\(shapes.count)): " + Self.list(shapes.map {
                    "\($0.key): model expects \($0.expected), checkpoint has \($0.found)"
                }))
            }
            return "state dict does not match the model: " + parts.joined(separator: "; ")
        case let .unknownLayer(path, model, suggestions):
            let hint = suggestions.isEmpty ? "" : "; did you mean " + suggestions.map { "'\($0)'" }.joined(separator: ", ") + "?"
            return "unknown layer '\(path)' in \(model)\(hint) (use \"\" for the whole model; list names with namedModules())"
        case let .invalidLayerPath(path, reason):
            return "invalid layer path '\(path)': \(reason)"
        case let .unknownArchitecture(name, valid):
            return "unknown model '\(name)'; valid: \(valid.joined(separator: ", "))"
        case let .defaultWeightsMissing(searched):
            return "the default EfficientNet-Lite0 weights (efficientnet-lite0-57934424.pth) were not found; run `make weights` in the repository root (searched: \(searched.joined(separator: ", ")))"
        }
    }

    /// Same as `description` (for `localizedDescription`).
    public var errorDescription: String? { description }

    /// Lists at most 20 items so a fully wrong checkpoint gives a readable message.
    private static func list(_ items: [String]) -> String {
        let shown = items.prefix(20).joined(separator: ", ")
        return items.count > 20 ? shown + ", … (\(items.count - 20) more)" : shown
    }
}
