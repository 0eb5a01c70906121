import Attribution
import Engine
import Testing

@Suite struct ReductionTests {
    // N=1, C=2, H=1, W=2.
    let activation = Tensor(shape: [1, 2, 1, 2], scalars: [1, 2, 3, -4])
    let gradient = Tensor(shape: [1, 2, 1, 2], scalars: [-5, 1, 2, -3])

    @Test func maxAbsOverChannels() {
        let map = SaliencyReduction.maxAbsGradient.apply(activation: activation, gradient: gradient)
        #expect(map.shape == [1, 1, 1, 2])
        #expect(map.scalars == [5, 3])
    }

    @Test func gradCAMWeightsBySpatialMeanAndClamps() {
        // weights: c0 mean(-5, 1) = -2, c1 mean(2, -3) = -0.5; Σ = [1·-2 + 3·-0.5, 2·-2 + -4·-0.5] = [-3.5, -2] → ReLU.
        let map = SaliencyReduction.gradCAM.apply(activation: activation, gradient: gradient)
        #expect(map.scalars == [0, 0])
        let flipped = SaliencyReduction.gradCAM.apply(activation: activation, gradient: gradient.map { -$0 })
        #expect(flipped.scalars == [3.5, 2])
    }

    @Test func linearApproxIsSignedInputTimesGradient() {
        let map = SaliencyReduction.linearApprox.apply(activation: activation, gradient: gradient)
        let expected: [Float] = [1, 14]  // [1·-5 + 3·2, 2·1 + -4·-3]
        #expect(map.scalars == expected)
    }

    @Test func channelSums() {
        #expect(SaliencyReduction.channelSum.apply(activation: activation, gradient: gradient).scalars == [-3, -2])
        #expect(SaliencyReduction.clampedChannelSum.apply(activation: activation, gradient: gradient).scalars == [0, 0])
    }

    @Test func tiesInMaxAbsKeepTheValue() {
        let tied = Tensor(shape: [1, 3, 1, 1], scalars: [-2, 2, 0])
        #expect(SaliencyReduction.maxAbsGradient.apply(activation: tied, gradient: tied).scalars == [2])
    }
}
