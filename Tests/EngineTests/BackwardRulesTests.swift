import Engine
import Testing

/// Guided-backprop-like ReLU rule: pass positive upstream gradients where x > 0.
struct PositiveOnly: BackwardRule {
    func inputGradient(_ context: BackwardContext, upstream: Tensor) -> Tensor {
        Tensor.zip(upstream, context.input) { g, x in x > 0 && g > 0 ? g : 0 }
    }
}

/// Excitation-backprop conv/linear rule as in TorchRay: x ⊙ f*(x, W⁺, p ⊘ (f(x, W⁺) + 1e-20)).
struct ExcitationRule: BackwardRule {
    func inputGradient(_ context: BackwardContext, upstream: Tensor) -> Tensor {
        let x = context.input.requiringGrad()
        let positive = context.inputs[1].clamped(min: 0)
        let out = context.rerun(input: x, weight: positive)
        let g = gradients(of: out, seed: upstream / (out.detached() + 1e-20), wrt: [x])[0]
        return g * context.input
    }
}

/// Splits the gradient of a sum in proportion to each summand.
struct ProportionalSum: BackwardRule {
    func inputGradient(_ context: BackwardContext, upstream: Tensor) -> Tensor { upstream }
    func inputGradients(_ context: BackwardContext, upstream: Tensor) -> [Tensor] {
        let total = context.inputs.dropFirst().reduce(context.inputs[0]) { $0 + $1 }
        return context.inputs.map { $0 / total * upstream }
    }
}

@Suite struct BackwardRulesTests {
    @Test func overrideAppliesOnlyToOpsRecordedInsideTheScope() {
        let x = Tensor([-1, 2, 3]).requiringGrad()
        let seed = Tensor([1, -1, 2])
        var rules = BackwardRules()
        rules[.relu] = PositiveOnly()
        let inside = withBackwardRules(rules) { x.relu() }
        let outside = x.relu()
        #expect(gradients(of: inside, seed: seed, wrt: [x])[0].scalars == [0, 0, 2])
        #expect(gradients(of: outside, seed: seed, wrt: [x])[0].scalars == [0, -1, 2])
        // The rule is captured at forward time: differentiating inside another scope changes nothing.
        #expect(withBackwardRules(BackwardRules()) { gradients(of: inside, seed: seed, wrt: [x])[0].scalars } == [0, 0, 2])
    }

    @Test func otherOpsKeepTheirGradient() {
        var rules = BackwardRules()
        rules[.relu] = PositiveOnly()
        let x = Tensor([-1, 2, 3]).requiringGrad()
        let y = withBackwardRules(rules) { (x * 2).relu6() }
        #expect(gradients(of: y, seed: Tensor([1, -1, 1]), wrt: [x])[0].scalars == [0, -2, 0])
    }

    @Test func excitationBackpropLinearExample() {
        // torchray-spec §2.6.1: x=[1,2,3], W=[[1,-1,2],[0.5,1,-3]], bias [10,-10], p=[1,0] → [1/7, 0, 6/7].
        let x = Tensor(shape: [1, 3], scalars: [1, 2, 3]).requiringGrad()
        let w = Tensor(shape: [2, 3], scalars: [1, -1, 2, 0.5, 1, -3])
        var rules = BackwardRules()
        rules[.linear] = ExcitationRule()
        let y = withBackwardRules(rules) { x.linear(weight: w, bias: Tensor([10, -10])) }
        let g = gradients(of: y, seed: Tensor(shape: [1, 2], scalars: [1, 0]), wrt: [x])[0]
        expectClose(g.scalars, [0.142857, 0, 0.857143], tolerance: 1e-5)
    }

    @Test func sumRuleGetsEverySummand() {
        let a = Tensor([1, 3]).requiringGrad(), b = Tensor([3, 1]).requiringGrad()
        var rules = BackwardRules()
        rules[.add] = ProportionalSum()
        let y = withBackwardRules(rules) { a + b }
        let g = gradients(of: y, seed: Tensor([4, 8]), wrt: [a, b])
        #expect(g[0].scalars == [1, 6])
        #expect(g[1].scalars == [3, 2])
    }

    @Test func contextDefaultGradientAndRerun() {
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4]).requiringGrad()
        struct Doubling: BackwardRule {
            func inputGradient(_ context: BackwardContext, upstream: Tensor) -> Tensor {
                #expect(context.op == .avgPool2d)
                #expect(context.rerun(input: context.input, weight: nil).scalars == context.output.scalars)
                return context.defaultGradient(upstream) * 2
            }
        }
        var rules = BackwardRules()
        rules[.avgPool2d] = Doubling()
        let y = withBackwardRules(rules) { x.avgPool2d(kernel: 2) }
        #expect(gradients(of: y, seed: Tensor(shape: [1, 1, 1, 1], scalars: [1]), wrt: [x])[0].scalars == [0.5, 0.5, 0.5, 0.5])
    }

    @Test func mergingPrefersTheArgument() {
        var a = BackwardRules(), b = BackwardRules()
        a[.relu] = PositiveOnly()
        a[.relu6] = PositiveOnly()
        b[.relu] = ClosureRule { _, g in g * 0 }
        let merged = a.merging(b)
        #expect(merged[.relu6] != nil)
        #expect(merged[.relu] is ClosureRule)
        #expect(BackwardRules()[.conv2d] == nil)
    }

    @Test func asyncScope() async {
        var rules = BackwardRules()
        rules[.relu] = PositiveOnly()
        let x = Tensor([-1, 2]).requiringGrad()
        let y = await withBackwardRules(rules) { await Task.yield(); return x.relu() }
        #expect(gradients(of: y, seed: Tensor([1, -1]), wrt: [x])[0].scalars == [0, 0])
    }
}
