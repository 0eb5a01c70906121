import Engine
import Foundation
import Models
import Testing

/// Every architecture against PyTorch: module names, classes, output shapes and call counts (modules.tsv), and
/// logits (relative L2 error ≤ 1e-3). Serialized: the large hashed models need a few hundred MB each.
@Suite(.serialized) struct ArchitectureTests {
    /// Builds the fixture's model: hashed parameters, or the real Lite0 weights.
    static func fixtureModel(_ arch: Architecture) throws -> Module {
        if arch == .efficientnetLite0 {
            let model = makeModel(arch, initialization: .seeded(0))
            try model.load(try loadStateDict(from: try DefaultWeights.locateEfficientnetLite0()), strict: true)
            return model
        }
        return makeModel(arch, initialization: .hashed)
    }

    @Test(arguments: Architecture.allCases)
    func matchesPyTorch(_ arch: Architecture) throws {
        let model = try Self.fixtureModel(arch)
        let input = try Tensor(npyFile: Fixtures.url(arch.rawValue + "/input.npy"))
        let expected = try Tensor(npyFile: Fixtures.url(arch.rawValue + "/logits.npy"))

        let logits = model(input)
        #expect(logits.shape == expected.shape)
        let error = relativeError(logits, expected)
        print("parity \(arch.rawValue): relative L2 error \(error)")
        #expect(error <= 1e-3, "\(arch.rawValue): relative error \(error)")

        // The module table, recorded with an output probe on every module (as the fixture's forward hooks do).
        let rows = try Fixtures.moduleRows(arch.rawValue)
        let modules = model.namedModules()
        #expect(modules.map(\.0.description) == rows.map(\.name), "\(arch.rawValue): module names differ from torchvision")
        let probes = modules.map { Probe($0.0, target: .output) }
        let probed = model.withProbes(probes) { model(input) }
        #expect(relativeError(probed, expected) <= 1e-3, "probes must not change the output")
        let ours = zip(modules, probes).map { entry, probe in
            Fixtures.ModuleRow(
                name: entry.0.description, typeName: entry.1.typeName,
                shape: probe.captured.last.map { $0.shape.map(String.init).joined(separator: "x") } ?? "-",
                calls: probe.invocations)
        }
        let differing = zip(ours, rows).filter { $0 != $1 }.prefix(5)
        #expect(differing.isEmpty, "\(arch.rawValue): first differing rows (ours vs PyTorch): \(differing.map { "\($0) | \($1)" })")
    }

    @Test func stateDictKeysMatchTheLite0Checkpoint() throws {
        let sd = try loadStateDict(from: try DefaultWeights.locateEfficientnetLite0())
        let model = makeModel(.efficientnetLite0, initialization: .hashed)
        #expect(model.stateDict().keys == sd.keys)
        #expect(model.parameterCount == 4_652_008)
    }

    @Test func pretrainedLite0ClassifiesTheCatPhoto() throws {
        // The fixture input is chelsea.png preprocessed for Lite0; PyTorch's top-5 is in lite0_photos.json.
        let photos = try Fixtures.json("lite0_photos.json") as! [[String: Any]]
        let chelsea = try #require(photos.first { ($0["photo"] as! String).hasSuffix("chelsea.png") })
        let model = try Self.fixtureModel(.efficientnetLite0)
        let probabilities = model(try Tensor(npyFile: Fixtures.url("efficientnet-lite0/input.npy"))).softmax(axis: 1)
        let p = probabilities.scalars
        let top5 = p.indices.sorted { p[$0] > p[$1] }.prefix(5)
        #expect(Array(top5) == chelsea["top5_ids"] as! [Int])
        #expect(ImageNetLabels.name(top5.first!).contains("cat"))
    }

    @Test func wrapperSaysUntrainedUnlessWeightsWereLoaded() throws {
        let untrained = Model(.resnet18)
        #expect(untrained.displayName == "resnet18 (untrained)")
        #expect(!untrained.isPretrained)
        let lite0 = try Model.pretrainedLite0()
        #expect(lite0.isPretrained)
        #expect(lite0.displayName == "efficientnet-lite0")
    }

    @Test func architectureNamesParse() throws {
        #expect(try Architecture(parsing: "wide_resnet101_2") == .wideResnet101_2)
        let error = modelError { _ = try Architecture(parsing: "vgg19") }
        guard case let .unknownArchitecture(name, valid)? = error else {
            Issue.record("expected .unknownArchitecture")
            return
        }
        #expect(name == "vgg19")
        #expect(valid.contains("vgg16"))
        for arch in Architecture.allCases {
            let names = Set(try Fixtures.moduleRows(arch.rawValue).map(\.name))
            for layer in arch.defaultLayers { #expect(names.contains(layer.description), "\(arch.rawValue): \(layer)") }
        }
    }
}
