// Neural-network ops on NCHW tensors. Each is differentiable with respect to x only: weights,
// biases and statistics are constants (saliency never needs their gradients).

extension Tensor {
    /// 2-D convolution; `weight` is [out, in/groups, kh, kw] (PyTorch layout), `bias` [out].
    public func conv2d(
        weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1), padding: Padding2D = .zero,
        dilation: (Int, Int) = (1, 1), groups: Int = 1, file: StaticString = #file, line: UInt = #line
    ) -> Tensor {
        let a = ConvAttributes(stride: stride, padding: padding, dilation: dilation, groups: groups)
        let g = ConvGeometry(input: shape, weight: weight.shape, a, file: file, line: line)
        if let bias, bias.count != g.o {
            fail("conv2d: bias has \(bias.count) elements, expected \(g.o) (shape \(bias.shape))", file: file, line: line)
        }
        let out = conv2dForward(self, weight, bias, g)
        return Tensor.recording(.conv2d(a), bias.map { [self, weight, $0] } ?? [self, weight], out)
    }

    /// Fully connected layer over the last axis: y = x·Wᵀ + b with `weight` [out, in].
    public func linear(weight: Tensor, bias: Tensor? = nil, file: StaticString = #file, line: UInt = #line) -> Tensor {
        guard weight.rank == 2, rank >= 1, shape[rank - 1] == weight.shape[1] else {
            fail("linear: input \(shape) does not match weight \(weight.shape) ([out, in])", file: file, line: line)
        }
        if let bias, bias.count != weight.shape[0] {
            fail("linear: bias has \(bias.count) elements, expected \(weight.shape[0])", file: file, line: line)
        }
        let out = linearForward(self, weight, bias)
        return Tensor.recording(.linear, bias.map { [self, weight, $0] } ?? [self, weight], out)
    }

    /// Max pooling (PyTorch `max_pool2d`); stride defaults to the kernel. Padding counts as -∞.
    public func maxPool2d(
        kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1),
        ceilMode: Bool = false, file: StaticString = #file, line: UInt = #line
    ) -> Tensor {
        let a = PoolAttributes(kernel: kernel, stride: stride ?? kernel, padding: padding, dilation: dilation,
                               ceilMode: ceilMode, countIncludePad: false)
        let g = PoolGeometry(input: shape, a, op: "maxPool2d", file: file, line: line)
        return Tensor.recording(.maxPool2d(a), [self], maxPoolForward(self, g))
    }

    /// Max pooling with square kernel, stride, padding and dilation.
    public func maxPool2d(
        kernel: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1, ceilMode: Bool = false,
        file: StaticString = #file, line: UInt = #line
    ) -> Tensor {
        maxPool2d(kernel: (kernel, kernel), stride: stride.map { ($0, $0) }, padding: (padding, padding),
                  dilation: (dilation, dilation), ceilMode: ceilMode, file: file, line: line)
    }

    /// Average pooling (PyTorch `avg_pool2d`); stride defaults to the kernel.
    public func avgPool2d(
        kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0), ceilMode: Bool = false,
        countIncludePad: Bool = true, file: StaticString = #file, line: UInt = #line
    ) -> Tensor {
        let a = PoolAttributes(kernel: kernel, stride: stride ?? kernel, padding: padding, dilation: (1, 1),
                               ceilMode: ceilMode, countIncludePad: countIncludePad)
        let g = PoolGeometry(input: shape, a, op: "avgPool2d", file: file, line: line)
        return Tensor.recording(.avgPool2d(a), [self], avgPoolForward(self, g))
    }

    /// Average pooling with square kernel, stride and padding.
    public func avgPool2d(
        kernel: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false, countIncludePad: Bool = true,
        file: StaticString = #file, line: UInt = #line
    ) -> Tensor {
        avgPool2d(kernel: (kernel, kernel), stride: stride.map { ($0, $0) }, padding: (padding, padding),
                  ceilMode: ceilMode, countIncludePad: countIncludePad, file: file, line: line)
    }

    /// Adaptive average pooling to `outputSize` (height, width), PyTorch's bins.
    public func adaptiveAvgPool2d(outputSize: (Int, Int), file: StaticString = #file, line: UInt = #line) -> Tensor {
        guard rank == 4 else { fail("adaptiveAvgPool2d: input must be NCHW, got shape \(shape)", file: file, line: line) }
        guard outputSize.0 >= 1, outputSize.1 >= 1, shape[2] >= 1, shape[3] >= 1 else {
            fail("adaptiveAvgPool2d: output size \(outputSize) and input \(shape) must be non-empty", file: file, line: line)
        }
        let out = adaptiveAvgPoolForward(self, oh: outputSize.0, ow: outputSize.1)
        return Tensor.recording(.adaptiveAvgPool2d(height: outputSize.0, width: outputSize.1), [self], out)
    }

    /// Adaptive average pooling to a square output.
    public func adaptiveAvgPool2d(outputSize: Int, file: StaticString = #file, line: UInt = #line) -> Tensor {
        adaptiveAvgPool2d(outputSize: (outputSize, outputSize), file: file, line: line)
    }

    /// Inference batch norm over axis 1: (x − mean)/√(var + eps)·weight + bias, folded to a per-channel scale and shift.
    public func batchNorm(
        mean: Tensor, variance: Tensor, weight: Tensor? = nil, bias: Tensor? = nil, eps: Float = 1e-5,
        file: StaticString = #file, line: UInt = #line
    ) -> Tensor {
        guard rank >= 2 else { fail("batchNorm: input needs a channel axis, got shape \(shape)", file: file, line: line) }
        let c = shape[1]
        for (name, t) in [("mean", mean), ("variance", variance), ("weight", weight), ("bias", bias)] {
            if let t, t.count != c {
                fail("batchNorm: \(name) has \(t.count) elements, expected \(c) channels", file: file, line: line)
            }
        }
        let (scale, shift) = batchNormScaleShift(mean: mean, variance: variance, weight: weight, bias: bias, eps: eps)
        let out = channelAffine(self, scale: scale, shift: shift)
        var inputs = [self, mean, variance]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        return Tensor.recording(.batchNorm(eps: eps, hasWeight: weight != nil, hasBias: bias != nil), inputs, out)
    }

    /// Resizes the last two axes to `height`×`width` (PyTorch `interpolate`, align_corners=false, no antialiasing).
    public func resized(
        height: Int, width: Int, mode: ResizeMode = .bilinear, file: StaticString = #file, line: UInt = #line
    ) -> Tensor {
        guard rank >= 2, height >= 1, width >= 1, shape[rank - 2] >= 1, shape[rank - 1] >= 1 else {
            fail("resized: cannot resize shape \(shape) to \(height)×\(width)", file: file, line: line)
        }
        return Tensor.recording(.resize(mode), [self], resizeForward(self, height: height, width: width, mode))
    }

    /// TorchRay `imsmooth`: separable Gaussian blur of each channel (σ in pixels; σ = 0 is the identity),
    /// output the same size as the input.
    public func gaussianSmoothed(
        sigma: Float, padding: SmoothPadding = .constant, file: StaticString = #file, line: UInt = #line
    ) -> Tensor {
        guard sigma >= 0, sigma.isFinite else { fail("gaussianSmoothed: sigma must be ≥ 0, got \(sigma)", file: file, line: line) }
        guard rank == 4 else { fail("gaussianSmoothed: input must be NCHW, got shape \(shape)", file: file, line: line) }
        let taps = gaussianTaps(sigma: sigma)
        let width = taps.count / 2
        if width == 0 { return self }
        let c = shape[1]
        let vertical = Tensor(shape: [c, 1, taps.count, 1], scalars: Array((0..<c).map { _ in taps }.joined()))
        let horizontal = Tensor(shape: [c, 1, 1, taps.count], scalars: vertical.scalars)
        switch padding {
        case .constant:
            return conv2d(weight: vertical, padding: Padding2D(top: width, left: 0, bottom: width, right: 0),
                          groups: c, file: file, line: line)
                .conv2d(weight: horizontal, padding: Padding2D(top: 0, left: width, bottom: 0, right: width),
                        groups: c, file: file, line: line)
        case .replicate:
            return padded(.replicate, top: width, left: width, bottom: width, right: width, file: file, line: line)
                .conv2d(weight: vertical, groups: c, file: file, line: line)
                .conv2d(weight: horizontal, groups: c, file: file, line: line)
        }
    }
}

/// Per-channel scale and shift equivalent to inference batch norm.
func batchNormScaleShift(mean: Tensor, variance: Tensor, weight: Tensor?, bias: Tensor?, eps: Float) -> ([Float], [Float]) {
    let c = mean.count
    var scale = [Float](repeating: 1, count: c), shift = [Float](repeating: 0, count: c)
    for i in 0..<c {
        let s = (weight?.pointer[i] ?? 1) / (variance.pointer[i] + eps).squareRoot()
        scale[i] = s
        shift[i] = (bias?.pointer[i] ?? 0) - mean.pointer[i] * s
    }
    return (scale, shift)
}

/// y[n, c, …] = x[n, c, …]·scale[c] + shift[c].
func channelAffine(_ x: Tensor, scale: [Float], shift: [Float]?) -> Tensor {
    let n = x.shape[0], c = x.shape[1]
    let plane = x.count / Swift.max(n * c, 1)
    let out = Tensor.uninitialized(x.shape)
    let xp = x.pointer, op = out.pointer
    scale.withUnsafeBufferPointer { sp in
        parallelFor(n * c, minimumPerThread: max(1, (1 << 16) / max(plane, 1))) { job in
            let ch = job % c
            let s = sp[ch], t = shift?[ch] ?? 0
            let base = job &* plane
            let src = xp + base, dst = op + base
            for j in 0..<plane { dst[j] = src[j] * s + t }
        }
    }
    return out
}
