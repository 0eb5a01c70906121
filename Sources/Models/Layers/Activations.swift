import Engine

/// max(x, 0).
public final class ReLU: Module, @unchecked Sendable {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) -> Tensor { x.relu() }
    public override var kind: String { "ReLU()" }
}

/// min(max(x, 0), 6).
public final class ReLU6: Module, @unchecked Sendable {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) -> Tensor { x.relu6() }
    public override var kind: String { "ReLU6()" }
}
