import Attribution
import Engine
import Models
import Testing

/// User mistakes become `AttributionError`s that name what would be valid, never traps.
@Suite struct BadInputTests {
    let model = makeModel(.resnet18, initialization: .seeded(1))
    let input = Tensor(repeating: 0.5, shape: [1, 3, 32, 32])

    @Test func unknownLayerSuggestsCloseNames() {
        do {
            _ = try saliency(model: model, input: input, target: 3, method: .gradCAM, layer: "layer44")
            Issue.record("expected unknownLayer")
        } catch let error as AttributionError {
            guard case .unknownLayer(let name, let suggestions) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(name == "layer44")
            #expect(suggestions.contains("layer4"))
            #expect("\(error)".contains("layer4"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func gradCAMNeedsALayer() {
        do {
            _ = try saliency(model: model, input: input, target: 3, method: .gradCAM)
            Issue.record("expected layerRequired")
        } catch let error as AttributionError {
            guard case .layerRequired(.gradCAM, let suggestions) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            // Late feature blocks, never the classifier head.
            #expect(suggestions.contains("layer4.1"))
            #expect(!suggestions.contains { $0.hasPrefix("fc") || $0.hasPrefix("avgpool") })
        } catch {
            Issue.record("unexpected \(error)")
        }
        let wrapped = Model(.resnet18, initialization: .seeded(1))
        do {
            _ = try saliency(model: wrapped, input: input, target: 3, method: .gradCAM)
            Issue.record("expected layerRequired")
        } catch {
            #expect("\(error)".contains("layer4"))
        }
    }

    @Test(arguments: [[3, 32, 32], [1, 1, 32, 32], [1, 4, 32, 32], [0, 3, 32, 32]])
    func wrongShapedInputThrows(shape: [Int]) {
        let bad = Tensor(repeating: 0, shape: shape)
        do {
            _ = try saliency(model: model, input: bad, target: 3, method: .gradient)
            Issue.record("expected invalidInputShape for \(shape)")
        } catch let error as AttributionError {
            #expect(error == .invalidInputShape(shape, expected: "N×3×H×W (float32, N ≥ 1)"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func inputSmallerThanTheArchitectureAllowsThrows() {
        let alexnet = Model(.alexnet, initialization: .seeded(1))
        #expect(throws: AttributionError.self) {
            try saliency(model: alexnet, input: Tensor.zeros([1, 3, 32, 32]), target: 1, method: .gradient)
        }
    }

    @Test func targetOutOfRangeThrows() {
        #expect(throws: AttributionError.targetOutOfRange(1000, classes: 1000)) {
            try saliency(model: model, input: input, target: 1000, method: .gradient)
        }
    }

    @Test func invalidOptionsThrow() {
        #expect(throws: AttributionError.self) {
            try saliency(model: model, input: input, target: 1, method: .gradient, smooth: -1)
        }
        #expect(throws: AttributionError.self) {
            try saliency(model: model, input: input, target: 1, method: .gradient, resize: .size(width: 0, height: 8))
        }
    }
}

/// Facts the driver must get right independent of fixtures.
@Suite struct DriverTests {
    let model = makeModel(.resnet18, initialization: .seeded(2))
    let input = Tensor(shape: [2, 3, 32, 32], scalars: (0..<(2 * 3 * 32 * 32)).map { Float(($0 * 7919) % 101) / 50 - 1 })

    @Test func outputShapes() throws {
        #expect(try saliency(model: model, input: input, target: 1, method: .gradient).shape == [2, 1, 32, 32])
        #expect(try saliency(model: model, input: input, target: [1, 2], method: .gradCAM, layer: "layer4").shape == [2, 1, 1, 1])
        #expect(try saliency(model: model, input: input, target: 1, method: .gradCAM, layer: "layer3",
                             resize: .size(width: 20, height: 10)).shape == [2, 1, 10, 20])
        #expect(try saliency(model: model, input: input, target: 1, method: .linearApprox, layer: "layer2",
                             resize: true, resizeMode: .nearest, smooth: 0.05).shape == [2, 1, 32, 32])
    }

    @Test func linearApproxAtInputSumsInputTimesGradient() throws {
        let one = input[0].reshaped([1, 3, 32, 32])
        let x = one.requiringGrad()
        let logits = model(x)
        var seed = [Float](repeating: 0, count: logits.count)
        seed[5] = 1
        let g = gradients(of: logits, seed: Tensor(shape: logits.shape, scalars: seed), wrt: [x])[0]
        let expected = SaliencyReduction.linearApprox.apply(activation: one, gradient: g)
        let map = try saliency(model: model, input: one, target: 5, method: .linearApprox)
        #expect(map.scalars == expected.scalars)
        #expect(try saliency(model: model, input: one, target: 5, method: .gradient).scalars
            == SaliencyReduction.maxAbsGradient.apply(activation: one, gradient: g).scalars)
    }

    @Test func parametersAreUntouched() throws {
        let before = model.namedParameters().map { $0.1.scalars }
        _ = try saliency(model: model, input: input, target: 1, method: .guidedBackprop)
        let after = model.namedParameters().map { $0.1.scalars }
        #expect(before == after)
        #expect(model.namedParameters().allSatisfy { !$0.1.requiresGrad })
    }

    @Test func guidedBackpropIsNonNegativeAtEveryReLU() throws {
        // Guided backprop only passes positive gradients through each ReLU, so the map is ≤ the gradient's
        // support and never NaN.
        let map = try saliency(model: model, input: input, target: 1, method: .guidedBackprop)
        #expect(map.scalars.allSatisfy { $0 >= 0 && $0.isFinite })
    }
}
