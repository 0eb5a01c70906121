import Attribution
import Engine
import Foundation
import Models
import Testing

/// RISE: parity with TorchRay on given masks (VGG16, ResNet50, Lite0), TorchRay's mask geometry, the seeded
/// generator, and bad arguments.
@Suite(.serialized) struct RISETests {
    @Test(arguments: try PerturbationFixtures.riseCases())
    func matchesTorchRayWithGivenMasks(_ fixture: PerturbationFixtures.RISECase) throws {
        let model = try ModelCache.shared.model(arch: fixture.arch, weights: fixture.weights)
        let input = try Fixtures.tensor(fixture.input)
        let expected = try Fixtures.tensor(fixture.output)
        let masks = PerturbationFixtures.masks(fixture, height: input.shape[2], width: input.shape[3])
        // The rebuilt masks are TorchRay's: same total and samples (float32 bilinear, 1e-5).
        let total = masks.scalars.reduce(0.0) { $0 + Double($1) }
        #expect(abs(total - fixture.maskSum) <= 1e-5 * fixture.maskSum, "mask sum \(total) vs \(fixture.maskSum)")
        for (i, sample) in fixture.maskSamples.enumerated() {
            let h = input.shape[2], w = input.shape[3]
            let value = masks.scalars[((i % fixture.numMasks) * h + (7 * i) % h) * w + (13 * i) % w]
            #expect(abs(value - sample) <= 1e-5, "mask sample \(i): \(value) vs \(sample)")
        }
        var reported: [(Int, Int)] = []
        let map = try rise(model: model, input: input, classes: .only(fixture.classes), masks: .given(masks),
                           batchSize: fixture.batchSize) { reported.append(($0, $1)) }
        #expect(map.shape == expected.shape)
        let error = Fixtures.relativeL2(map, expected)
        print("parity rise \(fixture.id): relative L2 \(error) (float32 vs float64 in PyTorch: \(fixture.float64RelativeL2))")
        #expect(error <= 1e-3)
        // One progress report per batch, ending at the total.
        let batches = (fixture.numMasks + fixture.batchSize - 1) / fixture.batchSize
        #expect(reported.count == batches)
        #expect(reported.last.map { $0 == (fixture.numMasks, fixture.numMasks) } == true)

        // rise_class with a plain Int target gives the same map as the class's channel.
        let single = try riseClass(model: model, input: input, target: fixture.classes[1], masks: .given(masks),
                                   batchSize: fixture.batchSize)
        #expect(single.shape == [1, 1, input.shape[2], input.shape[3]])
        let channel = Tensor(shape: single.shape, scalars: Array(expected.scalars[single.count..<(2 * single.count)]))
        #expect(Fixtures.relativeL2(single, channel) <= 1e-3)
    }

    /// TorchRay's `_upsample_reflect` of a 7×7 checkerboard to 256×256 (reference values, spec §7).
    @Test func upsampleReflectMatchesTorchRay() {
        let grid = (0..<49).map { Float(($0 / 7 + $0 % 7) % 2) }
        let up = RISEMaskRecipe.upsampleReflect(grid, cells: 7, height: 256, width: 256)
        let mean = up.reduce(0.0) { $0 + Double($1) } / Double(up.count)
        #expect(abs(mean - 0.49745327) < 1e-6)
        let row0: [Float] = [0.499635, 0.498904, 0.498174, 0.497443, 0.496713, 0.495982]
        for (x, v) in row0.enumerated() { #expect(abs(up[x] - v) < 1e-6, "u[0, \(x)] = \(up[x])") }
        #expect(up[18 * 256 + 18] == 0)
        #expect(abs(up[18 * 256 + 37] - 0.51351357) < 1e-6)
    }

    @Test func seededMasksAreReproducibleAndFollowTheRecipe() {
        var a = SplitMix64(seed: 5), b = SplitMix64(seed: 5), c = SplitMix64(seed: 6)
        let m1 = RISEMaskRecipe.randomMask(cells: 7, probability: 0.5, height: 64, width: 48, rng: &a)
        let m2 = RISEMaskRecipe.randomMask(cells: 7, probability: 0.5, height: 64, width: 48, rng: &b)
        let m3 = RISEMaskRecipe.randomMask(cells: 7, probability: 0.5, height: 64, width: 48, rng: &c)
        #expect(m1 == m2)
        #expect(m1 != m3)
        #expect(m1.count == 64 * 48 && m1.allSatisfy { $0 >= 0 && $0 <= 1 })
        // p = 0 keeps nothing, p = 1 keeps everything.
        var r = SplitMix64(seed: 1)
        #expect(RISEMaskRecipe.randomMask(cells: 5, probability: 0, height: 32, width: 32, rng: &r).allSatisfy { $0 == 0 })
        #expect(RISEMaskRecipe.randomMask(cells: 5, probability: 1, height: 32, width: 32, rng: &r).allSatisfy { abs($0 - 1) < 1e-6 })
    }

    @Test func seededRISEIsReproducibleAndBatchIndependent() throws {
        let model = makeModel(.resnet18, initialization: .seeded(3))
        let input = Tensor(shape: [1, 3, 40, 40], scalars: (0..<4800).map { sin(Float($0) * 0.01) })
        let a = try riseClass(model: model, input: input, target: 7, masks: .random(count: 12, cells: 4, seed: 9), batchSize: 5)
        let b = try riseClass(model: model, input: input, target: 7, masks: .random(count: 12, cells: 4, seed: 9), batchSize: 12)
        let c = try riseClass(model: model, input: input, target: 7, masks: .random(count: 12, cells: 4, seed: 10), batchSize: 5)
        #expect(Fixtures.relativeL2(a, b) < 1e-6)
        #expect(Fixtures.relativeL2(a, c) > 1e-3)
        // Each map value is an average of sigmoid-weighted mask values: in [0, 1].
        #expect(a.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        // All classes: the class's channel equals rise_class.
        let all = try rise(model: model, input: input, masks: .random(count: 12, cells: 4, seed: 9), batchSize: 5)
        #expect(all.shape == [1, 1000, 40, 40])
        let channel7 = Tensor(shape: [1, 1, 40, 40], scalars: Array(all.scalars[7 * 1600..<8 * 1600]))
        #expect(Fixtures.relativeL2(channel7, a) < 1e-5)
    }

    @Test func listTargetsPickOneClassPerItem() throws {
        let model = makeModel(.resnet18, initialization: .seeded(3))
        let input = Tensor(shape: [2, 3, 32, 32], scalars: (0..<6144).map { cos(Float($0) * 0.003) })
        let masks = RISEMaskSource.random(count: 6, cells: 3, seed: 2)
        let both = try riseClass(model: model, input: input, targets: [4, 9], masks: masks)
        let four = try riseClass(model: model, input: input, target: 4, masks: masks)
        let nine = try riseClass(model: model, input: input, target: 9, masks: masks)
        #expect(both.shape == [2, 1, 32, 32])
        #expect(Array(both.scalars[0..<1024]) == Array(four.scalars[0..<1024]))
        #expect(Array(both.scalars[1024...]) == Array(nine.scalars[1024...]))
    }

    @Test func badArgumentsNameTheOption() throws {
        let model = makeModel(.resnet18, initialization: .seeded(1))
        let input = Tensor(repeating: 0.5, shape: [1, 3, 32, 32])
        func option(_ body: () throws -> Tensor) -> PerturbationOption? {
            do { _ = try body(); return nil } catch let error as PerturbationError { return error.option } catch { return nil }
        }
        #expect(option { try rise(model: model, input: input, masks: .random(count: 0)) } == .numMasks)
        #expect(option { try rise(model: model, input: input, masks: .random(count: 4, cells: 1)) } == .numCells)
        #expect(option { try rise(model: model, input: input, masks: .random(count: 4, cells: 33)) } == .numCells)
        #expect(option { try rise(model: model, input: input, masks: .random(count: 4, probability: 1.5)) } == .probability)
        #expect(option { try rise(model: model, input: input, masks: .random(count: 4), batchSize: 0) } == .batchSize)
        for shape in [[4, 1, 32, 31], [4, 3, 32, 32], [4, 32, 32], [0, 1, 32, 32]] {
            let masks = Tensor(repeating: 1, shape: shape)
            #expect(option { try rise(model: model, input: input, masks: .given(masks)) } == .masks, "\(shape)")
        }
        #expect(throws: AttributionError.targetOutOfRange(1000, classes: 1000)) {
            try riseClass(model: model, input: input, target: 1000, masks: .random(count: 2))
        }
        #expect(throws: AttributionError.self) {
            try rise(model: model, input: Tensor(repeating: 0, shape: [1, 1, 32, 32]), masks: .random(count: 2))
        }
    }
}
