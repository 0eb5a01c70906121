import Engine

/// TensorFlow "SAME" padding of one convolution, computed from the actual input size:
/// total = max((⌈i/s⌉ − 1)·s + (k − 1)·d + 1 − i, 0), half (floor) before, the rest after.
func tfSamePadding(height: Int, width: Int, kernel: (Int, Int), stride: (Int, Int), dilation: (Int, Int)) -> Padding2D {
    func total(_ i: Int, _ k: Int, _ s: Int, _ d: Int) -> Int {
        max(((i + s - 1) / s - 1) * s + (k - 1) * d + 1 - i, 0)
    }
    let h = total(height, kernel.0, stride.0, dilation.0)
    let w = total(width, kernel.1, stride.1, dilation.1)
    return Padding2D(top: h / 2, left: w / 2, bottom: h - h / 2, right: w - w / 2)
}

/// The `static_padding` child of a TF-SAME convolution: zero-pads its input as the parent convolution needs.
/// efficientnet-lite-pytorch fixes it for 224×224 (`ZeroPad2d`, or `Identity` when no padding is needed);
/// here it follows the actual input size, which gives the same result at 224.
public final class SamePadding: Module, @unchecked Sendable {
    let kernel: (Int, Int), stride: (Int, Int), dilation: (Int, Int)
    let nominal: Padding2D

    init(kernel: (Int, Int), stride: (Int, Int), dilation: (Int, Int), nominalSize: Int) {
        self.kernel = kernel
        self.stride = stride
        self.dilation = dilation
        nominal = tfSamePadding(height: nominalSize, width: nominalSize, kernel: kernel, stride: stride, dilation: dilation)
        super.init()
    }

    /// The padding for an input of `height`×`width`.
    func padding(height: Int, width: Int) -> Padding2D {
        tfSamePadding(height: height, width: width, kernel: kernel, stride: stride, dilation: dilation)
    }

    public override var typeName: String { nominal == .zero ? "Identity" : "ZeroPad2d" }

    public override var kind: String {
        nominal == .zero ? "Identity()" : "ZeroPad2d((\(nominal.left), \(nominal.right), \(nominal.top), \(nominal.bottom)))"
    }

    public override func forward(_ x: Tensor) -> Tensor {
        let p = padding(height: x.shape[2], width: x.shape[3])
        if p == .zero { return x }
        return x.padded(.constant(0), top: p.top, left: p.left, bottom: p.bottom, right: p.right)
    }
}

/// A convolution with TensorFlow "SAME" padding (efficientnet-lite-pytorch's `Conv2dStaticSamePadding`),
/// with its `static_padding` child.
public final class SameConv2d: Module, @unchecked Sendable {
    /// Hyper-parameters, as for `Conv2d` (square kernel and stride).
    public let inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int, groups: Int, hasBias: Bool
    private let staticPadding: SamePadding

    /// A SAME-padded convolution; `nominalSize` (the input side the package fixes its padding for) only names
    /// the padding child's class.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, groups: Int = 1,
                bias: Bool = false, nominalSize: Int = 224) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.groups = groups
        self.hasBias = bias
        staticPadding = SamePadding(kernel: (kernelSize, kernelSize), stride: (stride, stride), dilation: (1, 1),
                                    nominalSize: nominalSize)
        super.init()
        registerParameter("weight", shape: [outChannels, inChannels / groups, kernelSize, kernelSize], role: .convWeight)
        if bias { registerParameter("bias", shape: [outChannels], role: .bias) }
        register("static_padding", staticPadding)
    }

    public override var typeName: String { "Conv2dStaticSamePadding" }

    public override var kind: String {
        "Conv2dStaticSamePadding(\(inChannels), \(outChannels), kernel_size=(\(kernelSize), \(kernelSize)), stride=(\(stride), \(stride))"
            + (groups != 1 ? ", groups=\(groups)" : "") + (hasBias ? "" : ", bias=False") + ")"
    }

    public override func forward(_ x: Tensor) -> Tensor {
        let weight = tensor("weight")
        let bias = hasBias ? tensor("bias") : nil
        let s = (stride, stride)
        // Padding inside the convolution avoids a padded copy; the explicit child runs only when it is probed,
        // so a probe on `…static_padding` sees exactly what PyTorch's ZeroPad2d returns.
        if ProbeScope.isProbed(staticPadding) {
            return staticPadding(x).conv2d(weight: weight, bias: bias, stride: s, padding: .zero, groups: groups)
        }
        let p = staticPadding.padding(height: x.shape[2], width: x.shape[3])
        return x.conv2d(weight: weight, bias: bias, stride: s, padding: p, groups: groups)
    }
}

/// EfficientNet-Lite's MBConv block (no squeeze-excitation, ReLU6): optional 1×1 expansion, depthwise k×k,
/// 1×1 projection; residual sum when stride 1 and channels unchanged. One `_swish` (a ReLU6) per block, called
/// twice (once without expansion).
public final class MBConvBlock: Module, @unchecked Sendable {
    /// Channels in and out, depthwise stride, expansion ratio.
    public let input: Int, output: Int, stride: Int, expandRatio: Int
    private let expandConv: SameConv2d?, bn0: BatchNorm2d?
    private let depthwiseConv: SameConv2d, bn1: BatchNorm2d, projectConv: SameConv2d, bn2: BatchNorm2d
    private let activation: ReLU6

    /// One MBConv block; `nominalSize` is the input side at the design resolution.
    public init(input: Int, output: Int, kernelSize: Int, stride: Int, expandRatio: Int, nominalSize: Int, eps: Float = 1e-3) {
        self.input = input
        self.output = output
        self.stride = stride
        self.expandRatio = expandRatio
        let hidden = input * expandRatio
        if expandRatio != 1 {
            expandConv = SameConv2d(input, hidden, kernelSize: 1, nominalSize: nominalSize)
            bn0 = BatchNorm2d(hidden, eps: eps)
        } else {
            expandConv = nil
            bn0 = nil
        }
        depthwiseConv = SameConv2d(hidden, hidden, kernelSize: kernelSize, stride: stride, groups: hidden, nominalSize: nominalSize)
        bn1 = BatchNorm2d(hidden, eps: eps)
        let after = (nominalSize + stride - 1) / stride
        projectConv = SameConv2d(hidden, output, kernelSize: 1, nominalSize: after)
        bn2 = BatchNorm2d(output, eps: eps)
        activation = ReLU6()
        super.init()
        if let expandConv, let bn0 {
            register("_expand_conv", expandConv)
            register("_bn0", bn0)
        }
        register("_depthwise_conv", depthwiseConv)
        register("_bn1", bn1)
        register("_project_conv", projectConv)
        register("_bn2", bn2)
        register("_swish", activation)
    }

    public override func forward(_ x: Tensor) -> Tensor {
        var y = x
        if let expandConv, let bn0 { y = activation(bn0(expandConv(y))) }
        y = activation(bn1(depthwiseConv(y)))
        y = bn2(projectConv(y))
        return stride == 1 && input == output ? y + x : y
    }
}

/// EfficientNet-Lite0 with the module names of efficientnet-lite-pytorch 0.1.0 (and the keys of the
/// `efficientnet-lite0-57934424.pth` checkpoint): `_conv_stem`, `_bn0`, `_blocks.0…15`, `_conv_head`, `_bn1`,
/// `_avg_pooling`, `_dropout`, `_fc`, and one `_swish` (ReLU6) shared by stem and head, registered last.
public final class EfficientNetLite: Module, @unchecked Sendable {
    /// (repeats, kernel, stride, expand ratio, input, output) per stage, from efficientnet_lite_builder.
    static let lite0Stages = [(1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24), (2, 5, 2, 6, 24, 40), (3, 3, 2, 6, 40, 80),
                              (3, 5, 1, 6, 80, 112), (4, 5, 2, 6, 112, 192), (1, 3, 1, 6, 192, 320)]
    private let activation = ReLU6()

    /// EfficientNet-Lite0 (BN eps 1e-3, as the checkpoint was trained).
    public init(numClasses: Int = 1000, imageSize: Int = 224, eps: Float = 1e-3) {
        super.init()
        register("_conv_stem", SameConv2d(3, 32, kernelSize: 3, stride: 2, nominalSize: imageSize))
        register("_bn0", BatchNorm2d(32, eps: eps))
        var size = (imageSize + 1) / 2
        var blocks: [Module] = []
        for (repeats, kernel, stride, expand, input, output) in Self.lite0Stages {
            for i in 0..<repeats {
                let s = i == 0 ? stride : 1
                blocks.append(MBConvBlock(input: i == 0 ? input : output, output: output, kernelSize: kernel, stride: s,
                                          expandRatio: expand, nominalSize: size, eps: eps))
                size = (size + s - 1) / s
            }
        }
        register("_blocks", ModuleList(blocks))
        register("_conv_head", SameConv2d(320, 1280, kernelSize: 1, nominalSize: size))
        register("_bn1", BatchNorm2d(1280, eps: eps))
        register("_avg_pooling", AdaptiveAvgPool2d(1))
        register("_dropout", Dropout(p: 0.2))
        register("_fc", Linear(1280, numClasses))
        register("_swish", activation)
    }

    public override var typeName: String { "EfficientNet" }

    public override func forward(_ x: Tensor) -> Tensor {
        var y = activation(child("_bn0")!(child("_conv_stem")!(x)))
        for block in (child("_blocks") as! ModuleList).modules { y = block(y) }
        y = activation(child("_bn1")!(child("_conv_head")!(y)))
        y = child("_avg_pooling")!(y).flattened(startAxis: 1)
        return child("_fc")!(child("_dropout")!(y))
    }
}
