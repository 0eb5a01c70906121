import Engine

/// torchvision's Conv2dNormActivation: children "0" conv, "1" batch norm, "2" ReLU6.
public final class ConvNormActivation: Module, @unchecked Sendable {
    /// Conv (padding (k−1)/2, no bias), batch norm, ReLU6.
    public init(_ input: Int, _ output: Int, kernelSize: Int = 3, stride: Int = 1, groups: Int = 1) {
        super.init()
        register("0", Conv2d(input, output, kernelSize: kernelSize, stride: stride, padding: (kernelSize - 1) / 2,
                             groups: groups, bias: false))
        register("1", BatchNorm2d(output))
        register("2", ReLU6())
    }

    public override var typeName: String { "Conv2dNormActivation" }

    public override func forward(_ x: Tensor) -> Tensor {
        children.reduce(x) { $1.module($0) }
    }
}

/// MobileNetV2's inverted residual: `conv` = [expand 1×1 (unless ratio 1), depthwise 3×3, project 1×1, BN],
/// with a residual sum when stride is 1 and channels are unchanged.
public final class InvertedResidual: Module, @unchecked Sendable {
    /// Whether the input is added to the output.
    public let useResidual: Bool

    /// A block from `input` to `output` channels, expanded by `expandRatio` inside.
    public init(input: Int, output: Int, stride: Int, expandRatio: Int) {
        let hidden = input * expandRatio
        useResidual = stride == 1 && input == output
        super.init()
        var layers: [Module] = []
        if expandRatio != 1 { layers.append(ConvNormActivation(input, hidden, kernelSize: 1)) }
        layers.append(ConvNormActivation(hidden, hidden, stride: stride, groups: hidden))
        layers.append(Conv2d(hidden, output, kernelSize: 1, bias: false))
        layers.append(BatchNorm2d(output))
        register("conv", Sequential(layers))
    }

    public override func forward(_ x: Tensor) -> Tensor {
        let y = child("conv")!(x)
        return useResidual ? x + y : y
    }
}

/// torchvision's MobileNetV2 (width 1.0): `features.0…18`, functional global average pool, `classifier`
/// (Dropout, Linear).
public final class MobileNetV2: Module, @unchecked Sendable {
    /// MobileNetV2 for `numClasses` classes.
    public init(numClasses: Int = 1000) {
        super.init()
        // (expand ratio t, channels c, repeats n, first stride s), torchvision's table.
        let settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
        var layers: [Module] = [ConvNormActivation(3, 32, stride: 2)]
        var channels = 32
        for (t, c, n, s) in settings {
            for i in 0..<n {
                layers.append(InvertedResidual(input: channels, output: c, stride: i == 0 ? s : 1, expandRatio: t))
                channels = c
            }
        }
        layers.append(ConvNormActivation(channels, 1280, kernelSize: 1))
        register("features", Sequential(layers))
        register("classifier", Sequential([Dropout(p: 0.2), Linear(1280, numClasses)]))
    }

    public override func forward(_ x: Tensor) -> Tensor {
        let features = child("features")!(x).adaptiveAvgPool2d(outputSize: 1).flattened(startAxis: 1)
        return child("classifier")!(features)
    }
}
