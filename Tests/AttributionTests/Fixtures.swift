import Engine
import Foundation
import Models

/// The committed TorchRay fixtures (Tests/AttributionTests/Fixtures, made by scripts/fixtures/make_attribution.py).
enum Fixtures {
    static var root: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    }

    /// One parity case of manifest.json.
    struct Case: Decodable, Sendable, CustomStringConvertible {
        let id: String
        let arch: String
        let weights: String
        let input: String
        let target: Int
        let method: String
        let layer: String
        let resize: Bool
        let resizeMode: String
        let smooth: Float
        let output: String
        let reference: String?
        var description: String { id }
    }

    struct Manifest: Decodable { let cases: [Case] }

    /// The manifest's cases, grouped by model so each model is built once.
    static func cases() throws -> [Case] {
        let data = try Data(contentsOf: root.appendingPathComponent("manifest.json"))
        return try JSONDecoder().decode(Manifest.self, from: data).cases
    }

    /// One case of relu_rules.json: gIn = rule(x, gOut) for relu/relu6 under gradient/deconvnet/guided.
    struct RuleCase: Decodable, Sendable, CustomStringConvertible {
        let op: String
        let rule: String
        let x: [Float]
        let gOut: [Float]
        let y: [Float]
        let gIn: [Float]
        var description: String { "\(op) \(rule)" }
    }

    struct RuleFile: Decodable { let cases: [RuleCase] }

    static func ruleCases() throws -> [RuleCase] {
        let data = try Data(contentsOf: root.appendingPathComponent("relu_rules.json"))
        return try JSONDecoder().decode(RuleFile.self, from: data).cases
    }

    static func tensor(_ relativePath: String) throws -> Tensor {
        try Tensor(npyFile: root.appendingPathComponent(relativePath))
    }

    /// ‖a − b‖ / ‖b‖ (absolute ‖a‖ when b is all zeros).
    static func relativeL2(_ a: Tensor, _ b: Tensor) -> Double {
        var diff = 0.0, norm = 0.0
        for (x, y) in zip(a.scalars, b.scalars) {
            diff += Double(x - y) * Double(x - y)
            norm += Double(y) * Double(y)
        }
        return norm == 0 ? diff.squareRoot() : (diff / norm).squareRoot()
    }
}

/// Builds each fixture model once; the parity suite is serialized, so one slot is enough (VGG16 is large).
final class ModelCache: @unchecked Sendable {
    static let shared = ModelCache()
    private var key = ""
    private var module: Module?

    func model(arch name: String, weights: String) throws -> Module {
        let wanted = "\(name)/\(weights)"
        if wanted == key, let module { return module }
        module = nil
        guard let arch = Architecture(rawValue: name) else { throw ModelError.unknownArchitecture(name, valid: []) }
        let built: Module
        if weights == "pretrained" {
            built = makeModel(arch, initialization: .seeded(0))
            try built.load(try loadStateDict(from: try DefaultWeights.locateEfficientnetLite0()), strict: true)
        } else {
            built = makeModel(arch, initialization: .hashed)
        }
        key = wanted
        module = built
        return built
    }
}

extension Fixtures {
    /// One case of maxpool_ties.json: max-pool backward routes a tied window to its first maximum.
    struct MaxPoolCase: Decodable, Sendable, CustomStringConvertible {
        let kernel: Int
        let stride: Int
        let padding: Int
        let ceilMode: Bool
        let x: [Float]
        let xShape: [Int]
        let y: [Float]
        let yShape: [Int]
        let gOut: [Float]
        let gIn: [Float]
        var description: String { "k\(kernel) s\(stride) p\(padding) ceil \(ceilMode) \(xShape)" }
    }

    struct MaxPoolFile: Decodable { let cases: [MaxPoolCase] }

    static func maxPoolCases() throws -> [MaxPoolCase] {
        let data = try Data(contentsOf: root.appendingPathComponent("maxpool_ties.json"))
        return try JSONDecoder().decode(MaxPoolFile.self, from: data).cases
    }
}
