import Engine

/// torchvision's VGG without batch norm: `features` (convs, ReLUs, max-pools by index), `avgpool` 7×7,
/// `classifier` (Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear).
public final class VGG: Module, @unchecked Sendable {
    /// Channel counts, 0 for a max-pool (torchvision's "M").
    public static let vgg11Configuration = [64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0]
    /// Configuration "D".
    public static let vgg16Configuration = [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0]

    /// A VGG with the given `features` configuration.
    public init(configuration: [Int], numClasses: Int = 1000) {
        super.init()
        var layers: [Module] = []
        var channels = 3
        for width in configuration {
            if width == 0 {
                layers.append(MaxPool2d(kernelSize: 2, stride: 2))
            } else {
                layers.append(Conv2d(channels, width, kernelSize: 3, padding: 1))
                layers.append(ReLU())
                channels = width
            }
        }
        register("features", Sequential(layers))
        register("avgpool", AdaptiveAvgPool2d(7))
        register("classifier", Sequential([
            Linear(512 * 7 * 7, 4096), ReLU(), Dropout(),
            Linear(4096, 4096), ReLU(), Dropout(),
            Linear(4096, numClasses),
        ]))
    }

    public override func forward(_ x: Tensor) -> Tensor {
        let features = child("avgpool")!(child("features")!(x))
        return child("classifier")!(features.flattened(startAxis: 1))
    }
}
