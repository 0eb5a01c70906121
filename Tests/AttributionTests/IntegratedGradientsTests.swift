import Attribution
import Foundation
import Engine
import Models
import Testing

/// A small smooth-ish CNN (hashed weights) so path integrals run in milliseconds.
func smallNetwork() -> Module {
    Sequential([
        Conv2d(3, 8, kernelSize: 3, padding: 1), ReLU(), Conv2d(8, 8, kernelSize: 3, stride: 2, padding: 1), ReLU(),
        AdaptiveAvgPool2d(1), Flatten(), Linear(8, 5),
    ]).initialize(.hashed)
}

/// A deterministic 1×3×12×12 input in about [−1, 1].
func smallInput(_ salt: Int = 0) -> Tensor {
    Tensor(shape: [1, 3, 12, 12], scalars: (0..<432).map { Float((($0 + salt) * 7919) % 199) / 99 - 1 })
}

@Suite struct IntegrationRuleTests {
    @Test(arguments: IntegrationRule.allCases)
    func weightsSumToOne(_ rule: IntegrationRule) {
        for n in [2, 5, 50] {
            let points = rule.points(n)
            #expect(points.count == n)
            #expect(abs(points.reduce(0) { $0 + $1.weight } - 1) < 1e-12, "\(rule) n=\(n)")
            #expect(points.allSatisfy { (0...1).contains($0.alpha) })
        }
    }

    @Test func gaussLegendreIsExactForDegree2nMinus1() {
        // 3 points integrate α⁵ exactly: ∫₀¹ α⁵ dα = 1/6.
        let value = IntegrationRule.gaussLegendre.points(3).reduce(0.0) { $0 + $1.weight * pow($1.alpha, 5) }
        #expect(abs(value - 1.0 / 6) < 1e-14)
        // Known 2-point nodes on [0, 1]: ½ ± ½/√3.
        let two = IntegrationRule.gaussLegendre.points(2).map(\.alpha)
        #expect(abs(two[0] - (0.5 - 0.5 / 3.0.squareRoot())) < 1e-14)
    }

    @Test func riemannPointsAreCaptums() {
        #expect(IntegrationRule.riemannRight.points(4).map(\.alpha) == [0.25, 0.5, 0.75, 1])
        #expect(IntegrationRule.riemannLeft.points(4).map(\.alpha) == [0, 0.25, 0.5, 0.75])
        #expect(IntegrationRule.riemannMiddle.points(2).map(\.alpha) == [0.25, 0.75])
        #expect(IntegrationRule.riemannTrapezoid.points(3).map(\.weight) == [0.25, 0.5, 0.25])
    }

    @Test func parsesCaptumAndDashedNames() {
        #expect(IntegrationRule(parsing: "gausslegendre") == .gaussLegendre)
        #expect(IntegrationRule(parsing: "Gauss-Legendre") == .gaussLegendre)
        #expect(IntegrationRule(parsing: "riemann_trapezoid") == .riemannTrapezoid)
        #expect(IntegrationRule(parsing: "simpson") == nil)
    }
}

@Suite struct IntegratedGradientsTests {
    let model = smallNetwork()
    let x = smallInput()

    @Test func linearModelIsExactWithOneStep() throws {
        // f(x) = W·x: IG = (x − 0) ⊙ W_y, whatever the quadrature.
        let linear = Sequential([Flatten(), Linear(432, 4)]).initialize(.hashed)
        var settings = MethodSettings()
        settings.steps = 1
        let result = try integratedGradients(model: linear, input: x, target: 2, settings: settings)
        let w = linear.namedParameters().first { $0.0.hasSuffix("weight") }!.1.scalars
        let expected = (0..<432).map { x.scalars[$0] * w[2 * 432 + $0] }
        #expect(Fixtures.relativeL2(result.attributions, Tensor(shape: [1, 3, 12, 12], scalars: expected)) < 1e-6)
        #expect(abs(result.delta[0]) < 1e-4 * max(1, abs(result.outputDifference[0])))
    }

    @Test(arguments: [IntegrationRule.gaussLegendre, .riemannTrapezoid, .riemannMiddle])
    func completeness(_ rule: IntegrationRule) throws {
        // Σ attributions ≈ f(x) − f(0): within 1 % of the output difference with 128 points on this ReLU net.
        var settings = MethodSettings()
        settings.steps = 128
        settings.integration = rule
        settings.batchSize = 32
        let result = try integratedGradients(model: model, input: x, target: 3, settings: settings)
        let difference = result.outputDifference[0]
        #expect(abs(difference) > 1e-3)
        #expect(abs(result.delta[0]) <= 0.01 * abs(difference), "\(rule): delta \(result.delta[0]) of \(difference)")
        // The map is Σ_c attributions, so it sums to the same total.
        let mapTotal = result.map.scalars.reduce(0.0) { $0 + Double($1) }
        #expect(abs(mapTotal - (difference + result.delta[0])) < 1e-3 * max(1, abs(difference)))
    }

    @Test func moreStepsShrinkTheGap() throws {
        func gap(_ steps: Int) throws -> Double {
            var settings = MethodSettings()
            settings.steps = steps
            settings.integration = .riemannRight
            return abs(try integratedGradients(model: model, input: x, target: 3, settings: settings).delta[0])
        }
        #expect(try gap(200) < gap(4))
    }

    @Test func batchSizeDoesNotChangeTheResult() throws {
        var a = MethodSettings(), b = MethodSettings()
        a.steps = 20; a.batchSize = 1
        b.steps = 20; b.batchSize = 7
        let one = try integratedGradients(model: model, input: x, target: 1, settings: a).attributions
        let seven = try integratedGradients(model: model, input: x, target: 1, settings: b).attributions
        #expect(Fixtures.relativeL2(one, seven) < 1e-5)
    }

    @Test func baselineEqualToInputGivesZero() throws {
        var settings = MethodSettings()
        settings.baseline = x
        settings.steps = 4
        let result = try integratedGradients(model: model, input: x, target: 0, settings: settings)
        #expect(result.attributions.scalars.allSatisfy { $0 == 0 })
        #expect(result.outputDifference[0] == 0)
    }

    @Test func batchOfTwoItemsMatchesEachAlone() throws {
        let y = smallInput(5)
        let both = Tensor(shape: [2, 3, 12, 12], scalars: x.scalars + y.scalars)
        var settings = MethodSettings()
        settings.steps = 8
        let pair = try integratedGradients(model: model, input: both, target: [1, 4], settings: settings)
        let second = try integratedGradients(model: model, input: y, target: 4, settings: settings)
        #expect(Array(pair.map.scalars[144...]) == second.map.scalars)
    }

    @Test func progressCountsBatches() throws {
        let log = ProgressLog()
        var settings = MethodSettings()
        settings.steps = 25
        settings.batchSize = 10
        settings.progress = { done, total in log.append(done, total) }
        _ = try integratedGradients(model: model, input: x, target: 0, settings: settings)
        #expect(log.entries.map(\.0) == [1, 2, 3] && log.entries.allSatisfy { $0.1 == 3 })
    }

    @Test func badSettingsNameTheSetting() {
        func setting(_ error: any Error) -> MethodSetting? {
            if case AttributionError.invalidSetting(let s, _) = error { return s }
            return nil
        }
        var zero = MethodSettings()
        zero.steps = 0
        #expect { try integratedGradients(model: model, input: x, target: 0, settings: zero) } throws: { setting($0) == .steps }
        var wrongBaseline = MethodSettings()
        wrongBaseline.baseline = Tensor.zeros([1, 3, 5, 5])
        #expect { try integratedGradients(model: model, input: x, target: 0, settings: wrongBaseline) }
            throws: { setting($0) == .baseline }
        var trapezoid = MethodSettings()
        trapezoid.steps = 1
        trapezoid.integration = .riemannTrapezoid
        #expect { try integratedGradients(model: model, input: x, target: 0, settings: trapezoid) } throws: { setting($0) == .steps }
        #expect { try saliency(model: model, input: x, target: 0, method: .integratedGradients, layer: "0") }
            throws: { "\($0)".contains("input only") }
    }
}

/// Collects progress callbacks (thread-safe enough for the sequential calls here).
final class ProgressLog: @unchecked Sendable {
    private(set) var entries: [(Int, Int)] = []
    func append(_ done: Int, _ total: Int) { entries.append((done, total)) }
}

@Suite struct SmoothGradTests {
    let model = smallNetwork()
    let x = smallInput()

    @Test func zeroNoiseEqualsTheGradient() throws {
        var settings = MethodSettings()
        settings.noiseLevel = 0
        settings.samples = 6
        settings.batchSize = 4
        let smooth = try smoothGrad(model: model, input: x, target: 2, settings: settings)
        let plain = try saliency(model: model, input: x, target: 2, method: .gradient)
        #expect(smooth.shape == plain.shape)
        #expect(Fixtures.relativeL2(smooth, plain) < 1e-6)
    }

    @Test func sameSeedSameMapOtherSeedOtherMap() throws {
        var settings = MethodSettings()
        settings.samples = 8
        settings.seed = 42
        let a = try smoothGrad(model: model, input: x, target: 2, settings: settings)
        let b = try smoothGrad(model: model, input: x, target: 2, settings: settings)
        settings.seed = 43
        let c = try smoothGrad(model: model, input: x, target: 2, settings: settings)
        #expect(a.scalars == b.scalars)
        #expect(Fixtures.relativeL2(a, c) > 1e-3)
    }

    @Test func noiseChangesTheMapAndBatchingDoesNot() throws {
        var settings = MethodSettings()
        settings.samples = 10
        settings.noiseLevel = 0.2
        settings.batchSize = 10
        let batched = try smoothGrad(model: model, input: x, target: 2, settings: settings)
        settings.batchSize = 3
        let small = try smoothGrad(model: model, input: x, target: 2, settings: settings)
        let plain = try saliency(model: model, input: x, target: 2, method: .gradient)
        #expect(Fixtures.relativeL2(batched, small) < 1e-5)
        #expect(Fixtures.relativeL2(batched, plain) > 1e-2)
    }

    @Test func badSettings() {
        var settings = MethodSettings()
        settings.samples = 0
        #expect(throws: AttributionError.self) { try smoothGrad(model: model, input: x, target: 0, settings: settings) }
        settings.samples = 2
        settings.noiseLevel = -0.1
        #expect(throws: AttributionError.self) { try smoothGrad(model: model, input: x, target: 0, settings: settings) }
        settings.noiseLevel = .nan
        #expect(throws: AttributionError.self) { try smoothGrad(model: model, input: x, target: 0, settings: settings) }
    }
}
