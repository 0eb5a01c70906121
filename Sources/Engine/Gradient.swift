// All of reverse-mode autodiff: the table of ordinary backward rules (one case per primitive,
// one gradient per input, nil where none) and the walker that applies them.

/// The ordinary vector-Jacobian product of `op`: one gradient per entry of `inputs` (nil = none or not needed).
func vectorJacobian(_ op: Op, inputs: [Tensor], output y: Tensor, upstream g: Tensor, needs: [Bool]) -> [Tensor?] {
    let x = inputs[0]
    func only(_ grad: @autoclosure () -> Tensor) -> [Tensor?] {
        [needs[0] ? grad() : nil] + Array(repeating: nil, count: inputs.count - 1)
    }
    switch op {
    case .leaf:
        return []
    case .add:
        return [needs[0] ? sumToShape(g, inputs[0].shape) : nil, needs[1] ? sumToShape(g, inputs[1].shape) : nil]
    case .sub:
        return [needs[0] ? sumToShape(g, inputs[0].shape) : nil,
                needs[1] ? sumToShape(unaryMap(g) { -$0 }, inputs[1].shape) : nil]
    case .mul:
        return [needs[0] ? sumToShape(broadcastMap(g, inputs[1], "*", file: #file, line: #line) { $0 * $1 }, inputs[0].shape) : nil,
                needs[1] ? sumToShape(broadcastMap(g, inputs[0], "*", file: #file, line: #line) { $0 * $1 }, inputs[1].shape) : nil]
    case .div:
        // d(a/b)/da = 1/b, d(a/b)/db = -a/b² = -y/b
        let b = inputs[1]
        return [needs[0] ? sumToShape(broadcastMap(g, b, "/", file: #file, line: #line) { $0 / $1 }, inputs[0].shape) : nil,
                needs[1] ? sumToShape(broadcastMap(
                    broadcastMap(g, y, "*", file: #file, line: #line) { -$0 * $1 }, b, "/", file: #file, line: #line) { $0 / $1 },
                    b.shape) : nil]
    case .addScalar:
        return only(g)
    case .mulScalar(let s):
        return only(parallelMap(g, AffineKernel(scale: s, shift: 0)))
    case .reciprocalTimes(let s):
        // d(s/x)/dx = -s/x²
        return only(zipMap(g, x) { gi, xi in -s * gi / (xi * xi) })
    case .relu:
        return only(parallelZip(g, x, ReLUMaskKernel()))
    case .relu6:
        return only(parallelZip(g, x, ReLU6MaskKernel()))
    case .sigmoid:
        return only(zipMap(g, y) { gi, yi in gi * yi * (1 - yi) })
    case .exp:
        return only(zipMap(g, y) { $0 * $1 })
    case .abs:
        return only(zipMap(g, x) { gi, xi in xi > 0 ? gi : (xi < 0 ? -gi : 0) })
    case .clamp(let lo, let hi):
        let l = lo ?? -.infinity, h = hi ?? .infinity
        return only(zipMap(g, x) { gi, xi in xi >= l && xi <= h ? gi : 0 })
    case .reshape:
        return only(Tensor(shape: x.shape, storage: g.storage, node: nil))
    case .slice(let index):
        return only({
            let gx = Tensor.zeros(x.shape)
            (gx.pointer + index * g.count).update(from: g.pointer, count: g.count)
            return gx
        }())
    case .concat(let axis):
        let (outer, total, inner) = splitAround(y.shape, axis: axis)
        var offset = 0
        return inputs.enumerated().map { i, t in
            let block = t.shape[axis] * inner
            defer { offset += block }
            guard needs[i] else { return nil }
            let gi = Tensor.uninitialized(t.shape)
            for o in 0..<outer {
                (gi.pointer + o * block).update(from: g.pointer + o * total * inner + offset, count: block)
            }
            return gi
        }
    case .pad(let mode, let p):
        return only(padInputGradient(g, inputShape: x.shape, mode, p))
    case .sum(let axes):
        let kept = x.shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
        return only(expandToShape(Tensor(shape: kept, storage: g.storage, node: nil), x.shape))
    case .mean(let axes):
        let kept = x.shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
        let n = Float(axes.reduce(1) { $0 * x.shape[$1] })
        return only(unaryMap(expandToShape(Tensor(shape: kept, storage: g.storage, node: nil), x.shape)) { $0 / n })
    case .max(let axis):
        return only({
            let (outer, n, inner) = splitAround(x.shape, axis: axis)
            let gx = Tensor.zeros(x.shape)
            for o in 0..<outer {
                for i in 0..<inner {
                    let base = o &* n &* inner &+ i
                    gx.pointer[base &+ firstArgmax(x.pointer + base, n, inner)] += g.pointer[o &* inner &+ i]
                }
            }
            return gx
        }())
    case .norm(let axis):
        // d‖x‖/dx = x/‖x‖ (0 where the norm is 0)
        let kept = x.shape.enumerated().map { $0.offset == axis ? 1 : $0.element }
        let ratio = broadcastMap(Tensor(shape: kept, storage: g.storage, node: nil),
                                 Tensor(shape: kept, storage: y.storage, node: nil), "norm", file: #file, line: #line) {
            $1 > 0 ? $0 / $1 : 0
        }
        return only(broadcastMap(x, ratio, "norm", file: #file, line: #line) { $0 * $1 })
    case .softmax(let axis):
        // g_x = y ⊙ (g − Σ_axis g ⊙ y)
        let gy = zipMap(g, y) { $0 * $1 }
        let s = sumToShape(gy, y.shape.enumerated().map { $0.offset == axis ? 1 : $0.element })
        let centred = broadcastMap(g, s, "softmax", file: #file, line: #line) { $0 - $1 }
        return only(zipMap(centred, y) { $0 * $1 })
    case .conv2d(let a):
        let geometry = ConvGeometry(input: x.shape, weight: inputs[1].shape, a, file: #file, line: #line)
        return only(conv2dInputGradient(g, inputs[1], geometry))
    case .linear:
        return only(linearInputGradient(g, inputs[1], inputShape: x.shape))
    case .maxPool2d(let a):
        return only(maxPoolInputGradient(g, x, PoolGeometry(input: x.shape, a, op: "maxPool2d", file: #file, line: #line)))
    case .avgPool2d(let a):
        return only(avgPoolInputGradient(g, inputShape: x.shape,
                                         PoolGeometry(input: x.shape, a, op: "avgPool2d", file: #file, line: #line)))
    case .adaptiveAvgPool2d:
        return only(adaptiveAvgPoolInputGradient(g, inputShape: x.shape))
    case .batchNorm(let eps, let hasWeight, let hasBias):
        let (scale, _) = batchNormScaleShift(
            mean: inputs[1], variance: inputs[2], weight: hasWeight ? inputs[3] : nil,
            bias: hasBias ? inputs[hasWeight ? 4 : 3] : nil, eps: eps)
        return only(channelAffine(g, scale: scale, shift: nil))
    case .resize(let mode):
        return only(resizeInputGradient(g, inputShape: x.shape, mode))
    }
}

/// Gradients of one recorded node for its inputs: the captured override if there is one, else the table.
private func backward(_ node: Node, upstream: Tensor, needs: [Bool]) -> [Tensor?] {
    guard let rule = node.rule, let kind = node.op.kind else {
        return vectorJacobian(node.op, inputs: node.inputs, output: node.output, upstream: upstream, needs: needs)
    }
    let context = BackwardContext(op: kind, node: node)
    let grads = kind == .add ? rule.inputGradients(context, upstream: upstream)
                             : [rule.inputGradient(context, upstream: upstream)]
    return node.inputs.indices.map { i in
        guard needs[i], i < grads.count else { return nil }
        let gi = grads[i].detached()
        if gi.shape != node.inputs[i].shape {
            if gi.count == node.inputs[i].count { return gi.reshaped(node.inputs[i].shape) }
            fatalError("backward rule for \(kind) returned shape \(gi.shape) for an input of shape \(node.inputs[i].shape)")
        }
        return gi
    }
}

/// Vector-Jacobian product: the gradients of `output` (weighted by `seed`, same shape as output) with
/// respect to each of `inputs`. Inputs that do not require grad, or that `output` does not depend on,
/// get zeros. Only nodes between the inputs and the output are visited.
///
/// ```swift
/// let x = Tensor([-1, 2, 3]).requiringGrad()
/// let y = x.relu()
/// let g = gradients(of: y, seed: Tensor([1, 1, 1]), wrt: [x])[0]   // [0, 1, 1]
/// ```
public func gradients(
    of output: Tensor, seed: Tensor, wrt inputs: [Tensor], file: StaticString = #file, line: UInt = #line
) -> [Tensor] {
    guard seed.shape == output.shape else {
        fail("gradients: seed shape \(seed.shape) must equal the output shape \(output.shape)", file: file, line: line)
    }
    let targets = Set(inputs.compactMap { $0.node.map(ObjectIdentifier.init) })
    guard let root = output.node, !targets.isEmpty else { return inputs.map { Tensor.zeros($0.shape) } }

    // Topological order (inputs before users), iteratively so deep nets cannot overflow the stack.
    var order = [Node]()
    var visited = Set<ObjectIdentifier>()
    var stack: [(Node, Bool)] = [(root, false)]
    while let (node, expanded) = stack.popLast() {
        let id = ObjectIdentifier(node)
        if expanded { order.append(node); continue }
        if visited.contains(id) { continue }
        visited.insert(id)
        stack.append((node, true))
        for input in node.inputs.reversed() {
            if let n = input.node, !visited.contains(ObjectIdentifier(n)) { stack.append((n, false)) }
        }
    }
    // Keep only nodes from which a target is reachable.
    var reaches = Set<ObjectIdentifier>()
    for node in order {
        let id = ObjectIdentifier(node)
        if targets.contains(id) || node.inputs.contains(where: { $0.node.map { reaches.contains(ObjectIdentifier($0)) } ?? false }) {
            reaches.insert(id)
        }
    }

    var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed.detached()]
    var results: [ObjectIdentifier: Tensor] = [:]
    for node in order.reversed() {
        let id = ObjectIdentifier(node)
        guard reaches.contains(id), let g = grads.removeValue(forKey: id) else { continue }
        if targets.contains(id) { results[id] = g }
        let needs = node.inputs.map { $0.node.map { reaches.contains(ObjectIdentifier($0)) } ?? false }
        guard needs.contains(true) else { continue }
        let inputGrads = backward(node, upstream: g, needs: needs)
        precondition(inputGrads.count == node.inputs.count, "backward of \(node.op) gave the wrong number of gradients")
        for (input, gi) in zip(node.inputs, inputGrads) {
            guard let gi, let n = input.node else { continue }
            let key = ObjectIdentifier(n)
            if let existing = grads[key] {
                grads[key] = parallelZip(existing, gi, AddKernel())  // used twice: accumulate
            } else {
                grads[key] = gi
            }
        }
    }
    return inputs.map { input in
        input.node.flatMap { results[ObjectIdentifier($0)] } ?? Tensor.zeros(input.shape)
    }
}
