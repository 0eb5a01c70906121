import Engine

/// Dropout; the identity in evaluation, which is the only mode here.
public final class Dropout: Module, @unchecked Sendable {
    /// Drop probability in training (unused: evaluation only).
    public let p: Float
    /// Dropout with PyTorch's default p = 0.5.
    public init(p: Float = 0.5) {
        self.p = p
        super.init()
    }
    public override func forward(_ x: Tensor) -> Tensor { x.dropout() }
    public override var kind: String { "Dropout(p=\(p))" }
}

/// Flattens all axes from `startAxis` on (default: keep the batch axis).
public final class Flatten: Module, @unchecked Sendable {
    /// First flattened axis.
    public let startAxis: Int
    /// Flattens from `startAxis` on.
    public init(startAxis: Int = 1) {
        self.startAxis = startAxis
        super.init()
    }
    public override func forward(_ x: Tensor) -> Tensor { x.flattened(startAxis: startAxis) }
    public override var kind: String { "Flatten(start_dim=\(startAxis))" }
}

/// Returns its input.
public final class Identity: Module, @unchecked Sendable {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) -> Tensor { x }
    public override var kind: String { "Identity()" }
}

/// Zero padding with fixed amounts (PyTorch `ZeroPad2d`).
public final class ZeroPad2d: Module, @unchecked Sendable {
    /// Rows/columns added on each side.
    public let padding: Padding2D
    /// Pads by `padding`.
    public init(_ padding: Padding2D) {
        self.padding = padding
        super.init()
    }
    public override func forward(_ x: Tensor) -> Tensor {
        x.padded(.constant(0), top: padding.top, left: padding.left, bottom: padding.bottom, right: padding.right)
    }
    public override var kind: String {
        "ZeroPad2d((\(padding.left), \(padding.right), \(padding.top), \(padding.bottom)))"
    }
}
