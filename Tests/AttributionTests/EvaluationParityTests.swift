import Attribution
import Engine
import Foundation
import Models
import Testing

/// Parity with TorchRay and the RISE paper's metric (fixtures: scripts/fixtures/make_evaluation.py, torch 1.13.1 +
/// TorchRay 1.0.0.2): the pointing game's hit test, the benchmark's saliency settings on the real Lite0, and the
/// deletion/insertion curves. Serialized: the Lite0 cases share two cores.
@Suite(.serialized) struct EvaluationParityTests {
    static let folder = Fixtures.root.appendingPathComponent("evaluation")

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: folder.appendingPathComponent(name))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("the hit test agrees with TorchRay's PointingGame.evaluate on 310 masks (edges and random)")
    func hits() throws {
        let document = try Self.json("pointing_hits.json")
        let width = try #require(document["width"] as? Int), height = try #require(document["height"] as? Int)
        let cases = try #require(document["cases"] as? [[String: Any]])
        #expect(cases.count == 310)
        var disagreements: [String] = []
        for entry in cases {
            let boxes = try #require(entry["boxes"] as? [[Double]]).map { BoundingBox(x0: $0[0], y0: $0[1], x1: $0[2], y1: $0[3]) }
            let p = try #require(entry["point"] as? [Double])
            let tolerance = try #require(entry["tolerance"] as? Double)
            let expected = try #require(entry["hit"] as? Bool)
            let hit = PointingGame(tolerance: tolerance).isHit(ImagePoint(x: p[0], y: p[1]), boxes: boxes, width: width, height: height)
            if hit != expected { disagreements.append("\(boxes) \(p) τ=\(tolerance): TorchRay \(expected), here \(hit)") }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
        // The fixture exercises both outcomes.
        #expect(cases.contains { $0["hit"] as? Bool == true } && cases.contains { $0["hit"] as? Bool == false })
    }

    @Test("benchmark settings on Lite0 (pointing gradient, map resized to the image): within 1e-3, same point", arguments: [
        ("gradient", 285), ("gradient", 967), ("grad-cam", 285), ("grad-cam", 967),
    ])
    func pointingMaps(method: String, target: Int) throws {
        let document = try Self.json("pointing_maps.json")
        let cases = try #require(document["cases"] as? [[String: Any]])
        let id = "pointing-\(method)-\(target)"
        let entry = try #require(cases.first { $0["id"] as? String == id })
        let image = try #require(document["image"] as? [Int])
        let input = try Fixtures.tensor("evaluation/inputs/cat_128x192.npy")
        let expected = try Fixtures.tensor("evaluation/maps/\(id).npy")
        let model = try Model.pretrainedLite0()
        let kind = try Method(parsing: method)
        let layer: LayerPath? = kind == .gradCAM ? "_blocks.15" : nil
        let pointing = SaliencyPointing.gradientFamily(model: model, method: kind, layer: layer)
        let query = PointingQuery(input: input, width: image[0], height: image[1])
        let map = try saliency(model: model, input: input, target: .pointing(target), method: kind, layer: layer,
                               resize: .size(width: image[0], height: image[1]), smooth: kind == .gradCAM ? 0 : 0.02)
        #expect(map.shape == expected.shape)
        let error = Fixtures.relativeL2(map, expected)
        #expect(error <= 1e-3, "relative L2 \(error)")
        let point = try pointing.point(for: query, target: target)
        let reference = try #require(entry["point"] as? [Double])
        #expect([point.x, point.y] == reference)
    }

    @Test("deletion and insertion curves of the Lite0 gradient map match the reference within 1e-3; AUC within 1e-4")
    func causalCurves() throws {
        let document = try Self.json("causal.json")
        let input = try Fixtures.tensor("inputs/lite0_chelsea_margin_224.npy")
        let map = try Fixtures.tensor("evaluation/maps/causal-gradient-285.npy")
        let step = try #require(document["step"] as? Int)
        let model = try ModelCache.shared.model(arch: "efficientnet-lite0", weights: "pretrained")
        let aucs = try #require(document["auc"] as? [String: Double])
        for kind in CausalMetric.Kind.allCases {
            let expected = try #require(document[kind.rawValue] as? [Double])
            let curve = try CausalMetric(kind: kind, step: step).curve(model: model, input: input, saliency: map, target: 285)
            #expect(curve.count == expected.count)
            let diff = zip(curve, expected).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
            let norm = expected.map { $0 * $0 }.reduce(0, +).squareRoot()
            #expect(diff / norm <= 1e-3, "\(kind): relative L2 \(diff / norm)")
            let auc = try #require(areaUnderCurve(curve))
            #expect(abs(auc - aucs[kind.rawValue]!) <= 1e-4, "\(kind): AUC \(auc) vs \(aucs[kind.rawValue]!)")
        }
    }
}
