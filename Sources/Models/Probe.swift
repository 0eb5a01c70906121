import Engine
import Foundation

/// Captures a named module's input or output during a forward pass, the way TorchRay's `Probe` does: the
/// tensor is replaced by a gradient-requiring leaf (`requiringGrad()`), so backpropagation stops there and
/// its gradient can be asked for. A module run several times per forward keeps only its last invocation.
///
/// ```swift
/// let probe = Probe("_bn1", target: .output)
/// _ = model.withProbes([probe]) { model(x) }
/// print(probe.captured[0].shape)
/// ```
public final class Probe: @unchecked Sendable {
    // @unchecked Sendable: the mutable capture state is guarded by `lock`.

    /// Which tensor of the module is captured.
    public enum Target: String, Sendable {
        case input, output
    }

    /// The probed module's dotted name.
    public let path: LayerPath
    /// Input or output.
    public let target: Target
    /// Whether an output probe keeps the tensor's history when it has one (TorchRay's Probe only makes the
    /// tensor a leaf when nothing below it needs a gradient); false cuts the graph there, as usual.
    public let keepsHistory: Bool

    private let lock = NSLock()
    private var data: [Tensor] = []
    private var calls = 0

    /// A probe on the module at `path` (TorchRay's default target is the input).
    public init(_ path: LayerPath, target: Target = .input) {
        self.path = path
        self.target = target
        self.keepsHistory = false
    }

    /// An output probe that records the module's output without cutting the graph below it when the output
    /// already has history (contrastive excitation backprop reads the gradient there and goes on below).
    public init(keepingHistoryOf path: LayerPath) {
        self.path = path
        self.target = .output
        self.keepsHistory = true
    }

    /// The captured tensors of the last invocation (one: modules here take and return one tensor); empty if
    /// the module did not run.
    public var captured: [Tensor] { lock.withLock { data } }

    /// How many times the module ran while probed.
    public var invocations: Int { lock.withLock { calls } }

    func record(_ tensor: Tensor) {
        lock.withLock {
            data = [tensor]
            calls += 1
        }
    }

    func reset() {
        lock.withLock {
            data = []
            calls = 0
        }
    }
}

/// The probes active in the current task, keyed by module identity (a task-local, so concurrent forward passes
/// of the same model do not see each other's probes).
enum ProbeScope {
    struct Active: Sendable {
        var byModule: [ObjectIdentifier: [Probe]] = [:]
    }

    @TaskLocal static var active: Active?

    /// The probes on `module`, or nil when none is active (the fast path of every module call).
    static func probes(on module: Module) -> [Probe]? {
        guard let active else { return nil }
        return active.byModule[ObjectIdentifier(module)]
    }

    /// Whether `module` is probed right now.
    static func isProbed(_ module: Module) -> Bool { probes(on: module) != nil }

    static func merged(_ probes: [Probe], in model: Module, file: StaticString, line: UInt) -> Active {
        var next = active ?? Active()
        for probe in probes {
            guard let module = model.module(at: probe.path) else {
                let suggestions = probe.path.suggestions(among: model.namedModules().map(\.0))
                let message = ModelError.unknownLayer(path: probe.path.description, model: model.typeName, suggestions: suggestions).description
                fatalError(message + " — check names first with try model.resolve(path)", file: file, line: line)
            }
            probe.reset()
            next.byModule[ObjectIdentifier(module), default: []].append(probe)
        }
        return next
    }
}

extension Module {
    /// Runs `body` with `probes` attached to this model's modules (TorchRay's `Probe` semantics), e.g.
    /// `model.withProbes([probe]) { model(x) }`. Probes are reset on entry. An unknown probe path stops the
    /// program with the closest valid names; validate user-typed names first with `try model.resolve(path)`.
    public func withProbes<R>(
        _ probes: [Probe], file: StaticString = #file, line: UInt = #line, _ body: () throws -> R
    ) rethrows -> R {
        let active = ProbeScope.merged(probes, in: self, file: file, line: line)
        return try ProbeScope.$active.withValue(active) { try body() }
    }

    /// Async form of `withProbes(_:_:)`.
    public func withProbes<R>(
        _ probes: [Probe], file: StaticString = #file, line: UInt = #line, _ body: () async throws -> R
    ) async rethrows -> R {
        let active = ProbeScope.merged(probes, in: self, file: file, line: line)
        return try await ProbeScope.$active.withValue(active) { try await body() }
    }
}
