import Attribution
import Engine
import Foundation
import Models
import Testing

/// The RISE paper's deletion/insertion metrics (§8.4): AUC on known curves, the blur kernel against SciPy,
/// the pixel order, and whole curves on a model whose scores are known in closed form.
@Suite struct CausalMetricTests {
    @Test("AUC by the trapezoid rule on [0, 1]")
    func auc() {
        #expect(areaUnderCurve([1, 1, 1]) == 1)
        #expect(areaUnderCurve([0, 1]) == 0.5)
        #expect(areaUnderCurve([1, 0, 0, 0, 0]) == 0.125)
        #expect(areaUnderCurve([0.2, 0.2, 0.2, 0.8]) == (0.2 + 0.2 + 0.1 + 0.4) / 3)
        let ramp = (0...10).map { Double($0) / 10 }
        #expect(abs(areaUnderCurve(ramp)! - 0.5) < 1e-12)
        #expect(areaUnderCurve([0.7]) == nil)
        #expect(areaUnderCurve([]) == nil)
    }

    @Test("the insertion blur kernel is SciPy's gaussian_filter of an 11×11 delta (σ = 5, reflect)")
    func blurKernel() {
        let k = RISEBlur.kernel
        #expect(k.count == 11)
        // scipy.ndimage.gaussian_filter(delta, 5): k2d[0,0], k2d[5,5], k2d[0,5] (scipy 1.17).
        #expect(abs(k[0] * k[0] - 0.0077366354) < 1e-8)
        #expect(abs(k[5] * k[5] - 0.0088326282) < 1e-8)
        #expect(abs(k[0] * k[5] - 0.0082664880) < 1e-8)
        #expect(abs(k.reduce(0, +) - 1) < 1e-6)
        #expect(k == k.reversed())
    }

    @Test("the blur keeps a constant away from the border and darkens the border (zero padding)")
    func blur() {
        let x = Tensor(repeating: 2, shape: [1, 3, 20, 20])
        let blurred = RISEBlur.apply(x).scalars
        #expect(abs(blurred[10 * 20 + 10] - 2) < 1e-5)
        #expect(blurred[0] < 1.2)
        // The corner sees 6 of 11 taps each way.
        let corner = RISEBlur.kernel[5...].reduce(0, +)
        #expect(abs(blurred[0] - 2 * corner * corner) < 1e-5)
    }

    @Test("pixels from the most to the least salient; later pixel first on ties; NaN first")
    func order() {
        let map = Tensor(shape: [1, 1, 2, 3], scalars: [0.5, 2, 0.5, -1, 3, 0.5])
        #expect(CausalMetric.pixelOrder(map) == [4, 1, 5, 2, 0, 3])
        let nan = Tensor(shape: [3], scalars: [1, .nan, 2])
        #expect(CausalMetric.pixelOrder(nan) == [1, 2, 0])
    }

    /// Class 0's score is 4 × the mean of channel 0 over the left half; class 1's is 0.
    final class LeftHalfScorer: Module, @unchecked Sendable {
        override func forward(_ x: Tensor) -> Tensor {
            let n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3]
            let values = x.scalars
            var out = [Float](repeating: 0, count: n * 2)
            for item in 0..<n {
                var sum: Float = 0
                for y in 0..<h { for x in 0..<(w / 2) { sum += values[((item * c) * h + y) * w + x] } }
                out[item * 2] = 4 * sum / Float(h * (w / 2))
            }
            return Tensor(shape: [n, 2], scalars: out)
        }
    }

    static func sigmoid(_ z: Double) -> Double { 1 / (1 + exp(-z)) }

    @Test("deletion on a known model: the left-half map drops the score step by step, exactly")
    func deletionCurve() throws {
        let input = Tensor(repeating: 1, shape: [1, 3, 4, 4])
        // Left half (columns 0–1) most salient, scored by column then row.
        let values: [Float] = (0..<16).map { (p: Int) -> Float in p % 4 < 2 ? Float(10 + p) : Float(p % 4) }
        let map = Tensor(shape: [4, 4], scalars: values)
        let metric = CausalMetric(kind: .deletion, step: 2, batchSize: 3)
        var progress: [Int] = []
        let curve = try metric.curve(model: LeftHalfScorer(), input: input, saliency: map, target: 0,
                                     progress: { done, total in progress.append(done); #expect(total == 9) })
        #expect(curve.count == 9)
        // Step i removes 2 of the 8 left pixels while i ≤ 4: score 4·(8 − 2i)/8; softmax of (s, 0) = sigmoid(s).
        for (i, value) in curve.enumerated() {
            let left = max(0, 8 - 2 * i)
            #expect(abs(value - Self.sigmoid(4 * Double(left) / 8)) < 1e-6, "step \(i): \(value)")
        }
        #expect(progress == [0, 3, 6, 9])
        // The reversed map deletes the right half first: a higher (worse) deletion AUC.
        let reversed = Tensor(shape: [4, 4], scalars: map.scalars.map { -$0 })
        let worse = try metric.curve(model: LeftHalfScorer(), input: input, saliency: reversed, target: 0)
        #expect(areaUnderCurve(worse)! > areaUnderCurve(curve)!)
    }

    @Test("insertion starts from the blurred image and ends at the original")
    func insertionCurve() throws {
        let input = Tensor(repeating: 1, shape: [1, 3, 6, 6])
        let ramp: [Float] = (0..<36).map { (p: Int) -> Float in Float(p) }
        let map = Tensor(shape: [1, 1, 6, 6], scalars: ramp)
        let curve = try CausalMetric(kind: .insertion, step: 5).curve(model: LeftHalfScorer(), input: input,
                                                                       saliency: map, target: 0)
        #expect(curve.count == 9)   // ⌈36 / 5⌉ + 1
        let blurred = RISEBlur.apply(input).scalars
        var leftMean = 0.0
        for y in 0..<6 { for x in 0..<3 { leftMean += Double(blurred[y * 6 + x]) } }
        #expect(abs(curve[0] - Self.sigmoid(4 * leftMean / 18)) < 1e-5)
        #expect(abs(curve[8] - Self.sigmoid(4)) < 1e-6)
    }

    @Test("bad input is an AttributionError naming the problem", arguments: [
        ("map size", [1, 3, 4, 4], [3, 4], 1, 0),
        ("batch", [2, 3, 4, 4], [4, 4], 1, 0),
        ("step", [1, 3, 4, 4], [4, 4], 0, 0),
        ("target", [1, 3, 4, 4], [4, 4], 1, 5),
    ] as [(String, [Int], [Int], Int, Int)])
    func badInput(name: String, inputShape: [Int], mapShape: [Int], step: Int, target: Int) {
        let input = Tensor(repeating: 1, shape: inputShape)
        let map = Tensor(repeating: 1, shape: mapShape)
        #expect(throws: AttributionError.self, "\(name)") {
            try CausalMetric(kind: .deletion, step: step).curve(model: LeftHalfScorer(), input: input, saliency: map,
                                                                target: target)
        }
    }
}
