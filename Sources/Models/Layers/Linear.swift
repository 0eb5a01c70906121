import Engine

/// A fully connected layer: `y = x·Wᵀ + b`, `weight` `[out, in]`.
public final class Linear: Module, @unchecked Sendable {
    /// Input features.
    public let inFeatures: Int
    /// Output features.
    public let outFeatures: Int
    /// Whether the layer adds a bias.
    public let hasBias: Bool

    /// A layer mapping `inFeatures` to `outFeatures` (parameters filled by an initialisation or `load`).
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        self.hasBias = bias
        super.init()
        registerParameter("weight", shape: [outFeatures, inFeatures], role: .linearWeight)
        if bias { registerParameter("bias", shape: [outFeatures], role: .bias) }
    }

    /// `[out, in]`.
    public var weight: Tensor { tensor("weight") }
    /// `[out]`, if the layer has a bias.
    public var bias: Tensor? { hasBias ? tensor("bias") : nil }

    public override func forward(_ x: Tensor) -> Tensor { x.linear(weight: weight, bias: bias) }

    public override var kind: String {
        "Linear(in_features=\(inFeatures), out_features=\(outFeatures), bias=\(hasBias ? "True" : "False"))"
    }
}
