import Engine

/// What a parameter or buffer is, which decides how an initialisation fills it (the hashed formula's kinds).
public enum ParameterRole: Sendable, Hashable {
    case convWeight, linearWeight, bias, batchNormWeight, batchNormBias, runningMean, runningVariance
    /// `num_batches_tracked`: a counter, never generated, starts at 0.
    case counter
}

/// A parameter or buffer slot: its declared shape, role and (once initialised or loaded) its value.
struct ParameterSlot {
    let shape: [Int]
    let role: ParameterRole
    var value: Tensor?
}

/// A network layer or container, addressed by torchvision-style dotted names.
///
/// Subclasses register children (in PyTorch's registration order), parameters and buffers in `init`, and
/// implement `forward`. Callers use `module(x)`, which applies active probes around `forward`.
///
/// ```swift
/// let vgg = makeModel(.vgg16)
/// let first = vgg.module(at: "features.0")!   // Conv2d(3, 64, kernel_size=(3, 3), …)
/// print(first.typeName, vgg.parameterCount)
/// let logits = vgg(Tensor.zeros([1, 3, 224, 224]))
/// ```
open class Module: @unchecked Sendable, CustomStringConvertible {
    // @unchecked Sendable: a module is mutated only while it is built or loaded; forward passes read it.

    /// Direct children in registration order.
    public private(set) var children: [(name: String, module: Module)] = []
    private var childIndex: [String: Int] = [:]
    private var slotNames: [String] = []
    private var slots: [String: ParameterSlot] = [:]
    private var bufferNames: Set<String> = []

    /// An empty module; subclasses register children and parameters in their initialiser.
    public init() {}

    /// PyTorch's class name for this module ("Conv2d", "Bottleneck", "_DenseLayer"), as `named_modules()` shows it.
    open var typeName: String { String(describing: type(of: self)) }

    /// A one-line description with the hyper-parameters, like PyTorch's repr ("Conv2d(3, 64, kernel_size=(3, 3), …)").
    open var kind: String { typeName }

    /// Computes the module's output; call the module itself (`module(x)`) so probes apply.
    open func forward(_ x: Tensor) -> Tensor {
        fatalError("\(typeName) does not define forward(_:); a container like ModuleList is iterated, not called")
    }

    /// Runs `forward`, recording and replacing the input and/or output for any active probe on this module.
    public final func callAsFunction(_ x: Tensor) -> Tensor {
        guard let probes = ProbeScope.probes(on: self) else { return forward(x) }
        var input = x
        if probes.contains(where: { $0.target == .input }) {
            input = x.requiringGrad()
            for probe in probes where probe.target == .input { probe.record(input) }
        }
        var output = forward(input)
        let outputProbes = probes.filter { $0.target == .output }
        if !outputProbes.isEmpty {
            // Every output probe keeping history, and a history to keep: record the tensor as it is.
            if !(output.requiresGrad && outputProbes.allSatisfy(\.keepsHistory)) { output = output.requiringGrad() }
            for probe in outputProbes { probe.record(output) }
        }
        return output
    }

    // MARK: - Registration (used by subclasses' initialisers)

    /// Adds a child under `name` (a torchvision attribute name or index) and returns it.
    @discardableResult
    public func register<M: Module>(_ name: String, _ child: M) -> M {
        if let i = childIndex[name] {
            children[i].module = child
        } else {
            childIndex[name] = children.count
            children.append((name, child))
        }
        return child
    }

    /// Declares a learnable parameter of `shape` (filled by an initialisation or `load`).
    public func registerParameter(_ name: String, shape: [Int], role: ParameterRole) {
        addSlot(name, ParameterSlot(shape: shape, role: role, value: nil))
    }

    /// Declares a buffer (running statistics, counters) of `shape`.
    public func registerBuffer(_ name: String, shape: [Int], role: ParameterRole) {
        let initial: Tensor? = role == .counter ? Tensor.zeros(shape) : nil
        addSlot(name, ParameterSlot(shape: shape, role: role, value: initial))
        bufferNames.insert(name)
    }

    private func addSlot(_ name: String, _ slot: ParameterSlot) {
        if slots[name] == nil { slotNames.append(name) }
        slots[name] = slot
    }

    /// The value of this module's own parameter or buffer `name`.
    public func tensor(_ name: String, file: StaticString = #file, line: UInt = #line) -> Tensor {
        guard let slot = slots[name] else {
            fatalError("\(typeName) has no parameter or buffer '\(name)'; it has \(slotNames)", file: file, line: line)
        }
        guard let value = slot.value else {
            fatalError("\(typeName).\(name) is not initialised; build models with makeModel(_:initialization:) or call initialize(_:) / load(_:strict:) first", file: file, line: line)
        }
        return value
    }

    /// The value of this module's own parameter or buffer `name`, if declared and set.
    public func tensorIfPresent(_ name: String) -> Tensor? { slots[name]?.value }

    // MARK: - Traversal

    /// The direct child called `name`.
    public func child(_ name: String) -> Module? { childIndex[name].map { children[$0].module } }

    /// Every module with its dotted path, depth first in registration order; the root comes first with path "".
    /// A module registered twice appears once (under its first name), as in PyTorch.
    public func namedModules() -> [(LayerPath, Module)] {
        var out: [(LayerPath, Module)] = []
        var seen = Set<ObjectIdentifier>()
        func visit(_ module: Module, _ path: LayerPath) {
            guard seen.insert(ObjectIdentifier(module)).inserted else { return }
            out.append((path, module))
            for (name, child) in module.children { visit(child, path.appending(name)) }
        }
        visit(self, .root)
        return out
    }

    /// The module at `path` ("" is this module), or nil.
    public func module(at path: LayerPath) -> Module? {
        var current: Module = self
        for name in path.components {
            guard let next = current.child(name) else { return nil }
            current = next
        }
        return current
    }

    /// The module at `path`; throws `ModelError.unknownLayer` listing the closest valid names.
    public func resolve(_ path: LayerPath) throws -> Module {
        if let found = module(at: path) { return found }
        throw ModelError.unknownLayer(
            path: path.description, model: typeName,
            suggestions: path.suggestions(among: namedModules().map(\.0)))
    }

    /// Parameters with their checkpoint keys ("layer1.0.conv1.weight"), in `state_dict()` order.
    public func namedParameters() -> [(String, Tensor)] { namedSlots(buffers: false) }

    /// Buffers (running_mean, running_var, num_batches_tracked) with their checkpoint keys.
    public func namedBuffers() -> [(String, Tensor)] { namedSlots(buffers: true) }

    private func namedSlots(buffers: Bool) -> [(String, Tensor)] {
        allSlots().compactMap { key, module, name in
            guard module.bufferNames.contains(name) == buffers, let value = module.slots[name]?.value else { return nil }
            return (key, value)
        }
    }

    /// (checkpoint key, owning module, local name) for every slot, in PyTorch `state_dict()` order: a module's
    /// own parameters, then its buffers, then each child's.
    func allSlots() -> [(String, Module, String)] {
        var out: [(String, Module, String)] = []
        for (path, module) in namedModules() {
            let prefix = path.isRoot ? "" : path.description + "."
            let ordered = module.slotNames.filter { !module.bufferNames.contains($0) }
                + module.slotNames.filter { module.bufferNames.contains($0) }
            for name in ordered { out.append((prefix + name, module, name)) }
        }
        return out
    }

    /// Number of learnable scalars.
    public var parameterCount: Int { namedParameters().reduce(0) { $0 + $1.1.count } }

    /// The parameters and buffers as a state dict (keys as torchvision's `state_dict()`).
    public func stateDict() -> StateDict {
        var sd = StateDict()
        for (key, module, name) in allSlots() {
            guard let slot = module.slots[name], let value = slot.value else { continue }
            sd[key] = slot.role == .counter
                ? StateTensor(integers: value.scalars.map { Int64($0) }, shape: value.shape)
                : StateTensor(value)
        }
        return sd
    }

    // MARK: - Initialisation and loading

    /// Fills every parameter and buffer from `initialization` (see `Initialization`). Returns self.
    @discardableResult
    public func initialize(_ initialization: Initialization) -> Self {
        for (key, module, name) in allSlots() {
            guard let slot = module.slots[name], slot.role != .counter else { continue }
            module.slots[name]!.value = initialization.tensor(key: key, shape: slot.shape, role: slot.role)
        }
        return self
    }

    /// Rewrites checkpoint keys before loading (old torchvision names, DataParallel's "module." prefix).
    /// Architectures override it for their own legacy spellings and call super.
    open func sanitize(_ stateDict: StateDict) -> StateDict {
        let prefix = "module."
        if child("module") == nil, stateDict.count > 0, stateDict.keys.allSatisfy({ $0.hasPrefix(prefix) }) {
            return stateDict.strippingPrefix(prefix)
        }
        return stateDict
    }

    /// Copies `stateDict` into the parameters and buffers. Shapes must match; with `strict`, the keys must match
    /// exactly too (a missing `num_batches_tracked` is allowed, as in PyTorch). Nothing is changed on error.
    public func load(_ stateDict: StateDict, strict: Bool = true) throws {
        let sd = sanitize(stateDict)
        var missing: [String] = []
        var mismatches: [ModelError.ShapeMismatch] = []
        var assignments: [(Module, String, Tensor)] = []
        var known = Set<String>()
        for (key, module, name) in allSlots() {
            known.insert(key)
            let slot = module.slots[name]!
            guard let entry = sd[key] else {
                if slot.role != .counter { missing.append(key) }
                continue
            }
            // A scalar counter may be saved as shape [] or [1]; everything else must match exactly.
            let sameShape = entry.shape == slot.shape || (slot.role == .counter && entry.tensor.count == 1)
            guard sameShape else {
                mismatches.append(.init(key: key, expected: slot.shape, found: entry.shape))
                continue
            }
            let value = entry.shape == slot.shape ? entry.tensor : entry.tensor.reshaped(slot.shape)
            assignments.append((module, name, value))
        }
        let unexpected = sd.keys.filter { !known.contains($0) }
        if !mismatches.isEmpty || (strict && (!missing.isEmpty || !unexpected.isEmpty)) {
            throw ModelError.stateDictMismatch(
                missing: strict ? missing : [], unexpected: strict ? unexpected : [], shapeMismatches: mismatches)
        }
        for (module, name, value) in assignments { module.slots[name]!.value = value }
    }

    // MARK: - Description

    /// A PyTorch-style indented tree of the modules.
    public var description: String {
        func render(_ module: Module, indent: String) -> String {
            guard !module.children.isEmpty else { return module.kind }
            var lines = [module.typeName + "("]
            for (name, child) in module.children {
                lines.append(indent + "  (\(name)): " + render(child, indent: indent + "  "))
            }
            lines.append(indent + ")")
            return lines.joined(separator: "\n")
        }
        return render(self, indent: "")
    }
}
