/// A module's dotted name as torchvision and checkpoints spell it ("features.29", "layer4.1.conv2",
/// "_blocks.15._depthwise_conv"); the empty path "" is the whole model. Parsed once into components.
///
/// ```swift
/// let layer: LayerPath = "features.29"
/// let same = LayerPath(components: ["features", "29"])
/// ```
public struct LayerPath: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral, Comparable {
    /// The names between the dots; empty for the root.
    public let components: [String]

    /// The root (whole model).
    public static let root = LayerPath(components: [])

    /// A path from already-split components.
    public init(components: [String]) { self.components = components }

    /// Parses a dotted name, rejecting empty components ("a..b", ".a", "a.") and whitespace.
    public init(parsing text: String) throws {
        if text.isEmpty {
            self.components = []
            return
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.contains(where: \.isEmpty) {
            throw ModelError.invalidLayerPath(text, reason: "empty name between dots; write names like \"features.29\" or \"layer4.1\"")
        }
        if let bad = parts.first(where: { $0.contains(where: \.isWhitespace) }) {
            throw ModelError.invalidLayerPath(text, reason: "'\(bad)' contains whitespace")
        }
        self.components = parts
    }

    /// Parses `text` like a literal (see `init(stringLiteral:)`); use `init(parsing:)` to get parse errors.
    public init(_ text: String) {
        self.init(stringLiteral: text)
    }

    /// Parses a literal; an invalid literal keeps its text as a single component, so lookup then fails with
    /// `unknownLayer` and the usual suggestions instead of trapping.
    public init(stringLiteral value: String) {
        self = (try? LayerPath(parsing: value)) ?? LayerPath(components: [value])
    }

    /// The dotted form ("" for the root).
    public var description: String { components.joined(separator: ".") }

    /// Whether this is the whole model.
    public var isRoot: Bool { components.isEmpty }

    /// This path with one more component.
    public func appending(_ name: String) -> LayerPath { LayerPath(components: components + [name]) }

    /// The enclosing path (nil for the root).
    public var parent: LayerPath? { isRoot ? nil : LayerPath(components: Array(components.dropLast())) }

    /// Orders paths by their dotted text.
    public static func < (a: LayerPath, b: LayerPath) -> Bool { a.description < b.description }
}

extension LayerPath {
    /// Up to `limit` names from `candidates` closest to `self`: same prefix first, then by edit distance.
    func suggestions(among candidates: [LayerPath], limit: Int = 5) -> [String] {
        let target = description
        let scored = candidates.filter { !$0.isRoot }.map { candidate -> (Int, String) in
            let name = candidate.description
            var score = LayerPath.editDistance(target, name)
            // A shared leading component ("layer4" vs "layer4.2") is a strong hint.
            if candidate.components.first == components.first { score -= 2 }
            if name.hasPrefix(target) || target.hasPrefix(name) { score -= 2 }
            return (score, name)
        }
        let threshold = max(3, target.count / 2)
        return scored.filter { $0.0 <= threshold }.sorted { $0 < $1 }.prefix(limit).map(\.1)
    }

    /// Levenshtein distance over characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8), y = Array(b.utf8)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }
}
