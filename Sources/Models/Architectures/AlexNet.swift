import Engine

/// torchvision's AlexNet (`features`, `avgpool`, `classifier`; flatten is functional, as in torchvision).
public final class AlexNet: Module, @unchecked Sendable {
    /// AlexNet for `numClasses` classes.
    public init(numClasses: Int = 1000) {
        super.init()
        register("features", Sequential([
            Conv2d(3, 64, kernelSize: 11, stride: 4, padding: 2), ReLU(),
            MaxPool2d(kernelSize: 3, stride: 2),
            Conv2d(64, 192, kernelSize: 5, padding: 2), ReLU(),
            MaxPool2d(kernelSize: 3, stride: 2),
            Conv2d(192, 384, kernelSize: 3, padding: 1), ReLU(),
            Conv2d(384, 256, kernelSize: 3, padding: 1), ReLU(),
            Conv2d(256, 256, kernelSize: 3, padding: 1), ReLU(),
            MaxPool2d(kernelSize: 3, stride: 2),
        ]))
        register("avgpool", AdaptiveAvgPool2d(6))
        register("classifier", Sequential([
            Dropout(), Linear(256 * 6 * 6, 4096), ReLU(),
            Dropout(), Linear(4096, 4096), ReLU(),
            Linear(4096, numClasses),
        ]))
    }

    public override func forward(_ x: Tensor) -> Tensor {
        let features = child("avgpool")!(child("features")!(x))
        return child("classifier")!(features.flattened(startAxis: 1))
    }
}
