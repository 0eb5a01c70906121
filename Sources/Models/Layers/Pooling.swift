import Engine

/// Max pooling (PyTorch `MaxPool2d`); padding counts as −∞.
public final class MaxPool2d: Module, @unchecked Sendable {
    /// Window side.
    public let kernelSize: Int
    /// Step between windows.
    public let stride: Int
    /// −∞ padding on each side.
    public let padding: Int
    /// Round the output size up (PyTorch `ceil_mode`).
    public let ceilMode: Bool

    /// Square max pooling; `stride` defaults to the kernel size.
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
    /// Window side.
    public let kernelSize: Int
    /// Step between windows.
    public let stride: Int
    /// Zero padding on each side.
    public let padding: Int
    /// Round the output size up.
    public let ceilMode: Bool
    /// Whether padded zeros count in the average.
    public let countIncludePad: Bool

    /// Square average pooling; `stride` defaults to the kernel size.
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
    /// (height, width) of the output.
    public let outputSize: (Int, Int)

    /// Pools to `outputSize`.
    public init(outputSize: (Int, Int)) {
        self.outputSize = outputSize
        super.init()
    }

    /// Pools to `size`×`size`.
    public convenience init(_ size: Int) { self.init(outputSize: (size, size)) }

    public override func forward(_ x: Tensor) -> Tensor { x.adaptiveAvgPool2d(outputSize: outputSize) }

    public override var kind: String { "AdaptiveAvgPool2d(output_size=(\(outputSize.0), \(outputSize.1)))" }
}
