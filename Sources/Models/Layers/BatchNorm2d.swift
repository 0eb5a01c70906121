import Engine

/// Batch normalisation in inference mode (running statistics), with PyTorch's parameter and buffer names.
public final class BatchNorm2d: Module, @unchecked Sendable {
    /// Channels.
    public let numFeatures: Int
    /// Added to the variance (1e-5 in torchvision, 1e-3 in EfficientNet-Lite).
    public let eps: Float

    /// Batch norm over `numFeatures` channels.
    public init(_ numFeatures: Int, eps: Float = 1e-5) {
        self.numFeatures = numFeatures
        self.eps = eps
        super.init()
        registerParameter("weight", shape: [numFeatures], role: .batchNormWeight)
        registerParameter("bias", shape: [numFeatures], role: .batchNormBias)
        registerBuffer("running_mean", shape: [numFeatures], role: .runningMean)
        registerBuffer("running_var", shape: [numFeatures], role: .runningVariance)
        registerBuffer("num_batches_tracked", shape: [], role: .counter)
    }

    public override func forward(_ x: Tensor) -> Tensor {
        x.batchNorm(mean: tensor("running_mean"), variance: tensor("running_var"), weight: tensor("weight"),
                    bias: tensor("bias"), eps: eps)
    }

    public override var kind: String { "BatchNorm2d(\(numFeatures), eps=\(eps))" }
}
