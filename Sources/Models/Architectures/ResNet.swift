import Engine

/// torchvision's ResNet basic block (resnet18/34): one `relu` module used twice.
public final class BasicBlock: Module, @unchecked Sendable {
    /// Output channels per `planes`.
    public static let expansion = 1
    private let conv1: Conv2d, bn1: BatchNorm2d, relu: ReLU, conv2: Conv2d, bn2: BatchNorm2d
    private let downsample: Sequential?

    /// A block from `inPlanes` to `planes` channels; `downsample` adapts the shortcut when shapes change.
    public init(inPlanes: Int, planes: Int, stride: Int, downsample: Sequential?) {
        conv1 = Conv2d(inPlanes, planes, kernelSize: 3, stride: stride, padding: 1, bias: false)
        bn1 = BatchNorm2d(planes)
        relu = ReLU()
        conv2 = Conv2d(planes, planes, kernelSize: 3, padding: 1, bias: false)
        bn2 = BatchNorm2d(planes)
        self.downsample = downsample
        super.init()
        register("conv1", conv1)
        register("bn1", bn1)
        register("relu", relu)
        register("conv2", conv2)
        register("bn2", bn2)
        if let downsample { register("downsample", downsample) }
    }

    public override func forward(_ x: Tensor) -> Tensor {
        let out = bn2(conv2(relu(bn1(conv1(x)))))
        let identity = downsample.map { $0(x) } ?? x
        return relu(out + identity)
    }
}

/// torchvision's ResNet bottleneck (v1.5: stride on the 3×3 conv). One `relu` module is called three times,
/// so a probe on it sees the last call, as in TorchRay.
public final class Bottleneck: Module, @unchecked Sendable {
    /// Output channels per `planes`.
    public static let expansion = 4
    private let conv1: Conv2d, bn1: BatchNorm2d, conv2: Conv2d, bn2: BatchNorm2d, conv3: Conv2d, bn3: BatchNorm2d
    private let relu: ReLU
    private let downsample: Sequential?

    /// A bottleneck from `inPlanes` to `4·planes` channels; `baseWidth` 128 widens the 3×3 (wide ResNets).
    public init(inPlanes: Int, planes: Int, stride: Int, downsample: Sequential?, baseWidth: Int = 64) {
        let width = planes * baseWidth / 64
        conv1 = Conv2d(inPlanes, width, kernelSize: 1, bias: false)
        bn1 = BatchNorm2d(width)
        conv2 = Conv2d(width, width, kernelSize: 3, stride: stride, padding: 1, bias: false)
        bn2 = BatchNorm2d(width)
        conv3 = Conv2d(width, planes * Self.expansion, kernelSize: 1, bias: false)
        bn3 = BatchNorm2d(planes * Self.expansion)
        relu = ReLU()
        self.downsample = downsample
        super.init()
        register("conv1", conv1)
        register("bn1", bn1)
        register("conv2", conv2)
        register("bn2", bn2)
        register("conv3", conv3)
        register("bn3", bn3)
        register("relu", relu)
        if let downsample { register("downsample", downsample) }
    }

    public override func forward(_ x: Tensor) -> Tensor {
        var out = relu(bn1(conv1(x)))
        out = relu(bn2(conv2(out)))
        out = bn3(conv3(out))
        let identity = downsample.map { $0(x) } ?? x
        return relu(out + identity)
    }
}

/// torchvision's ResNet: conv1, bn1, relu, maxpool, layer1…layer4, avgpool, fc.
public final class ResNet: Module, @unchecked Sendable {
    /// The residual block type.
    public enum Block: Sendable { case basic, bottleneck }

    /// `layers`: blocks per stage ([2,2,2,2] resnet18, [3,4,6,3] resnet50, [3,4,23,3] resnet101);
    /// `baseWidth` 128 gives the wide variants.
    public init(block: Block, layers: [Int], baseWidth: Int = 64, numClasses: Int = 1000) {
        super.init()
        register("conv1", Conv2d(3, 64, kernelSize: 7, stride: 2, padding: 3, bias: false))
        register("bn1", BatchNorm2d(64))
        register("relu", ReLU())
        register("maxpool", MaxPool2d(kernelSize: 3, stride: 2, padding: 1))
        let expansion = block == .basic ? BasicBlock.expansion : Bottleneck.expansion
        var inPlanes = 64
        for (stage, count) in layers.enumerated() {
            let planes = 64 << stage
            let stride = stage == 0 ? 1 : 2
            var blocks: [Module] = []
            for i in 0..<count {
                let s = i == 0 ? stride : 1
                var downsample: Sequential?
                if i == 0 && (s != 1 || inPlanes != planes * expansion) {
                    downsample = Sequential([
                        Conv2d(inPlanes, planes * expansion, kernelSize: 1, stride: s, bias: false),
                        BatchNorm2d(planes * expansion),
                    ])
                }
                switch block {
                case .basic: blocks.append(BasicBlock(inPlanes: inPlanes, planes: planes, stride: s, downsample: downsample))
                case .bottleneck:
                    blocks.append(Bottleneck(inPlanes: inPlanes, planes: planes, stride: s, downsample: downsample, baseWidth: baseWidth))
                }
                inPlanes = planes * expansion
            }
            register("layer\(stage + 1)", Sequential(blocks))
        }
        register("avgpool", AdaptiveAvgPool2d(1))
        register("fc", Linear(512 * expansion, numClasses))
    }

    public override func forward(_ x: Tensor) -> Tensor {
        var y = x
        for name in ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool"] {
            y = child(name)!(y)
        }
        return child("fc")!(y.flattened(startAxis: 1))
    }
}
