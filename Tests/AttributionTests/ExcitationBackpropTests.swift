import Attribution
import Engine
import Models
import Testing

/// excitation_rules.json: each EBP rule against TorchRay's patched op, element by element.
@Suite struct ExcitationRuleTests {
    /// Runs the fixture's op on its inputs under `rules` and returns each input's gradient.
    func inputGradients(_ c: ExcitationFixtures.RuleCase, rules: BackwardRules) -> [[Float]] {
        let leaves = c.shapes.indices.map { c.input($0).requiringGrad() }
        let y: Tensor = withBackwardRules(rules) {
            switch c.op {
            case "linear":
                return leaves[0].linear(weight: c.tensor("weight")!, bias: c.tensor("bias"))
            case "conv2d":
                let p = c.int("padding"), s = c.int("stride")
                return leaves[0].conv2d(weight: c.tensor("weight")!, bias: c.tensor("bias"), stride: (s, s),
                                        padding: .symmetric(p, p), groups: c.int("groups"))
            case "avgPool2d":
                return leaves[0].avgPool2d(kernel: c.int("kernel"), stride: c.int("stride"), padding: c.int("padding"))
            case "adaptiveAvgPool2d":
                return leaves[0].adaptiveAvgPool2d(outputSize: (c.int("outputHeight"), c.int("outputWidth")))
            case "batchNorm":
                return leaves[0].batchNorm(mean: c.tensor("mean")!, variance: c.tensor("variance")!,
                                           weight: c.tensor("weight"), bias: c.tensor("bias"), eps: 1e-5)
            case "add":
                return leaves[0] + leaves[1]
            default:
                fatalError("unknown op \(c.op)")
            }
        }
        #expect(y.shape == c.outShape)
        return gradients(of: y, seed: Tensor(shape: c.outShape, scalars: c.gOut), wrt: leaves).map(\.scalars)
    }

    @Test(arguments: try ExcitationFixtures.ruleCases())
    func matchesTorchRay(_ c: ExcitationFixtures.RuleCase) {
        let got = inputGradients(c, rules: .excitationBackprop)
        for (i, expected) in c.gIn.enumerated() {
            let error = Fixtures.relativeL2(Tensor(got[i]), Tensor(expected))
            #expect(error <= 1e-5, "\(c) input \(i): got \(got[i].prefix(6)) expected \(expected.prefix(6)) (error \(error))")
        }
    }

    @Test func linearExampleFromTheSpec() {
        // x=[1,2,3], W=[[1,-1,2],[0.5,1,-3]], bias [10,-10], p=[1,0] → [1/7, 0, 6/7]: W⁺ and no bias.
        let x = Tensor(shape: [1, 3], scalars: [1, 2, 3]).requiringGrad()
        let y = withBackwardRules(.excitationBackprop) {
            x.linear(weight: Tensor(shape: [2, 3], scalars: [1, -1, 2, 0.5, 1, -3]), bias: Tensor([10, -10]))
        }
        let g = gradients(of: y, seed: Tensor(shape: [1, 2], scalars: [1, 0]), wrt: [x])[0].scalars
        #expect(abs(g[0] - 1.0 / 7) < 1e-6 && g[1] == 0 && abs(g[2] - 6.0 / 7) < 1e-6)
    }

    @Test func negatedClassifierUsesNegativePart() {
        // (−W)⁺ = [[0,1,0],[0,0,3]] for the negated layer only: p=[1,0] → x₂·1/(2·1) = [0, 1, 0].
        let w = Tensor(shape: [2, 3], scalars: [1, -1, 2, 0.5, 1, -3])
        let x = Tensor(shape: [1, 3], scalars: [1, 2, 3]).requiringGrad()
        let y = withBackwardRules(.excitationBackprop(negating: w)) { x.linear(weight: w) }
        #expect(gradients(of: y, seed: Tensor(shape: [1, 2], scalars: [1, 0]), wrt: [x])[0].scalars == [0, 1, 0])
        // Another weight with the same values is not negated.
        let other = Tensor(shape: [2, 3], scalars: [1, -1, 2, 0.5, 1, -3])
        let z = withBackwardRules(.excitationBackprop(negating: w)) { x.linear(weight: other) }
        let g = gradients(of: z, seed: Tensor(shape: [1, 2], scalars: [1, 0]), wrt: [x])[0].scalars
        #expect(abs(g[0] - 1.0 / 7) < 1e-6)
    }

    @Test func excitationIsConservedThroughAPositiveNetwork() {
        // With x ≥ 0 and bias-free layers, each EBP rule redistributes the excitation: the total is conserved.
        let x = Tensor(shape: [1, 2, 6, 6], scalars: (0..<72).map { Float(($0 * 37) % 11) / 10 + 0.05 }).requiringGrad()
        let w = Tensor(shape: [3, 2, 3, 3], scalars: (0..<54).map { Float(($0 * 17) % 13) / 13 - 0.3 })
        let y = withBackwardRules(.excitationBackprop) {
            x.conv2d(weight: w, padding: .symmetric(1, 1)).relu().avgPool2d(kernel: 2).adaptiveAvgPool2d(outputSize: 1)
        }
        let seed = Tensor(shape: y.shape, scalars: [0.2, 0.5, 0.3])
        let g = gradients(of: y, seed: seed, wrt: [x])[0]
        let total = g.scalars.reduce(0, +)
        // Channels whose ReLU output is all zero lose their share, so the total is at most 1.
        #expect(total > 0.3 && total <= 1.0001, "total excitation \(total)")
        #expect(g.scalars.allSatisfy { $0 >= 0 })
    }

    @Test func sumRuleSplitsInProportion() {
        let a = Tensor([1, -2, 0]).requiringGrad(), b = Tensor([3, 2, 0]).requiringGrad()
        let y = withBackwardRules(.excitationBackprop) { a + b }
        let g = gradients(of: y, seed: Tensor([4, 1, 2]), wrt: [a, b])
        #expect(g[0].scalars[0] == 1 && g[1].scalars[0] == 3)
        // −2 + 2 = 0: TorchRay would give NaN; the project splits equally.
        #expect(g[0].scalars[1] == 0.5 && g[1].scalars[1] == 0.5)
        #expect(g[0].scalars[2] == 1 && g[1].scalars[2] == 1)
    }

    @Test func ruleSetCoversTheTorchRayPatchPoints() {
        #expect(BackwardRules.excitationBackprop.overriddenOps == [.conv2d, .linear, .avgPool2d, .adaptiveAvgPool2d, .batchNorm, .add])
    }
}

/// Every case of excitation_manifest.json against TorchRay: relative L2 within max(1e-3, 3 × the case's
/// float32-vs-float64 difference in PyTorch), since EBP's divisions by small sums amplify rounding.
@Suite(.serialized) struct ExcitationParityTests {
    @Test(arguments: try ExcitationFixtures.cases())
    func matchesTorchRay(_ c: ExcitationFixtures.Case) throws {
        let model = try ModelCache.shared.model(arch: c.arch, weights: c.weights)
        let input = try Fixtures.tensor(c.input)
        let expected = try Fixtures.tensor(c.output)
        var settings = MethodSettings()
        settings.contrastLayer = c.contrastLayer.map { LayerPath($0) }
        settings.classifierLayer = c.classifierLayer.map { LayerPath($0) }
        let map = try saliency(
            model: model, input: input, target: .classIndex(c.target), method: try Method(parsing: c.method),
            layer: LayerPath(c.layer), settings: settings, resize: c.resize ? .toInput : .none, smooth: c.smooth)
        #expect(map.shape == expected.shape)
        let error = Fixtures.relativeL2(map, expected)
        let tolerance = max(1e-3, 3 * c.float64RelativeL2)
        print("parity \(c.id): relative L2 error \(error) (tolerance \(tolerance), PyTorch f32 vs f64 \(c.float64RelativeL2))")
        #expect(error <= tolerance, "\(c.id): relative L2 error \(error)")
    }
}

/// Bad inputs of excitation backprop give errors naming the setting, never traps.
@Suite struct ExcitationBadInputTests {
    let model = makeModel(.resnet18, initialization: .seeded(3))
    let x = Tensor(repeating: 0.5, shape: [1, 3, 48, 48])

    func settings(contrast: String?, classifier: String? = nil) -> MethodSettings {
        var s = MethodSettings()
        s.contrastLayer = contrast.map { LayerPath($0) }
        s.classifierLayer = classifier.map { LayerPath($0) }
        return s
    }

    func setting(of error: any Error) -> MethodSetting? {
        if case AttributionError.invalidSetting(let s, _) = error { return s }
        return nil
    }

    @Test func missingContrastLayer() {
        #expect { try saliency(model: model, input: x, target: 1, method: .contrastiveExcitationBackprop, layer: "layer2") }
            throws: { setting(of: $0) == .contrastLayer && "\($0)".contains("contrast layer") }
    }

    @Test func unknownContrastLayerSuggestsNames() {
        #expect {
            try saliency(model: model, input: x, target: 1, method: .contrastiveExcitationBackprop, layer: "layer2",
                         settings: settings(contrast: "layer9"))
        } throws: { setting(of: $0) == .contrastLayer && "\($0)".contains("layer4") }
    }

    @Test func contrastLayerBelowSaliencyLayer() {
        #expect {
            try saliency(model: model, input: x, target: 1, method: .contrastiveExcitationBackprop, layer: "layer3",
                         settings: settings(contrast: "layer2"))
        } throws: { setting(of: $0) == .contrastLayer && "\($0)".contains("after") }
    }

    @Test func classifierWithoutWeight() {
        #expect {
            try saliency(model: model, input: x, target: 1, method: .contrastiveExcitationBackprop, layer: "layer2",
                         settings: settings(contrast: "avgpool", classifier: "avgpool"))
        } throws: { setting(of: $0) == .classifierLayer }
    }

    @Test func unknownSaliencyLayer() {
        #expect { try saliency(model: model, input: x, target: 1, method: .excitationBackprop, layer: "layer7") }
            throws: { if case AttributionError.unknownLayer = $0 { true } else { false } }
    }

    @Test func contrastiveMapIsNonNegativeAndDiffersFromPlainEBP() throws {
        let input = Tensor(shape: [1, 3, 48, 48], scalars: (0..<(3 * 48 * 48)).map { Float(($0 * 7919) % 211) / 105 - 1 })
        let plain = try saliency(model: model, input: input, target: 5, method: .excitationBackprop, layer: "layer2")
        let contrastive = try saliency(model: model, input: input, target: 5, method: .contrastiveExcitationBackprop,
                                       layer: "layer2", settings: settings(contrast: "layer4"))
        #expect(contrastive.shape == plain.shape)
        #expect(contrastive.scalars.allSatisfy { $0 >= 0 })
        #expect(contrastive.scalars.contains { $0 > 0 })
        #expect(Fixtures.relativeL2(contrastive, plain.map { max($0, 0) }) > 1e-3)
    }
}
