import Attribution
import Engine
import Testing

/// Hand-computed cases for the ReLU/ReLU6 rules, including the zeros and ties TorchRay is picky about.
@Suite struct RuleTests {
    // Forward inputs at the interesting points: negative, exactly 0, inside, exactly 6, above 6.
    let x = Tensor(shape: [1, 6], scalars: [-1, 0, 0, 3, 6, 7])
    let g = Tensor(shape: [1, 6], scalars: [2, 1, -1, -3, 4, 5])

    func inputGradient(_ rules: BackwardRules, relu6: Bool) -> [Float] {
        let leaf = x.requiringGrad()
        let y = withBackwardRules(rules) { relu6 ? leaf.relu6() : leaf.relu() }
        return gradients(of: y, seed: g, wrt: [leaf])[0].scalars
    }

    @Test func deconvnetReLUIgnoresInputSign() {
        #expect(inputGradient(.deconvnet, relu6: false) == [2, 1, 0, 0, 4, 5])
    }

    @Test func deconvnetReLU6IgnoresInputRange() {
        #expect(inputGradient(.deconvnet, relu6: true) == [2, 1, 0, 0, 4, 5])
    }

    @Test func guidedReLUPassesAtZeroInput() {
        // TorchRay masks x < 0 strictly: at x == 0 a positive gradient passes.
        #expect(inputGradient(.guidedBackprop, relu6: false) == [0, 1, 0, 0, 4, 5])
    }

    @Test func guidedReLU6UsesClosedInterval() {
        // 1[0 ≤ x ≤ 6]: both ends pass, 7 is blocked.
        #expect(inputGradient(.guidedBackprop, relu6: true) == [0, 1, 0, 0, 4, 0])
    }

    @Test func ruleSetsCoverReLUAndReLU6Only() {
        #expect(BackwardRules.deconvnet.overriddenOps == [.relu, .relu6])
        #expect(BackwardRules.guidedBackprop.overriddenOps == [.relu, .relu6])
    }

    @Test func rulesAreScoped() {
        // Outside withBackwardRules the ordinary ReLU gradient applies (zero where x ≤ 0).
        let leaf = x.requiringGrad()
        let y = leaf.relu()
        let plain = gradients(of: y, seed: g, wrt: [leaf])[0].scalars
        #expect(plain[0] == 0 && plain[3] == -3 && plain[5] == 5)
    }
}
