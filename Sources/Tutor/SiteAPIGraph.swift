import Foundation

/// The parts of a Swift symbol graph (`swift symbolgraph-extract` output) the API reference shows.
struct SymbolGraphFile: Decodable {
    struct Module: Decodable { var name: String }
    struct Kind: Decodable {
        var identifier: String
        var displayName: String
    }
    struct Identifier: Decodable { var precise: String }
    struct Names: Decodable { var title: String }
    struct Line: Decodable { var text: String }
    struct DocComment: Decodable { var lines: [Line] }
    struct Fragment: Decodable { var spelling: String }
    struct Symbol: Decodable {
        var kind: Kind
        var identifier: Identifier
        var pathComponents: [String]
        var names: Names
        var docComment: DocComment?
        var declarationFragments: [Fragment]?
        var accessLevel: String
    }

    var module: Module
    var symbols: [Symbol]
}

/// One documented symbol, as the reference pages show it.
struct APISymbol {
    /// The module that declares it (for an extension: the extending module).
    var module: String
    /// "Structure", "Instance Method", …
    var kind: String
    /// Swift's kind identifier without the "swift." prefix: "struct", "func", "method", "init", …
    var kindID: String
    /// Names from the top-level type down: ["Tensor", "init(shape:scalars:)"].
    var path: [String]
    /// The declaration as Swift writes it.
    var declaration: String
    /// The doc comment's Markdown (empty: none).
    var doc: String

    var name: String { path.last ?? "" }
    var isType: Bool { ["struct", "class", "enum", "protocol", "typealias", "actor"].contains(kindID) }
    /// The doc comment's first paragraph, for lists.
    var summary: String { doc.components(separatedBy: "\n\n").first?.replacingOccurrences(of: "\n", with: " ") ?? "" }
    /// Whether the doc comment shows a use in a code block.
    var hasExample: Bool { doc.contains("```") }
}

/// The public API of the documented modules, read from a folder of symbol graphs.
struct APIModel {
    /// Module name → its symbols, in declaration-path order.
    var modules: [String: [APISymbol]] = [:]

    /// Limits: the graphs come from our own build, but a folder named on the command line is still checked.
    static let maxFileBytes = 32 << 20
    static let maxFiles = 200

    /// Reads every `*.symbols.json` in `folder`; C modules (no Swift symbols) are skipped.
    init(folder: URL) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let graphs = names.filter { $0.hasSuffix(".symbols.json") }.sorted()
        guard !graphs.isEmpty else {
            throw TutorError.io(path: folder.path, reason: "no *.symbols.json files (build them with `make api`)")
        }
        guard graphs.count <= Self.maxFiles else { throw TutorError.io(path: folder.path, reason: "more than \(Self.maxFiles) symbol graphs") }
        for name in graphs {
            let url = folder.appendingPathComponent(name)
            let size = (try? url.resourceValues(forKeys: [.fileSizeKey]))?.fileSize ?? 0
            guard size <= Self.maxFileBytes, let data = try? Data(contentsOf: url) else {
                throw TutorError.io(path: url.path, reason: "cannot be read, or larger than \(Self.maxFileBytes >> 20) MB")
            }
            let graph: SymbolGraphFile
            do { graph = try JSONDecoder().decode(SymbolGraphFile.self, from: data) } catch {
                throw TutorError.io(path: url.path, reason: "not a symbol graph: \(error)")
            }
            for symbol in graph.symbols where ["public", "open"].contains(symbol.accessLevel) && !symbol.pathComponents.isEmpty {
                // Underscored names are implementation details that happen to be public (e.g. the runner's hooks).
                guard !symbol.pathComponents.contains(where: { $0.hasPrefix("_") }) else { continue }
                let kindID = symbol.kind.identifier.hasPrefix("swift.") ? String(symbol.kind.identifier.dropFirst(6)) : symbol.kind.identifier
                let declaration = (symbol.declarationFragments ?? []).map(\.spelling).joined()
                let doc = (symbol.docComment?.lines ?? []).map(\.text).joined(separator: "\n")
                modules[graph.module.name, default: []].append(APISymbol(
                    module: graph.module.name, kind: symbol.kind.displayName, kindID: kindID, path: symbol.pathComponents,
                    declaration: declaration, doc: doc))
            }
        }
        for (module, symbols) in modules {
            modules[module] = symbols.sorted { $0.path.lexicographicallyPrecedes($1.path) }
        }
        modules = modules.filter { !$0.value.isEmpty }
    }

    /// The top-level types of `module`, each with its page name.
    func types(of module: String) -> [APISymbol] {
        (modules[module] ?? []).filter { $0.path.count == 1 && $0.isType }
    }

    /// Top-level functions, variables and operators of `module` (shown on the module page).
    func globals(of module: String) -> [APISymbol] {
        (modules[module] ?? []).filter { $0.path.count == 1 && !$0.isType }
    }

    /// Members of `module`'s own types (nested ones included) under `type`.
    func members(of type: String, in module: String) -> [APISymbol] {
        (modules[module] ?? []).filter { $0.path.count > 1 && $0.path[0] == type }
    }

    /// Members a module adds to types it does not declare (extensions of other modules' or the standard library's
    /// types), by the extended type's name.
    func extensions(in module: String) -> [String: [APISymbol]] {
        let own = Set(types(of: module).map(\.name))
        return Dictionary(grouping: (modules[module] ?? []).filter { $0.path.count > 1 && !own.contains($0.path[0]) },
                          by: { $0.path[0] })
    }

    /// The module that declares top-level type `name`, when exactly one does.
    func owner(ofType name: String) -> String? {
        let owners = modules.keys.filter { module in types(of: module).contains { $0.name == name } }
        return owners.count == 1 ? owners.first : nil
    }
}
