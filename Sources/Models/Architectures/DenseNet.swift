import Engine

/// One DenseNet layer: norm1, relu1, conv1 (1×1, bottleneck), norm2, relu2, conv2 (3×3, growth rate).
/// Takes the concatenation of all earlier features and returns only its new channels.
public final class DenseLayer: Module, @unchecked Sendable {
    /// A layer reading `inputFeatures` channels and adding `growthRate`.
    public init(inputFeatures: Int, growthRate: Int, bottleneckSize: Int) {
        super.init()
        register("norm1", BatchNorm2d(inputFeatures))
        register("relu1", ReLU())
        register("conv1", Conv2d(inputFeatures, bottleneckSize * growthRate, kernelSize: 1, bias: false))
        register("norm2", BatchNorm2d(bottleneckSize * growthRate))
        register("relu2", ReLU())
        register("conv2", Conv2d(bottleneckSize * growthRate, growthRate, kernelSize: 3, padding: 1, bias: false))
    }

    public override var typeName: String { "_DenseLayer" }

    public override func forward(_ x: Tensor) -> Tensor {
        children.reduce(x) { $1.module($0) }
    }
}

/// A dense block: denselayer1…N, each fed the concatenation of the block input and all earlier outputs.
public final class DenseBlock: Module, @unchecked Sendable {
    /// A block of `layers` dense layers.
    public init(layers: Int, inputFeatures: Int, growthRate: Int, bottleneckSize: Int) {
        super.init()
        for i in 0..<layers {
            register("denselayer\(i + 1)", DenseLayer(
                inputFeatures: inputFeatures + i * growthRate, growthRate: growthRate, bottleneckSize: bottleneckSize))
        }
    }

    public override var typeName: String { "_DenseBlock" }

    public override func forward(_ x: Tensor) -> Tensor {
        var features = [x]
        for (_, layer) in children {
            let input = features.count == 1 ? features[0] : Tensor.concat(features, axis: 1)
            features.append(layer(input))
        }
        return Tensor.concat(features, axis: 1)
    }
}

/// Between dense blocks: norm, relu, 1×1 conv, 2×2 average pool.
public final class Transition: Module, @unchecked Sendable {
    /// A transition from `inputFeatures` to `outputFeatures` channels at half resolution.
    public init(inputFeatures: Int, outputFeatures: Int) {
        super.init()
        register("norm", BatchNorm2d(inputFeatures))
        register("relu", ReLU())
        register("conv", Conv2d(inputFeatures, outputFeatures, kernelSize: 1, bias: false))
        register("pool", AvgPool2d(kernelSize: 2, stride: 2))
    }

    public override var typeName: String { "_Transition" }

    public override func forward(_ x: Tensor) -> Tensor {
        children.reduce(x) { $1.module($0) }
    }
}

/// torchvision's DenseNet-BC: `features` (conv0, norm0, relu0, pool0, denseblockN, transitionN, norm5), then a
/// functional ReLU (not a module, as in torchvision), global average pool and `classifier`.
public final class DenseNet: Module, @unchecked Sendable {
    /// DenseNet-BC; `blockConfiguration` [6,12,24,16] is densenet121, [6,12,48,32] densenet201.
    public init(growthRate: Int = 32, blockConfiguration: [Int], initialFeatures: Int = 64, bottleneckSize: Int = 4,
                numClasses: Int = 1000) {
        super.init()
        let features = Sequential(named: [
            ("conv0", Conv2d(3, initialFeatures, kernelSize: 7, stride: 2, padding: 3, bias: false)),
            ("norm0", BatchNorm2d(initialFeatures)),
            ("relu0", ReLU()),
            ("pool0", MaxPool2d(kernelSize: 3, stride: 2, padding: 1)),
        ])
        var channels = initialFeatures
        for (i, layers) in blockConfiguration.enumerated() {
            features.append(DenseBlock(layers: layers, inputFeatures: channels, growthRate: growthRate,
                                       bottleneckSize: bottleneckSize), name: "denseblock\(i + 1)")
            channels += layers * growthRate
            if i != blockConfiguration.count - 1 {
                features.append(Transition(inputFeatures: channels, outputFeatures: channels / 2), name: "transition\(i + 1)")
                channels /= 2
            }
        }
        features.append(BatchNorm2d(channels), name: "norm5")
        register("features", features)
        register("classifier", Linear(channels, numClasses))
    }

    public override func forward(_ x: Tensor) -> Tensor {
        let features = child("features")!(x).relu()
        return child("classifier")!(features.adaptiveAvgPool2d(outputSize: 1).flattened(startAxis: 1))
    }

    /// Old torchvision checkpoints spell "norm.1" where the modules say "norm1" (torchvision fixes this the same way).
    public override func sanitize(_ stateDict: StateDict) -> StateDict {
        let fixed = stateDict.renamingKeys { key in
            var parts = key.split(separator: ".").map(String.init)
            for i in parts.indices.dropLast() where ["norm", "relu", "conv"].contains(parts[i])
                && i + 1 < parts.count && ["1", "2"].contains(parts[i + 1])
                && i > 0 && parts[i - 1].hasPrefix("denselayer") {
                parts[i] += parts[i + 1]
                parts[i + 1] = ""
            }
            return parts.filter { !$0.isEmpty }.joined(separator: ".")
        }
        return super.sanitize(fixed)
    }
}
