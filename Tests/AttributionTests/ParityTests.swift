import Attribution
import Engine
import Models
import Testing

/// Every case of the TorchRay manifest: relative L2 error ≤ 1e-3.
///
/// Most cases agree to ~1e-6. The Lite0 cases use the cat photo nudged off ReLU6's kinks
/// (`inputs/lite0_chelsea_margin_224.npy`, max change 3.4e-3, under half a grey level): on the plain photo one
/// `_blocks.9._bn1` unit sat 1.4e-6 from 0, inside float32 rounding noise, so the engines' summation order decided
/// whether its gradient passed and the gradient / linear-approx maps landed at 7.2e-4 / 9.99e-4. Now every
/// ReLU6 pre-activation whose gate affects a map is ≥ 1e-4 from 0 and 6; the fixture script checks this by
/// flipping each remaining near-kink gate (no map changes) — see scripts/fixtures/README.md.
@Suite(.serialized) struct ParityTests {
    @Test(arguments: try Fixtures.cases())
    func matchesTorchRay(_ fixture: Fixtures.Case) throws {
        let model = try ModelCache.shared.model(arch: fixture.arch, weights: fixture.weights)
        let input = try Fixtures.tensor(fixture.input)
        let expected = try Fixtures.tensor(fixture.output)
        let mode: ResizeMode = switch fixture.resizeMode {
        case "bicubic": .bicubic
        case "nearest": .nearest
        default: .bilinear
        }
        let map = try saliency(
            model: model, input: input, target: .classIndex(fixture.target), method: try Method(parsing: fixture.method),
            layer: LayerPath(fixture.layer), resize: fixture.resize ? .toInput : .none, resizeMode: mode,
            smooth: fixture.smooth)
        #expect(map.shape == expected.shape)
        let error = Fixtures.relativeL2(map, expected)
        print("parity \(fixture.id): relative L2 error \(error)")
        #expect(error <= 1e-3, "\(fixture.id): relative L2 error \(error)")
    }
}

/// relu_rules.json: the ReLU / ReLU6 rules of TorchRay and the project, element by element.
@Suite struct RuleFixtureTests {
    @Test(arguments: try Fixtures.ruleCases())
    func matchesRuleFixture(_ fixture: Fixtures.RuleCase) throws {
        let rules: BackwardRules = switch fixture.rule {
        case "deconvnet": .deconvnet
        case "guided-backprop": .guidedBackprop
        default: BackwardRules()
        }
        let x = Tensor(shape: [fixture.x.count], scalars: fixture.x).requiringGrad()
        let y = withBackwardRules(rules) { fixture.op == "relu6" ? x.relu6() : x.relu() }
        let gIn = gradients(of: y, seed: Tensor(shape: [fixture.gOut.count], scalars: fixture.gOut), wrt: [x])[0]
        #expect(y.scalars == fixture.y)
        #expect(gIn.scalars == fixture.gIn, "x \(fixture.x) gOut \(fixture.gOut)")
    }
}
