import Engine
import Testing

struct ConvCase: CustomStringConvertible, Sendable {
    var input: [Int]
    var weight: [Int]
    var stride = (1, 1)
    var padding = Padding2D.zero
    var dilation = (1, 1)
    var groups = 1
    var bias = true
    var description: String { "x\(input) w\(weight) s\(stride) p\(padding) d\(dilation) g\(groups)" }
}

let convCases: [ConvCase] = [
    ConvCase(input: [2, 3, 7, 6], weight: [4, 3, 3, 3], padding: .symmetric(1, 1)),
    ConvCase(input: [1, 4, 8, 8], weight: [6, 4, 1, 1]),                                  // pointwise, direct sgemm
    ConvCase(input: [1, 4, 9, 9], weight: [5, 4, 1, 1], stride: (2, 2), bias: false),      // strided 1×1
    ConvCase(input: [1, 3, 9, 8], weight: [2, 3, 3, 2], stride: (2, 3), padding: Padding2D(top: 0, left: 1, bottom: 1, right: 2)),
    ConvCase(input: [1, 2, 9, 9], weight: [3, 2, 3, 3], padding: .symmetric(2, 2), dilation: (2, 2)),
    ConvCase(input: [2, 4, 6, 6], weight: [6, 2, 3, 3], padding: .symmetric(1, 1), groups: 2),  // grouped
    ConvCase(input: [2, 5, 7, 7], weight: [5, 1, 3, 3], padding: .symmetric(1, 1), groups: 5),  // depthwise
    ConvCase(input: [1, 3, 9, 10], weight: [3, 1, 5, 5], stride: (2, 2), padding: Padding2D(top: 1, left: 2, bottom: 2, right: 1), groups: 3),
    ConvCase(input: [1, 2, 8, 8], weight: [4, 1, 3, 3], stride: (2, 2), padding: .symmetric(1, 1), groups: 2),  // depthwise ×2
    ConvCase(input: [1, 1, 9, 9], weight: [1, 1, 5, 1], padding: Padding2D(top: 2, left: 0, bottom: 2, right: 0)),
    // Wide enough for the depthwise SIMD interior (8 outputs per step).
    ConvCase(input: [1, 3, 5, 40], weight: [3, 1, 3, 3], padding: .symmetric(1, 1), groups: 3),
    ConvCase(input: [1, 2, 7, 45], weight: [2, 1, 5, 5], stride: (2, 2), padding: .symmetric(2, 2), groups: 2),
    ConvCase(input: [1, 2, 6, 37], weight: [4, 1, 3, 3], padding: .symmetric(2, 2), dilation: (2, 2), groups: 2),
    ConvCase(input: [1, 2, 8, 34], weight: [2, 1, 3, 3], stride: (2, 2), padding: Padding2D(top: 0, left: 0, bottom: 1, right: 1), groups: 2, bias: false),
    ConvCase(input: [1, 2, 4, 50], weight: [2, 1, 1, 7], stride: (1, 3), padding: Padding2D(top: 0, left: 3, bottom: 0, right: 3), groups: 2),
    ConvCase(input: [1, 3, 7, 7], weight: [3, 1, 5, 5], padding: .symmetric(2, 2), groups: 3),
    ConvCase(input: [1, 2, 14, 14], weight: [2, 1, 3, 3], padding: .symmetric(1, 1), groups: 2),
    ConvCase(input: [1, 2, 13, 27], weight: [2, 1, 3, 3], stride: (2, 2), padding: .symmetric(1, 1), groups: 2),
    // Stride-2 depthwise input gradients go by output phase; wide enough for SIMD within a phase.
    ConvCase(input: [1, 2, 37, 41], weight: [2, 1, 3, 3], stride: (2, 2), padding: .symmetric(1, 1), groups: 2),
    ConvCase(input: [1, 2, 21, 43], weight: [4, 1, 5, 5], stride: (2, 2), padding: Padding2D(top: 1, left: 2, bottom: 2, right: 1), groups: 2),
]

@Suite struct ConvTests {
    @Test(arguments: convCases)
    func forwardMatchesDirectLoops(_ c: ConvCase) {
        var rng = TestRandom(11)
        let x = rng.tensor(c.input), w = rng.tensor(c.weight)
        let b = c.bias ? rng.tensor([c.weight[0]]) : nil
        let y = x.conv2d(weight: w, bias: b, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
        let ref = naiveConv2d(x, w, b, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
        #expect(y.shape == ref.shape)
        expectClose(y.scalars, ref.scalars, tolerance: 1e-5)
    }

    @Test(arguments: convCases)
    func inputGradientMatchesFiniteDifferences(_ c: ConvCase) {
        var rng = TestRandom(12)
        let x = rng.tensor(c.input), w = rng.tensor(c.weight)
        let b = c.bias ? rng.tensor([c.weight[0]]) : nil
        checkGradient(x) { $0.conv2d(weight: w, bias: b, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups) }
    }

    /// Large enough that im2col works in several row chunks and the GEMMs are split over threads (along
    /// the pixels, or along the channels for a 7×7 map); the backward is checked by the adjoint identity
    /// ⟨g, conv(x)⟩ = ⟨convᵀ(g), x⟩ for a bias-free conv.
    @Test(arguments: [((1, 1), [1, 64, 200, 40], [2, 64, 3, 3]), ((2, 2), [1, 64, 400, 40], [2, 64, 3, 3]),
                      ((1, 1), [2, 64, 7, 7], [128, 64, 3, 3]), ((1, 1), [1, 96, 20, 20], [160, 96, 1, 1])])
    func largeConvMatchesDirectLoopsAndAdjoint(_ stride: (Int, Int), _ shape: [Int], _ weightShape: [Int]) {
        var rng = TestRandom(21)
        let x = rng.tensor(shape), w = rng.tensor(weightShape)
        let pad = Padding2D.symmetric(weightShape[2] / 2, weightShape[3] / 2)
        let y = x.conv2d(weight: w, stride: stride, padding: pad)
        let ref = naiveConv2d(x, w, nil, stride: stride, padding: pad, dilation: (1, 1), groups: 1)
        expectClose(y.scalars, ref.scalars, tolerance: 1e-4)
        let leaf = x.requiringGrad()
        let g = rng.tensor(y.shape)
        let gx = gradients(of: leaf.conv2d(weight: w, stride: stride, padding: pad), seed: g, wrt: [leaf])[0]
        let lhs = zip(g.scalars, y.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let rhs = zip(gx.scalars, x.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(lhs - rhs) <= 1e-3 * max(1, abs(lhs)))
    }

    /// 3×3 stride-1 convs with ≥ 16 channels go through Winograd F(2×2, 3×3): odd sizes (partial tiles),
    /// asymmetric and large padding, several tile-row chunks; forward against direct loops, input
    /// gradient by the adjoint identity.
    @Test(arguments: [([2, 16, 17, 19], [16, 16, 3, 3], Padding2D.symmetric(1, 1)),
                      ([1, 24, 22, 22], [20, 24, 3, 3], Padding2D.zero),
                      ([1, 16, 21, 16], [17, 16, 3, 3], Padding2D(top: 0, left: 1, bottom: 2, right: 1)),
                      ([1, 16, 16, 16], [16, 16, 3, 3], Padding2D.symmetric(2, 2)),
                      ([1, 64, 120, 100], [16, 64, 3, 3], Padding2D.symmetric(1, 1))])
    func winogradMatchesDirectLoops(_ shape: [Int], _ weightShape: [Int], _ pad: Padding2D) {
        var rng = TestRandom(31)
        let x = rng.tensor(shape), w = rng.tensor(weightShape), b = rng.tensor([weightShape[0]])
        let y = x.conv2d(weight: w, bias: b, padding: pad)
        let ref = naiveConv2d(x, w, b, stride: (1, 1), padding: pad, dilation: (1, 1), groups: 1)
        #expect(y.shape == ref.shape)
        expectClose(y.scalars, ref.scalars, tolerance: 1e-4)
        let leaf = x.requiringGrad()
        let g = rng.tensor(y.shape)
        let gx = gradients(of: leaf.conv2d(weight: w, bias: b, padding: pad), seed: g, wrt: [leaf])[0]
        let yNoBias = x.conv2d(weight: w, padding: pad)
        let lhs = zip(g.scalars, yNoBias.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let rhs = zip(gx.scalars, x.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(lhs - rhs) <= 1e-4 * max(1, abs(lhs)))
    }

    /// The Winograd kernel transform is kept with the weight's storage; mutating the weight in place must
    /// not serve the old transform (forward and input gradient).
    @Test func winogradTransformFollowsInPlaceWeightChanges() {
        var rng = TestRandom(33)
        let x = rng.tensor([1, 16, 12, 12])
        var w = rng.tensor([16, 16, 3, 3])
        _ = x.conv2d(weight: w, padding: .symmetric(1, 1))  // computes and keeps the transform
        w.withUnsafeMutableBufferPointer { buffer in
            for i in buffer.indices { buffer[i] = -2 * buffer[i] + 0.01 }
        }
        let y = x.conv2d(weight: w, padding: .symmetric(1, 1))
        let ref = naiveConv2d(x, w, nil, stride: (1, 1), padding: .symmetric(1, 1), dilation: (1, 1), groups: 1)
        expectClose(y.scalars, ref.scalars, tolerance: 1e-4)
        let leaf = x.requiringGrad()
        let g = rng.tensor(y.shape)
        let gx = gradients(of: leaf.conv2d(weight: w, padding: .symmetric(1, 1)), seed: g, wrt: [leaf])[0]
        let lhs = zip(g.scalars, ref.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let rhs = zip(gx.scalars, x.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(lhs - rhs) <= 1e-4 * max(1, abs(lhs)))
    }

    @Test func winogradInputGradientMatchesFiniteDifferences() {
        var rng = TestRandom(32)
        let w = rng.tensor([16, 16, 3, 3])
        checkGradient(rng.tensor([1, 16, 12, 12]), tolerance: 2e-2) { $0.conv2d(weight: w, padding: .symmetric(1, 1)) }
    }

    /// Wide layers split the GEMM/GEMV over threads; compare with direct sums.
    @Test(arguments: [1, 8])
    func wideLinearMatchesDirectSums(_ rows: Int) {
        var rng = TestRandom(8)
        let x = rng.tensor([rows, 300]), w = rng.tensor([512, 300]), b = rng.tensor([512])
        let xs = x.scalars, ws = w.scalars, bs = b.scalars
        let y = x.linear(weight: w, bias: b)
        var ref = [Float]()
        for r in 0..<rows {
            for o in 0..<512 {
                var s = bs[o]
                for i in 0..<300 { s += xs[r * 300 + i] * ws[o * 300 + i] }
                ref.append(s)
            }
        }
        expectClose(y.scalars, ref, tolerance: 1e-4)
        let leaf = x.requiringGrad()
        let g = rng.tensor([rows, 512])
        let gx = gradients(of: leaf.linear(weight: w, bias: b), seed: g, wrt: [leaf])[0]
        let gs = g.scalars
        var gref = [Float]()
        for r in 0..<rows {
            for i in 0..<300 {
                var s: Float = 0
                for o in 0..<512 { s += gs[r * 512 + o] * ws[o * 300 + i] }
                gref.append(s)
            }
        }
        expectClose(gx.scalars, gref, tolerance: 1e-4)
    }

    @Test func linearMatchesHandComputed() {
        let x = Tensor(shape: [1, 3], scalars: [1, 2, 3])
        let w = Tensor(shape: [2, 3], scalars: [1, -1, 2, 0.5, 1, -3])
        let y = x.linear(weight: w, bias: Tensor([10, -10]))
        #expect(y.shape == [1, 2])
        expectClose(y.scalars, [1 - 2 + 6 + 10, 0.5 + 2 - 9 - 10])
        let leaf = x.requiringGrad()
        let g = gradients(of: leaf.linear(weight: w), seed: Tensor(shape: [1, 2], scalars: [1, 2]), wrt: [leaf])[0]
        expectClose(g.scalars, [2, 1, -4])
    }

    @Test func linearBatchUsesGEMM() {
        // More than a handful of rows goes through sgemm rather than sgemv.
        var rng = TestRandom(4)
        let x = rng.tensor([9, 5]), w = rng.tensor([3, 5]), b = rng.tensor([3])
        let y = x.linear(weight: w, bias: b)
        let rows = (0..<9).map { x[$0].reshaped([1, 5]).linear(weight: w, bias: b).scalars }
        expectClose(y.scalars, Array(rows.joined()))
        checkGradient(rng.tensor([6, 5])) { $0.linear(weight: w) }
    }

    @Test func linearGradient() {
        var rng = TestRandom(3)
        let w = rng.tensor([4, 5]), b = rng.tensor([4])
        checkGradient(rng.tensor([3, 5])) { $0.linear(weight: w, bias: b) }
    }
}
