import Engine
import Foundation
import Models
import Testing

/// Layer paths, probes, strict loading and the deterministic initialisation, through the public API.
@Suite struct ModuleTests {
    @Test func layerPathsParseAndPrint() throws {
        let path: LayerPath = "layer4.1.conv2"
        #expect(path.components == ["layer4", "1", "conv2"])
        #expect(path.description == "layer4.1.conv2")
        #expect(LayerPath("").isRoot)
        #expect(path.parent == "layer4.1")
        for bad in ["features..29", ".layer4", "layer4.", "layer 4"] {
            guard case .invalidLayerPath? = modelError({ _ = try LayerPath(parsing: bad) }) else {
                Issue.record("'\(bad)' should not parse")
                continue
            }
        }
    }

    @Test func unknownLayerListsCloseNames() throws {
        let model = makeModel(.resnet18, initialization: .seeded(3))
        #expect(try model.resolve("layer4.1.conv2") === model.module(at: "layer4.1.conv2"))
        #expect(try model.resolve("") === model)
        let error = modelError { _ = try model.resolve("layer4.1.conv3") }
        guard case let .unknownLayer(path, _, suggestions)? = error else {
            Issue.record("expected .unknownLayer, got \(String(describing: error))")
            return
        }
        #expect(path == "layer4.1.conv3")
        #expect(suggestions.contains("layer4.1.conv2"))
        #expect(error!.description.contains("layer4.1.conv2"))
        let typo = modelError { _ = try model.resolve("layr4") }
        guard case let .unknownLayer(_, _, close)? = typo else {
            Issue.record("expected .unknownLayer")
            return
        }
        #expect(close.first == "layer4")
    }

    @Test func namesFollowTorchvision() {
        let vgg = makeModel(.vgg11, initialization: .seeded(0))
        #expect(vgg.module(at: "features.0")?.typeName == "Conv2d")
        #expect(vgg.module(at: "classifier.6")?.kind == "Linear(in_features=4096, out_features=1000, bias=True)")
        let keys = vgg.namedParameters().map(\.0)
        #expect(keys.first == "features.0.weight")
        #expect(keys.last == "classifier.6.bias")
        let resnet = makeModel(.resnet18, initialization: .seeded(0))
        #expect(resnet.namedBuffers().map(\.0).prefix(3) == ["bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked"])
        #expect(resnet.module(at: "conv1")?.kind == "Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)")
        #expect(resnet.description.hasPrefix("ResNet(\n  (conv1): Conv2d(3, 64"))
    }

    @Test func probesCaptureTheLastInvocationAsAGradientLeaf() throws {
        let model = makeModel(.resnet18, initialization: .hashed)
        let x = Tensor(shape: [1, 3, 32, 32], scalars: (0..<(3 * 32 * 32)).map { Float($0 % 17) / 17 - 0.5 })
        let relu = Probe("layer1.0.relu", target: .output)
        let block = Probe("layer1.0", target: .input)
        let logits = model.withProbes([relu, block]) { model(x) }
        #expect(relu.invocations == 2, "BasicBlock calls its relu twice")
        #expect(relu.captured.count == 1)
        let activation = try #require(relu.captured.last)
        #expect(activation.shape == [1, 64, 8, 8])
        #expect(activation.requiresGrad)
        #expect(block.captured.first?.shape == [1, 64, 8, 8])
        // Unprobed, the same values come out.
        #expect(relativeError(logits, model(x)) == 0)
        // Gradient of one logit reaches the probed activation.
        var seed = [Float](repeating: 0, count: 1000)
        seed[7] = 1
        let grad = gradients(of: logits, seed: Tensor(shape: [1, 1000], scalars: seed), wrt: [activation])[0]
        #expect(grad.shape == activation.shape)
        #expect(grad.scalars.contains { $0 != 0 })
        // Outside withProbes nothing is recorded any more.
        _ = model(x)
        #expect(relu.invocations == 2)
    }

    @Test func probingStaticPaddingSeesThePaddedTensor() throws {
        let model = makeModel(.efficientnetLite0, initialization: .hashed)
        let x = Tensor(repeating: 0.5, shape: [1, 3, 64, 64])
        let pad = Probe("_blocks.1._depthwise_conv.static_padding", target: .output)
        let y = model.withProbes([pad]) { model(x) }
        // Stride-2 3×3 on 32×32: TF "SAME" pads one row/column at the bottom/right only.
        #expect(pad.captured.first?.shape == [1, 96, 33, 33])
        #expect(relativeError(y, model(x)) < 1e-6)
    }

    @Test func strictLoadingNamesMissingUnexpectedAndMisshapedKeys() throws {
        let model = makeModel(.alexnet, initialization: .seeded(0))
        var sd = model.stateDict()
        sd["features.0.bias"] = nil
        sd["features.99.weight"] = StateTensor(Tensor.zeros([1]))
        sd["classifier.6.weight"] = StateTensor(Tensor.zeros([10, 4096]))
        let error = modelError { try model.load(sd, strict: true) }
        guard case let .stateDictMismatch(missing, unexpected, shapes)? = error else {
            Issue.record("expected .stateDictMismatch, got \(String(describing: error))")
            return
        }
        #expect(missing == ["features.0.bias"])
        #expect(unexpected == ["features.99.weight"])
        #expect(shapes == [.init(key: "classifier.6.weight", expected: [1000, 4096], found: [10, 4096])])
        let message = error!.description
        #expect(message.contains("features.0.bias") && message.contains("features.99.weight"))
        #expect(message.contains("[1000, 4096]") && message.contains("[10, 4096]"))

        // Non-strict ignores missing/unexpected keys but still refuses wrong shapes, and changes nothing then.
        let before = model.namedParameters().first!.1.scalars
        #expect(modelError { try model.load(sd, strict: false) } != nil)
        #expect(model.namedParameters().first!.1.scalars == before)
        sd["classifier.6.weight"] = nil
        try model.load(sd, strict: false)
    }

    @Test func loadingRoundTripsAndAcceptsPrefixedOrCounterlessDicts() throws {
        let source = makeModel(.mobilenetV2, initialization: .hashed)
        let target = makeModel(.mobilenetV2, initialization: .seeded(5))
        // DataParallel's "module." prefix, and no num_batches_tracked (older torchvision files).
        let sd = source.stateDict()
            .renamingKeys { $0.hasSuffix("num_batches_tracked") ? nil : "module." + $0 }
        try target.load(sd, strict: true)
        let x = Tensor(repeating: 0.25, shape: [1, 3, 32, 32])
        #expect(relativeError(target(x), source(x)) == 0)
    }

    @Test func oldDenseNetKeysAreRenamed() throws {
        // torchvision's first DenseNet checkpoints spell "denselayer1.norm.1.weight" for "denselayer1.norm1.weight".
        let source = makeModel(.densenet121, initialization: .hashed)
        let old = source.stateDict().renamingKeys { key in
            key.replacingOccurrences(of: #"(denselayer\d+)\.(norm|relu|conv)([12])"#, with: "$1.$2.$3", options: .regularExpression)
        }
        #expect(old.keys.contains("features.denseblock1.denselayer1.norm.1.weight"))
        let target = makeModel(.densenet121, initialization: .seeded(0))
        try target.load(old, strict: true)
        let x = Tensor(repeating: 0.5, shape: [1, 3, 32, 32])
        #expect(relativeError(target(x), source(x)) == 0)
    }

    @Test func hashedInitialisationIsBitExact() throws {
        let samples = try Fixtures.json("hashed_samples.json") as! [[String: Any]]
        // Where each sampled key lives; the model's own roles must pick the same kinds as the fixture script.
        let owners: [String: Architecture] = [
            "features.0.weight": .vgg11, "features.0.bias": .vgg11, "classifier.6.weight": .vgg11,
            "bn1.weight": .resnet18, "bn1.bias": .resnet18, "layer1.0.bn1.running_mean": .resnet18,
            "features.norm5.running_var": .densenet121, "_blocks.3._depthwise_conv.weight": .efficientnetLite0,
        ]
        var models: [Architecture: [String: Tensor]] = [:]
        for sample in samples {
            let name = sample["name"] as! String
            let arch = try #require(owners[name], "no owner for \(name)")
            if models[arch] == nil {
                let m = makeModel(arch, initialization: .hashed)
                models[arch] = Dictionary(uniqueKeysWithValues: m.namedParameters() + m.namedBuffers())
            }
            let tensor = try #require(models[arch]![name])
            #expect(tensor.shape == sample["shape"] as! [Int], "\(name)")
            let values = tensor.scalars
            let indices = sample["indices"] as! [Int]
            let bits = (sample["bits"] as! [String]).map { UInt32($0.dropFirst(2), radix: 16)! }
            for (i, expected) in zip(indices, bits) {
                #expect(values[i].bitPattern == expected, "\(name)[\(i)]")
            }
            let sum = values.reduce(0.0) { $0 + Double($1) }
            #expect(abs(sum - (sample["sum"] as! Double)) < 1e-6 * max(1, abs(sum)), "\(name) sum")
        }
    }

    @Test func seededInitialisationIsDeterministicAndSeedDependent() {
        let a = makeModel(.resnet18, initialization: .seeded(1)).namedParameters()
        let b = makeModel(.resnet18, initialization: .seeded(1)).namedParameters()
        let c = makeModel(.resnet18, initialization: .seeded(2)).namedParameters()
        #expect(a.first!.1.scalars == b.first!.1.scalars)
        #expect(a.first!.1.scalars != c.first!.1.scalars)
        // PyTorch's batch-norm defaults.
        let bn = a.first { $0.0 == "bn1.weight" }!.1
        #expect(bn.scalars.allSatisfy { $0 == 1 })
    }

    @Test func imageNetLabels() {
        #expect(ImageNetLabels.all.count == 1000)
        #expect(ImageNetLabels.name(0) == "tench")
        #expect(ImageNetLabels.name(281) == "tabby")
        #expect(ImageNetLabels.name(999) == "toilet tissue")
        #expect(ImageNetLabels.name(1000) == "class 1000")
        #expect(ImageNetLabels.ids(matching: "espresso") == [550, 967])  // espresso maker, espresso
    }

    @Test func defaultWeightsAreFound() throws {
        let url = try DefaultWeights.locateEfficientnetLite0()
        #expect(url.lastPathComponent == "efficientnet-lite0-57934424.pth")
        #expect(DefaultWeights.efficientnetLite0URL == url)
    }
}
