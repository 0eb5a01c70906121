import Engine
import Testing

/// Hand-computed cases with PyTorch semantics.
@Suite struct OpsTests {
    @Test func reluGradientIsZeroAtAndBelowZero() {
        let x = Tensor([-1, 0, 2]).requiringGrad()
        #expect(gradients(of: x.relu(), seed: Tensor([1, 1, 1]), wrt: [x])[0].scalars == [0, 0, 1])
    }

    @Test func relu6GradientIsOneStrictlyInside() {
        let x = Tensor([-1, 0, 3, 6, 7]).requiringGrad()
        #expect(x.relu6().scalars == [0, 0, 3, 6, 6])
        #expect(gradients(of: x.relu6(), seed: Tensor(repeating: 1, shape: [5]), wrt: [x])[0].scalars == [0, 0, 1, 0, 0])
    }

    @Test func maxPoolRoutesToFirstMaximum() {
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [1, 3, 3, 2]).requiringGrad()
        let y = x.maxPool2d(kernel: 2)
        #expect(y.scalars == [3])
        #expect(gradients(of: y, seed: Tensor(shape: [1, 1, 1, 1], scalars: [5]), wrt: [x])[0].scalars == [0, 5, 0, 0])
    }

    @Test func maxPoolPropagatesNaN() {
        let x = Tensor(shape: [1, 1, 2, 4], scalars: [1, .nan, 5, 2, 7, 3, 1, 1])
        let y = x.maxPool2d(kernel: 2).scalars
        #expect(y[0].isNaN)
        #expect(y[1] == 5)
    }

    @Test func ceilModeDropsWindowsStartingInPadding() {
        // H=5, k=2, s=2, p=1: ceil((5+2-2)/2)+1 = 4, but the last window would start at 6 ≥ 5+1, so 3.
        let x = Tensor(repeating: 1, shape: [1, 1, 5, 5])
        #expect(x.maxPool2d(kernel: 2, stride: 2, padding: 1, ceilMode: true).shape == [1, 1, 3, 3])
        #expect(x.maxPool2d(kernel: 2, stride: 2, padding: 1).shape == [1, 1, 3, 3])
        #expect(x.maxPool2d(kernel: 2, stride: 2, ceilMode: true).shape == [1, 1, 3, 3])
        #expect(x.maxPool2d(kernel: 2, stride: 2).shape == [1, 1, 2, 2])
        // VGG/torchvision: 112 → 56 with k=3 s=2 p=1; GoogLeNet-style 3/2 ceil on 112 gives 56.
        #expect(Tensor.zeros([1, 1, 112, 112]).maxPool2d(kernel: 3, stride: 2, ceilMode: true).shape == [1, 1, 56, 56])
    }

    @Test func avgPoolCeilModeDividesByClippedWindow() {
        let x = Tensor(shape: [1, 1, 1, 5], scalars: [0, 1, 2, 3, 4])
        let y = x.avgPool2d(kernel: (1, 2), stride: (1, 2), ceilMode: true)
        #expect(y.scalars == [0.5, 2.5, 4])
    }

    @Test func avgPoolCountIncludePad() {
        let x = Tensor(repeating: 1, shape: [1, 1, 2, 2])
        let included = x.avgPool2d(kernel: 2, stride: 1, padding: 1)
        #expect(included.shape == [1, 1, 3, 3])
        expectClose(included.scalars, [0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25])
        let excluded = x.avgPool2d(kernel: 2, stride: 1, padding: 1, countIncludePad: false)
        expectClose(excluded.scalars, [Float](repeating: 1, count: 9))
    }

    @Test func adaptiveAvgPoolBins() {
        let x = Tensor(shape: [1, 1, 1, 5], scalars: [1, 2, 3, 4, 5])
        // bins over 5 → 3: [0,2), [1,4), [3,5)
        expectClose(x.adaptiveAvgPool2d(outputSize: (1, 3)).scalars, [1.5, 3, 4.5])
    }

    @Test func bilinearAlignCornersFalse() {
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
        let y = x.resized(height: 4, width: 4)
        expectClose(y.scalars, [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4])
        // Downsampling 4 → 2 samples at 0.5 and 2.5: the mean of neighbours, no antialiasing.
        let z = Tensor(shape: [1, 1, 1, 4], scalars: [0, 1, 2, 3]).resized(height: 1, width: 2)
        expectClose(z.scalars, [0.5, 2.5])
    }

    @Test func nearestAndBicubic() {
        let x = Tensor(shape: [1, 1, 1, 3], scalars: [1, 2, 3])
        #expect(x.resized(height: 1, width: 6, mode: .nearest).scalars == [1, 1, 2, 2, 3, 3])
        #expect(x.resized(height: 1, width: 2, mode: .nearest).scalars == [1, 2])
        // Bicubic (A = -0.75) is the identity at the same size and keeps constants.
        let ramp = Tensor(shape: [1, 1, 1, 8], scalars: (0..<8).map(Float.init))
        expectClose(ramp.resized(height: 1, width: 8, mode: .bicubic).scalars, ramp.scalars)
        let flat = Tensor(repeating: 2, shape: [1, 1, 3, 4]).resized(height: 7, width: 5, mode: .bicubic)
        expectClose(flat.scalars, [Float](repeating: 2, count: 35))
        // Output 4 of 8 → 16 samples at 1.75: taps on 0…3 weigh −0.03515625, 0.26171875, 0.87890625, −0.10546875.
        let up = ramp.resized(height: 1, width: 16, mode: .bicubic).scalars
        #expect(abs(up[4] - 1.703125) < 1e-6)
    }

    @Test func imsmoothTapsMatchTorchRay() {
        var delta = [Float](repeating: 0, count: 41 * 41)
        delta[20 * 41 + 20] = 1
        let x = Tensor(shape: [1, 1, 41, 41], scalars: delta)
        let y1 = x.gaussianSmoothed(sigma: 1).scalars
        expectClose((0...3).map { y1[20 * 41 + 20 + $0] }, [0.1591559, 0.0965329, 0.0215394, 0.0017681], tolerance: 2e-7)
        let y2 = x.gaussianSmoothed(sigma: 2).scalars
        expectClose((0...3).map { y2[20 * 41 + 20 + $0] }, [0.0397901, 0.0351147, 0.0241339, 0.0129180], tolerance: 2e-7)
        #expect(abs(y2.reduce(0, +) - 1) < 1e-5)
        #expect(x.gaussianSmoothed(sigma: 0).scalars == delta)
    }

    @Test func imsmoothCornerDelta() {
        var delta = [Float](repeating: 0, count: 64)
        delta[0] = 1
        let x = Tensor(shape: [1, 1, 8, 8], scalars: delta)
        #expect(abs(x.gaussianSmoothed(sigma: 1, padding: .replicate).scalars[0] - 0.48926067) < 1e-6)
        #expect(abs(x.gaussianSmoothed(sigma: 1, padding: .constant).scalars[0] - 0.15915586) < 1e-6)
    }

    @Test func padModes() {
        let x = Tensor(shape: [1, 1, 1, 3], scalars: [1, 2, 3])
        #expect(x.padded(.reflect, top: 0, left: 2, bottom: 0, right: 2).scalars == [3, 2, 1, 2, 3, 2, 1])
        #expect(x.padded(.replicate, top: 0, left: 2, bottom: 0, right: 1).scalars == [1, 1, 1, 2, 3, 3])
        #expect(x.padded(.constant(-1), top: 1, left: 1, bottom: 0, right: 0).scalars == [-1, -1, -1, -1, -1, 1, 2, 3])
    }

    @Test func batchNormInference() {
        let x = Tensor(shape: [1, 2, 1, 2], scalars: [1, 2, 3, 4])
        let y = x.batchNorm(mean: Tensor([1, 2]), variance: Tensor([4, 1]), weight: Tensor([2, 1]), bias: Tensor([0, 1]), eps: 0)
        expectClose(y.scalars, [0, 1, 2, 3])
    }

    @Test func reductionsAndShapes() {
        let x = Tensor(shape: [2, 3], scalars: [1, 5, 3, 4, 2, 6])
        #expect(x.sum(axes: [0]).scalars == [5, 7, 9])
        #expect(x.sum(axes: [1], keepDims: true).shape == [2, 1])
        #expect(x.sum().scalar == 21)
        #expect(x.mean(axes: [1]).scalars == [3, 4])
        #expect(x.max(axis: 1).scalars == [5, 6])
        #expect(x.argmax() == 5)
        #expect(x.argmax(axis: 1) == [1, 2])
        #expect(x[1].scalars == [4, 2, 6])
        #expect(x.flattened(startAxis: 0).shape == [6])
        #expect(x.reshaped([3, -1]).shape == [3, 2])
        #expect(Tensor.concat([x, x], axis: 1).scalars == [1, 5, 3, 1, 5, 3, 4, 2, 6, 4, 2, 6])
        #expect(Tensor(shape: [1, 2], scalars: [3, 4]).norm(axis: 1).scalars == [5])
        expectClose(Tensor([0, 0]).softmax(axis: 0).scalars, [0.5, 0.5])
        expectClose(Tensor([0]).sigmoid().scalars, [0.5])
        #expect(x.clamped(min: 2, max: 4).scalars == [2, 4, 3, 4, 2, 4])
        #expect((-x).abs().scalars == x.scalars)
        #expect(x.map { $0 * 2 }.scalars == [2, 10, 6, 8, 4, 12])
        #expect(Tensor.zip(x, x) { $0 - $1 }.scalars == [0, 0, 0, 0, 0, 0])
        #expect((x * Tensor([1, 0, 2])).scalars == [1, 0, 6, 4, 0, 12])
        #expect(x.dropout().scalars == x.scalars)
    }
}
