import Engine

/// Max pooling (PyTorch `MaxPool2d`); padding counts as −∞.
public final class MaxPool2d: Module, @unchecked Sendable {
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    public let ceilMode: Bool

    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.ceilMode = ceilMode
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor {
        x.maxPool2d(kernel: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode)
    }

    public override var kind: String {
        "MaxPool2d(kernel_size=\(kernelSize), stride=\(stride), padding=\(padding), ceil_mode=\(ceilMode ? "True" : "False"))"
    }
}

/// Average pooling (PyTorch `AvgPool2d`).
public final class AvgPool2d: Module, @unchecked Sendable {
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    public let ceilMode: Bool
    public let countIncludePad: Bool

    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false, countIncludePad: Bool = true) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor {
        x.avgPool2d(kernel: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad)
    }

    public override var kind: String { "AvgPool2d(kernel_size=\(kernelSize), stride=\(stride), padding=\(padding))" }
}

/// Adaptive average pooling to a fixed output size (PyTorch's bins).
public final class AdaptiveAvgPool2d: Module, @unchecked Sendable {
    public let outputSize: (Int, Int)

    public init(outputSize: (Int, Int)) {
        self.outputSize = outputSize
        super.init()
    }

    public convenience init(_ size: Int) { self.init(outputSize: (size, size)) }

    public override func forward(_ x: Tensor) -> Tensor { x.adaptiveAvgPool2d(outputSize: outputSize) }

    public override var kind: String { "AdaptiveAvgPool2d(output_size=(\(outputSize.0), \(outputSize.1)))" }
}
