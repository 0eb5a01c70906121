import Attribution
import Engine
import Models
import Testing

/// A linear classifier over the flattened image, so occlusion's answer can be computed by hand.
final class LinearScores: Module, @unchecked Sendable {
    let weight: Tensor
    init(classes: Int, channels: Int, height: Int, width: Int, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        weight = Tensor(shape: [classes, channels * height * width],
                        scalars: (0..<(classes * channels * height * width)).map { _ in rng.nextUnitFloat() - 0.5 })
        super.init()
    }
    override func forward(_ x: Tensor) -> Tensor { x.flattened().linear(weight: weight) }
}

/// Occlusion: exact on a linear model (window 1), Captum's window placement and averaging, bad arguments.
@Suite struct OcclusionTests {
    let c = 3, h = 10, w = 9

    func input(_ seed: UInt64) -> Tensor {
        var rng = SplitMix64(seed: seed)
        return Tensor(shape: [1, c, h, w], scalars: (0..<(c * h * w)).map { _ in 2 * rng.nextUnitFloat() - 1 })
    }

    /// Σ over the window's pixels and channels of W_t·(x − baseline): a linear model's logit drop.
    func drop(_ model: LinearScores, _ x: [Float], target: Int, rows: Range<Int>, columns: Range<Int>, baseline: Float) -> Double {
        let wt = model.weight.scalars, plane = h * w, base = target * c * plane
        var total = 0.0
        for ch in 0..<c { for r in rows { for col in columns {
            let i = ch * plane + r * w + col
            total += Double(wt[base + i]) * Double(x[i] - baseline)
        } } }
        return total
    }

    @Test func windowOfOnePixelIsWeightTimesInput() throws {
        let model = LinearScores(classes: 4, channels: c, height: h, width: w, seed: 1)
        let x = input(2)
        let map = try occlusion(model: model, input: x, target: 2, window: (1, 1), stride: (1, 1), baseline: 0.25, batchSize: 7)
        #expect(map.shape == [1, 1, h, w])
        let xs = x.scalars
        for r in 0..<h { for col in 0..<w {
            let expected = drop(model, xs, target: 2, rows: r..<(r + 1), columns: col..<(col + 1), baseline: 0.25)
            #expect(abs(Double(map.scalars[r * w + col]) - expected) < 1e-5)
        } }
    }

    /// Window 4, stride 3 on 10×9: starts 0, 3, 6 (rows) and 0, 3, 6 (columns; the last cut at the border);
    /// each pixel gets the mean drop of the windows covering it.
    @Test func overlappingWindowsAreAveragedAsCaptumDoes() throws {
        let model = LinearScores(classes: 3, channels: c, height: h, width: w, seed: 3)
        let x = input(4)
        let map = try occlusion(model: model, input: x, target: 1, window: (4, 4), stride: (3, 3), baseline: 0)
        let starts = [0, 3, 6]
        var sums = [Double](repeating: 0, count: h * w), counts = [Double](repeating: 0, count: h * w)
        for y0 in starts { for x0 in starts {
            let rows = y0..<min(y0 + 4, h), cols = x0..<min(x0 + 4, w)
            let d = drop(model, x.scalars, target: 1, rows: rows, columns: cols, baseline: 0)
            for r in rows { for col in cols { sums[r * w + col] += d; counts[r * w + col] += 1 } }
        } }
        for i in 0..<(h * w) {
            #expect(abs(Double(map.scalars[i]) - sums[i] / counts[i]) < 1e-4, "pixel \(i)")
        }
        // Row 9 lies only in the windows starting at row 6.
        #expect(counts[9 * w] == 1)
    }

    @Test func batchesAndProgressCoverEveryWindow() throws {
        let model = LinearScores(classes: 2, channels: c, height: h, width: w, seed: 5)
        let x = Tensor.concat([input(6), input(7)], axis: 0)
        var last = (0, 0)
        let small = try occlusion(model: model, input: x, target: 0, window: (3, 2), stride: (2, 2), batchSize: 2) { last = ($0, $1) }
        let large = try occlusion(model: model, input: x, target: 0, window: (3, 2), stride: (2, 2), batchSize: 64)
        #expect(small.shape == [2, 1, h, w])
        #expect(Fixtures.relativeL2(small, large) < 1e-6)
        // Rows: ⌈7/2⌉ + 1 = 5 starts; columns ⌈7/2⌉ + 1 = 5; two items.
        #expect(last == (50, 50))
    }

    @Test func badArgumentsNameTheOption() {
        let model = LinearScores(classes: 2, channels: c, height: h, width: w, seed: 1)
        let x = input(1)
        func option(_ body: () throws -> Tensor) -> PerturbationOption? {
            do { _ = try body(); return nil } catch let error as PerturbationError { return error.option } catch { return nil }
        }
        #expect(option { try occlusion(model: model, input: x, target: 0, window: (0, 2), stride: (1, 1)) } == .window)
        #expect(option { try occlusion(model: model, input: x, target: 0, window: (11, 2), stride: (1, 1)) } == .window)
        #expect(option { try occlusion(model: model, input: x, target: 0, window: (2, 2), stride: (0, 1)) } == .stride)
        #expect(option { try occlusion(model: model, input: x, target: 0, window: (2, 2), stride: (1, 1), baseline: .nan) } == .baseline)
        #expect(option { try occlusion(model: model, input: x, target: 0, window: (2, 2), stride: (1, 1), batchSize: 0) } == .batchSize)
        #expect(throws: AttributionError.targetOutOfRange(2, classes: 2)) {
            try occlusion(model: model, input: x, target: 2, window: (2, 2), stride: (1, 1))
        }
    }
}
