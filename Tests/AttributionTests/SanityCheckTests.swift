import Attribution
import Engine
import Models
import Testing

@Suite struct MapSimilarityTests {
    @Test func spearmanOfMonotoneMapsIsOne() {
        let a: [Float] = [1, 5, 2, 8, 3], b = a.map { $0 * $0 * $0 + 4 }
        #expect(abs(MapSimilarity.spearman(a, b) - 1) < 1e-12)
        #expect(abs(MapSimilarity.spearman(a, b.map { -$0 }) + 1) < 1e-12)
    }

    @Test func spearmanAveragesTiedRanks() {
        // Ranks of [1, 2, 2, 3] are [1, 2.5, 2.5, 4]; against [1, 2, 3, 4] Pearson = 0.9486833.
        #expect(abs(MapSimilarity.spearman([1, 2, 2, 3], [1, 2, 3, 4]) - 0.9486832980505138) < 1e-12)
    }

    @Test func constantMapHasNoRankCorrelation() {
        #expect(MapSimilarity.spearman([1, 1, 1], [1, 2, 3]).isNaN)
    }

    @Test func ssimOfIdenticalMapsIsOneAndOfUnrelatedMapsIsLow() {
        let a = (0..<256).map { Float(($0 * 37) % 101) }
        let b = (0..<256).map { Float(($0 * 53) % 97) }
        #expect(abs(MapSimilarity.ssim(a, a, height: 16, width: 16) - 1) < 1e-9)
        #expect(abs(MapSimilarity.ssim(a, a.map { $0 * 3 + 7 }, height: 16, width: 16) - 1) < 1e-5)  // after min-max
        #expect(MapSimilarity.ssim(a, b, height: 16, width: 16) < 0.5)
    }

    @Test func topKOverlap() {
        let a: [Float] = [9, 8, 7, 1, 1, 1, 1, 1, 1, 1]
        #expect(MapSimilarity.topKOverlap(a, a, fraction: 0.3) == 1)
        #expect(MapSimilarity.topKOverlap(a, [1, 1, 1, 9, 8, 7, 1, 1, 1, 1], fraction: 0.3) == 0)
    }
}

/// The model-randomisation test on the pretrained Lite0 (Adebayo et al. 2018), at 112 px to stay fast.
@Suite(.serialized) struct SanityCheckTests {
    static let model: Model? = try? Model.pretrainedLite0()
    var input: Tensor {
        get throws { try Fixtures.tensor("inputs/lite0_chelsea_margin_224.npy").resized(height: 112, width: 112) }
    }

    @Test func gradientDecorrelatesWhileAModelIndependentMapDoesNot() throws {
        let model = try #require(Self.model, "the Lite0 weights (make weights)")
        let x = try input
        let gradient = try sanityCheck(model: model, input: x, target: 282, method: .gradient)
        let names = gradient.steps.map(\.layer)
        #expect(names.first == "_fc" && names.last == "_conv_stem" && names.contains("_blocks.15") && names.count == 21)
        for step in gradient.steps {
            print("sanity gradient \(step.layer): spearman |·| \(step.spearmanAbs), ssim \(step.ssim), top-10% \(step.topKOverlap)")
        }
        let last = try #require(gradient.steps.last)
        #expect(last.spearmanAbs < 0.5, "fully randomised: rank correlation \(last.spearmanAbs)")
        #expect(last.topKOverlap < 0.5)
        #expect(gradient.steps.map(\.spearmanAbs).allSatisfy { $0 < 0.99 })

        // A map that ignores the weights (the input's largest |channel|, an edge-detector stand-in) passes unchanged.
        let independent = try sanityCheck(model: model, maxSteps: 5) { _ in
            SaliencyReduction.maxAbsGradient.apply(activation: x, gradient: x)
        }
        #expect(independent.steps.count == 5)
        #expect(independent.steps.allSatisfy { $0.spearman > 0.999_999 && $0.ssim > 0.999_999 && $0.topKOverlap == 1 })
    }

    @Test func theModelIsLeftUnchanged() throws {
        let model = try #require(Self.model, "the Lite0 weights (make weights)")
        let x = try input
        let before = try saliency(model: model, input: x, target: 282, method: .gradient)
        let log = ProgressLog()
        let result = try sanityCheck(model: model, input: x, target: 282, method: .gradient, maxSteps: 2,
                                     progress: { log.append($0, $1) })
        let after = try saliency(model: model, input: x, target: 282, method: .gradient)
        #expect(before.scalars == after.scalars)
        #expect(result.original.scalars == before.scalars)
        #expect(result.steps.map(\.layer) == ["_fc", "_bn1"])
        #expect(log.entries.map(\.0) == [1, 2, 3])
    }

    @Test func badStepCount() throws {
        let model = Model(.resnet18)
        #expect(throws: AttributionError.self) {
            try sanityCheck(model: model, maxSteps: 0) { _ in Tensor.zeros([1, 1, 2, 2]) }
        }
    }
}
