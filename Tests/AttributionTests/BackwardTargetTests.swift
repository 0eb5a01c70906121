import Attribution
import Engine
import Testing

@Suite struct BackwardTargetTests {
    @Test func oneHotPerItem() throws {
        let output = Tensor.zeros([2, 3])
        #expect(try BackwardTarget.classIndex(1).backwardGradient(for: output).scalars == [0, 1, 0, 0, 1, 0])
        #expect(try BackwardTarget.classIndices([2, 0]).backwardGradient(for: output).scalars == [0, 0, 1, 1, 0, 0])
    }

    @Test func oneHotIsReplicatedOverSpace() throws {
        let grad = try BackwardTarget.classIndex(0).backwardGradient(for: .zeros([1, 2, 1, 2]))
        #expect(grad.scalars == [1, 1, 0, 0])
    }

    @Test func pointingGradientIsSpatialSoftmax() throws {
        // TorchRay spec §1.8: class-1 map [[0,0],[0,1]] → [0.17488, 0.17488, 0.17488, 0.47537].
        let output = Tensor(shape: [1, 2, 2, 2], scalars: [0, 0, 0, 0, 0, 0, 0, 1])
        let grad = try BackwardTarget.pointing(1).backwardGradient(for: output).scalars
        let expected: [Float] = [0, 0, 0, 0, 0.17488, 0.17488, 0.17488, 0.47537]
        for (a, b) in zip(grad, expected) { #expect(abs(a - b) < 1e-5) }
        // A 2-D output gives exactly one-hot.
        let flat = try BackwardTarget.pointing(2).backwardGradient(for: Tensor(shape: [1, 3], scalars: [5, 90, 100]))
        #expect(flat.scalars == [0, 0, 1])
    }

    @Test func badTargetsThrow() {
        let output = Tensor.zeros([2, 3])
        #expect(throws: AttributionError.targetOutOfRange(3, classes: 3)) {
            try BackwardTarget.classIndex(3).backwardGradient(for: output)
        }
        #expect(throws: AttributionError.targetCountMismatch(3, batch: 2)) {
            try BackwardTarget.classIndices([0, 1, 2]).backwardGradient(for: output)
        }
        #expect(throws: AttributionError.gradientShapeMismatch([3], output: [2, 3])) {
            try BackwardTarget.gradient(.zeros([3])).backwardGradient(for: output)
        }
        #expect(throws: AttributionError.pointingUnsupported(outputShape: [2, 3])) {
            try BackwardTarget.pointing(0).backwardGradient(for: output)
        }
    }
}
