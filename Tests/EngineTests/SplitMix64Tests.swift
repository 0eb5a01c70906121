import Engine
import Testing

/// The engine's PRNG: the reference SplitMix64 sequence, and the derived draws stay in range and unbiased.
@Suite struct SplitMix64Tests {
    @Test func matchesReferenceSequence() {
        // splitmix64.c (Vigna) from state 0.
        var rng = SplitMix64(seed: 0)
        #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
        #expect(rng.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(rng.next() == 0x06C4_5D18_8009_454F)
    }

    @Test func sameSeedSameSequenceOtherSeedDiffers() {
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42), c = SplitMix64(seed: 43)
        let sa = (0..<8).map { _ in a.next() }, sb = (0..<8).map { _ in b.next() }, sc = (0..<8).map { _ in c.next() }
        #expect(sa == sb)
        #expect(sa != sc)
    }

    @Test func unitFloatsAndBoundedIntsStayInRange() {
        var rng = SplitMix64(seed: 7)
        var sum: Double = 0
        var histogram = [Int](repeating: 0, count: 32)
        for _ in 0..<64_000 {
            let u = rng.nextUnitFloat()
            #expect(u >= 0 && u < 1)
            sum += Double(u)
            histogram[rng.nextInt(below: 32)] += 1
        }
        #expect(abs(sum / 64_000 - 0.5) < 0.01)
        // 2000 expected per bucket; 5σ ≈ 220.
        #expect(histogram.allSatisfy { abs($0 - 2000) < 250 }, "\(histogram)")
        #expect((0..<100).allSatisfy { _ in rng.nextInt(below: 1) == 0 })
    }

    @Test("normal samples (SmoothGrad's noise): seeded, mean 0 and variance 1, randomNormal scales them")
    func normalSamples() {
        var rng = SplitMix64(seed: 3)
        let samples = (0..<40_000).map { _ in rng.nextNormal() }
        #expect(samples.allSatisfy { $0.isFinite })
        let mean = samples.reduce(0, +) / 40_000
        let variance = samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 40_000
        // Standard errors: 0.005 for the mean, 0.007 for the variance.
        #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.04, "mean \(mean), variance \(variance)")
        var unit = SplitMix64(seed: 9)
        #expect((0..<1000).allSatisfy { _ in let u = unit.nextUnit(); return u >= 0 && u < 1 })
        var a = SplitMix64(seed: 5), b = SplitMix64(seed: 5)
        let t = Tensor.randomNormal([2, 3], mean: 1, std: 2, using: &a)
        let expected = (0..<6).map { _ in 1 + 2 * Float(b.nextNormal()) }
        #expect(t.shape == [2, 3] && t.scalars == expected)
    }
}
