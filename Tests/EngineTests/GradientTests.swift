import Engine
import Foundation
import Testing

/// One differentiable op applied to a random input, for the finite-difference sweep.
struct GradientCase: CustomStringConvertible, Sendable {
    let name: String
    let input: @Sendable (inout TestRandom) -> Tensor
    let apply: @Sendable (Tensor) -> Tensor
    var description: String { name }
}

private let other: Tensor = { var r = TestRandom(99); return r.tensor([2, 3, 4, 5]) }()
private let channelScale: Tensor = { var r = TestRandom(98); return r.tensor([1, 3, 1, 1], 0.5, 2) }()
private let positive: Tensor = { var r = TestRandom(97); return r.tensor([2, 3, 4, 5], 0.5, 2) }()

let gradientCases: [GradientCase] = [
    GradientCase(name: "add", input: { $0.tensor([2, 3, 4, 5]) }, apply: { $0 + other }),
    GradientCase(name: "add self (used twice)", input: { $0.tensor([2, 3, 4, 5]) }, apply: { $0 + $0 * 3 }),
    GradientCase(name: "sub broadcast", input: { $0.tensor([1, 3, 1, 1]) }, apply: { other - $0 }),
    GradientCase(name: "mul broadcast", input: { $0.tensor([2, 3, 4, 5]) }, apply: { $0 * channelScale }),
    GradientCase(name: "mul broadcast (small operand)", input: { $0.tensor([1, 3, 1, 1]) }, apply: { other * $0 }),
    GradientCase(name: "div", input: { $0.tensor([2, 3, 4, 5]) }, apply: { $0 / positive }),
    GradientCase(name: "div by x", input: { $0.tensor([2, 3, 4, 5], 0.5, 2) }, apply: { other / $0 }),
    GradientCase(name: "scalar ops", input: { $0.tensor([3, 4], 0.5, 2) }, apply: { (2 - $0 * 3 + 1) / 4 + 1 / $0 }),
    GradientCase(name: "relu", input: { $0.awayFromZero([2, 3, 4, 5]) }, apply: { $0.relu() }),
    GradientCase(name: "relu6", input: { r in r.awayFromZero([2, 3, 4, 5]) * 5 }, apply: { $0.relu6() }),
    GradientCase(name: "sigmoid", input: { $0.tensor([2, 3, 4]) }, apply: { $0.sigmoid() }),
    GradientCase(name: "exp", input: { $0.tensor([2, 3, 4]) }, apply: { $0.exp() }),
    GradientCase(name: "abs", input: { $0.awayFromZero([2, 3, 4]) }, apply: { $0.abs() }),
    GradientCase(name: "clamped", input: { $0.distinct([2, 3, 4]) }, apply: { $0.clamped(min: -0.55, max: 0.35) }),
    GradientCase(name: "reshaped+flattened", input: { $0.tensor([2, 3, 4]) }, apply: { $0.reshaped([4, -1]).flattened(startAxis: 0) * 1.5 }),
    GradientCase(name: "slice", input: { $0.tensor([3, 2, 4]) }, apply: { $0[1] }),
    GradientCase(name: "concat", input: { $0.tensor([2, 3, 4, 5]) }, apply: { Tensor.concat([$0, other, $0 * 2], axis: 1) }),
    GradientCase(name: "sum axes", input: { $0.tensor([2, 3, 4, 5]) }, apply: { $0.sum(axes: [1, 3]) }),
    GradientCase(name: "sum keepDims", input: { $0.tensor([2, 3, 4, 5]) }, apply: { $0.sum(axes: [-1], keepDims: true) * 2 }),
    GradientCase(name: "sum all", input: { $0.tensor([2, 3]) }, apply: { $0.sum() }),
    GradientCase(name: "mean", input: { $0.tensor([2, 3, 4, 5]) }, apply: { $0.mean(axes: [2, 3], keepDims: true) }),
    GradientCase(name: "max", input: { $0.distinct([2, 3, 4]) }, apply: { $0.max(axis: 1) }),
    GradientCase(name: "norm", input: { $0.tensor([2, 3, 4]) }, apply: { $0.norm(axis: 1, keepDims: true) }),
    GradientCase(name: "softmax", input: { $0.tensor([2, 5]) }, apply: { $0.softmax(axis: 1) }),
    GradientCase(name: "softmax axis 1 of 3", input: { $0.tensor([2, 3, 4]) }, apply: { $0.softmax(axis: 1) }),
    GradientCase(name: "maxPool2d", input: { $0.distinct([1, 2, 6, 7]) }, apply: { $0.maxPool2d(kernel: 3, stride: 2, padding: 1) }),
    GradientCase(name: "maxPool2d ceil", input: { $0.distinct([1, 2, 5, 5]) }, apply: { $0.maxPool2d(kernel: 2, stride: 2, ceilMode: true) }),
    GradientCase(name: "maxPool2d dilation", input: { $0.distinct([1, 1, 7, 7]) }, apply: { $0.maxPool2d(kernel: (2, 2), stride: (1, 2), dilation: (2, 1)) }),
    GradientCase(name: "avgPool2d pad", input: { $0.tensor([1, 2, 6, 7]) }, apply: { $0.avgPool2d(kernel: 3, stride: 2, padding: 1) }),
    GradientCase(name: "avgPool2d ceil exclude pad", input: { $0.tensor([1, 2, 5, 6]) }, apply: { $0.avgPool2d(kernel: 2, stride: 2, padding: 1, ceilMode: true, countIncludePad: false) }),
    GradientCase(name: "adaptiveAvgPool2d", input: { $0.tensor([1, 2, 7, 5]) }, apply: { $0.adaptiveAvgPool2d(outputSize: (3, 2)) }),
    GradientCase(name: "batchNorm", input: { $0.tensor([2, 3, 2, 2]) }, apply: {
        $0.batchNorm(mean: Tensor([0.1, -0.2, 0.3]), variance: Tensor([1, 0.5, 2]), weight: Tensor([1, 2, -1]),
                     bias: Tensor([0, 1, 2]), eps: 1e-3)
    }),
    GradientCase(name: "resized bilinear up", input: { $0.tensor([1, 2, 3, 4]) }, apply: { $0.resized(height: 7, width: 9) }),
    GradientCase(name: "resized bilinear down", input: { $0.tensor([1, 1, 8, 7]) }, apply: { $0.resized(height: 3, width: 4) }),
    GradientCase(name: "resized bicubic", input: { $0.tensor([1, 1, 4, 5]) }, apply: { $0.resized(height: 9, width: 7, mode: .bicubic) }),
    GradientCase(name: "resized nearest", input: { $0.tensor([1, 1, 4, 5]) }, apply: { $0.resized(height: 9, width: 3, mode: .nearest) }),
    GradientCase(name: "gaussianSmoothed constant", input: { $0.tensor([1, 2, 9, 9]) }, apply: { $0.gaussianSmoothed(sigma: 1) }),
    GradientCase(name: "gaussianSmoothed replicate", input: { $0.tensor([1, 1, 6, 7]) }, apply: { $0.gaussianSmoothed(sigma: 1, padding: .replicate) }),
    GradientCase(name: "padded reflect", input: { $0.tensor([1, 2, 4, 5]) }, apply: { $0.padded(.reflect, top: 2, left: 1, bottom: 3, right: 4) }),
    GradientCase(name: "padded replicate", input: { $0.tensor([1, 2, 4, 5]) }, apply: { $0.padded(.replicate, top: 2, left: 1, bottom: 3, right: 6) }),
    GradientCase(name: "padded constant", input: { $0.tensor([1, 2, 4, 5]) }, apply: { $0.padded(.constant(3), top: 2, left: 0, bottom: 1, right: 1) }),
]

@Suite struct GradientTests {
    @Test(arguments: gradientCases)
    func inputGradientMatchesFiniteDifferences(_ c: GradientCase) {
        var rng = TestRandom(5)
        checkGradient(c.input(&rng), c.apply)
    }

    @Test func unrelatedAndConstantInputsGetZeros() {
        let a = Tensor([1, 2]).requiringGrad(), b = Tensor([3, 4]).requiringGrad()
        let constant = Tensor([5, 6])
        let grads = gradients(of: a * 2, seed: Tensor([1, 1]), wrt: [a, b, constant])
        #expect(grads[0].scalars == [2, 2])
        #expect(grads[1].scalars == [0, 0])
        #expect(grads[2].scalars == [0, 0])
    }

    @Test func tensorsUsedTwiceAccumulate() {
        let x = Tensor([1, 2, 3]).requiringGrad()
        let y = x * x + x
        let g = gradients(of: y, seed: Tensor([1, 1, 1]), wrt: [x])[0]
        #expect(g.scalars == [3, 5, 7])
    }

    @Test func constantsAreNotRecorded() {
        let w = Tensor(repeating: 1, shape: [2, 3])
        let x = Tensor(repeating: 2, shape: [1, 3])
        #expect(!x.linear(weight: w).relu().requiresGrad)
        #expect(x.requiringGrad().linear(weight: w).relu().requiresGrad)
        #expect(!x.requiringGrad().detached().requiresGrad)
        // A leaf made from a computed tensor starts a new graph.
        let leaf = (x.requiringGrad() * 3).requiringGrad()
        let g = gradients(of: leaf * 2, seed: Tensor(repeating: 1, shape: [1, 3]), wrt: [leaf])[0]
        #expect(g.scalars == [2, 2, 2])
    }

    @Test func gradientAtIntermediateTensor() {
        let x = Tensor([1, -2, 3]).requiringGrad()
        let h = x * 2
        let y = h.relu()
        let grads = gradients(of: y, seed: Tensor([1, 1, 1]), wrt: [h, x])
        #expect(grads[0].scalars == [1, 0, 1])
        #expect(grads[1].scalars == [2, 0, 2])
    }
}

@Suite struct DeepGraphTests {
    @Test func longChainsDifferentiateAndReleaseOnASmallStack() async {
        // 20 000 recorded ops: both the walker and the release of the graph must not recurse per node.
        let result = await Task.detached {
            let x = Tensor([1, 2]).requiringGrad()
            var y = x
            for _ in 0..<20_000 { y = y * 1.0001 }
            return gradients(of: y, seed: Tensor([1, 1]), wrt: [x])[0].scalars
        }.value
        #expect(abs(result[0] - Float(pow(1.0001, 20_000.0))) < 1e-2)
    }
}
