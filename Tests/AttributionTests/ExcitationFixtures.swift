import Engine
import Foundation

/// The excitation-backprop fixtures (scripts/fixtures/make_excitation.py).
enum ExcitationFixtures {
    /// One case of excitation_manifest.json.
    struct Case: Decodable, Sendable, CustomStringConvertible {
        let id: String
        let arch: String
        let weights: String
        let input: String
        let target: Int
        let method: String
        let layer: String
        let contrastLayer: String?
        let classifierLayer: String?
        let resize: Bool
        let smooth: Float
        let output: String
        let float64RelativeL2: Double
        var description: String { id }
    }

    struct Manifest: Decodable { let cases: [Case] }

    static func cases() throws -> [Case] {
        let data = try Data(contentsOf: Fixtures.root.appendingPathComponent("excitation_manifest.json"))
        return try JSONDecoder().decode(Manifest.self, from: data).cases
    }

    /// One case of excitation_rules.json: gIn[i] = rule(inputs, gOut) for input i.
    struct RuleCase: Decodable, Sendable, CustomStringConvertible {
        let op: String
        let inputs: [[Float]]
        let shapes: [[Int]]
        let gOut: [Float]
        let outShape: [Int]
        let gIn: [[Float]]
        let params: [String: Param]
        var description: String { "\(op) \(shapes[0])" }

        func input(_ i: Int) -> Tensor { Tensor(shape: shapes[i], scalars: inputs[i]) }
        func tensor(_ name: String) -> Tensor? {
            if case .tensor(let shape, let values) = params[name] { return Tensor(shape: shape, scalars: values) }
            return nil
        }
        func int(_ name: String) -> Int {
            if case .int(let v) = params[name] { return v }
            fatalError("excitation_rules.json: \(op) has no integer '\(name)'")
        }
    }

    /// An op constant: a tensor ({shape, values}) or an integer.
    enum Param: Decodable, Sendable {
        case tensor(shape: [Int], values: [Float])
        case int(Int)

        private struct TensorValue: Decodable { let shape: [Int]; let values: [Float] }

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let v = try? container.decode(Int.self) { self = .int(v); return }
            let t = try container.decode(TensorValue.self)
            self = .tensor(shape: t.shape, values: t.values)
        }
    }

    struct RuleFile: Decodable { let cases: [RuleCase] }

    static func ruleCases() throws -> [RuleCase] {
        let data = try Data(contentsOf: Fixtures.root.appendingPathComponent("excitation_rules.json"))
        return try JSONDecoder().decode(RuleFile.self, from: data).cases
    }
}
