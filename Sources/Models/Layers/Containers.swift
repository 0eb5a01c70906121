import Engine

/// Runs its children "0", "1", … in order (PyTorch `nn.Sequential`).
public final class Sequential: Module, @unchecked Sendable {
    /// A sequence of `layers`, named by position.
    public init(_ layers: [Module]) {
        super.init()
        for (i, layer) in layers.enumerated() { register(String(i), layer) }
    }

    /// A sequence with explicit child names (PyTorch's `Sequential(OrderedDict(...))`).
    public init(named layers: [(String, Module)]) {
        super.init()
        for (name, layer) in layers { register(name, layer) }
    }

    /// Appends a layer under `name` (its position by default).
    @discardableResult
    public func append<M: Module>(_ layer: M, name: String? = nil) -> M {
        register(name ?? String(children.count), layer)
    }

    public override func forward(_ x: Tensor) -> Tensor {
        children.reduce(x) { $1.module($0) }
    }
}

/// A list of modules that the owner iterates; not callable itself (PyTorch `nn.ModuleList`).
public final class ModuleList: Module, @unchecked Sendable {
    /// A list of `modules`, named by position.
    public init(_ modules: [Module]) {
        super.init()
        for (i, module) in modules.enumerated() { register(String(i), module) }
    }

    /// The modules in order.
    public var modules: [Module] { children.map(\.module) }
}
