/// Which part of the image extremal perturbation keeps (TorchRay's `variant`).
public enum PerturbationVariant: String, Sendable, CaseIterable {
    /// Keep the masked region, perturb the rest; maximise the class score.
    case preserve
    /// Perturb the masked region; minimise the class score.
    case delete
    /// Both at once: preserve score minus delete score.
    case dual

    /// Parses `preserve|delete|dual`.
    public init(parsing text: String) throws {
        guard let v = Self(rawValue: text.lowercased()) else {
            throw PerturbationError(.variant, "unknown variant '\(text)'; valid: \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = v
    }
}

/// The score extremal perturbation optimises (TorchRay's `reward_func`).
public enum PerturbationReward: String, Sendable, CaseIterable {
    /// The target's logit.
    case simple
    /// The target's logit minus the best other logit (others floored at −100, as TorchRay does).
    ///
    /// Computed per area. TorchRay's version broadcasts K areas into a K×K matrix, so the reward it logs
    /// for area i mixes all areas; their sum, hence the optimisation, is the same (a documented difference).
    case contrastive

    /// Parses `simple|contrastive`.
    public init(parsing text: String) throws {
        guard let r = Self(rawValue: text.lowercased()) else {
            throw PerturbationError(.reward, "unknown reward '\(text)'; valid: \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = r
    }

    /// Reward of row `row` of a B×C score matrix, and its gradient (one or two nonzero entries).
    func score(_ y: UnsafePointer<Float>, row: Int, classes: Int, target: Int) -> (value: Float, gradient: [(Int, Float)]) {
        let base = row * classes
        switch self {
        case .simple:
            return (y[base + target], [(base + target, Float(1))])
        case .contrastive:
            // The first maximum among the others, −100 standing in for the target itself.
            var best: Float = -100, index = -1
            for c in 0..<classes where c != target && y[base + c] > best {
                best = y[base + c]
                index = base + c
            }
            var gradient: [(Int, Float)] = [(base + target, 1)]
            if index >= 0 { gradient.append((index, -1)) }
            return (y[base + target] - best, gradient)
        }
    }

    /// Per-area rewards for `areas` areas of a `variant` batch (B×C; B = 2K for dual), and ∂Σreward/∂y.
    func rewards(_ y: UnsafePointer<Float>, batch: Int, classes: Int, target: Int, areas: Int,
                 variant: PerturbationVariant) -> (values: [Float], gradient: [Float]) {
        var values = [Float](repeating: 0, count: areas)
        var gradient = [Float](repeating: 0, count: batch * classes)
        for a in 0..<areas {
            switch variant {
            case .preserve, .delete:
                let sign: Float = variant == .preserve ? 1 : -1
                let (v, g) = score(y, row: a, classes: classes, target: target)
                values[a] = sign * v
                for (i, d) in g { gradient[i] += sign * d }
            case .dual:
                let (keep, gk) = score(y, row: a, classes: classes, target: target)
                let (drop, gd) = score(y, row: areas + a, classes: classes, target: target)
                values[a] = keep - drop
                for (i, d) in gk { gradient[i] += d }
                for (i, d) in gd { gradient[i] -= d }
            }
        }
        return (values, gradient)
    }
}

/// TorchRay's area regulariser: the full mask's values, sorted, should look like the reference profile
/// (0 for the first (1 − a)·n values, 1 for the last a·n): −λ·mean((sorted − reference)²).
public struct AreaRegulariser: Sendable {
    /// Number of mask values per area (the full mask, margins included).
    public let count: Int
    /// Index of the first 1 in each area's reference.
    public let firstOne: [Int]

    /// The regulariser for these areas over masks of `count` values.
    public init(areas: [Double], count: Int) {
        self.count = count
        // TorchRay: reference[:int(n · (1 − a))] = 0, in float64 with truncation.
        firstOne = areas.map { Int(Double(count) * (1 - $0)) }
    }

    /// Per-area −mean((sorted − ref)²)·λ and ∂(−Σ regul)/∂mask (the loss's gradient) for K×count values.
    /// Ties are ranked by position (a stable sort).
    public func evaluate(_ full: UnsafePointer<Float>, weight lambda: Float) -> (values: [Float], lossGradient: [Float]) {
        var values = [Float](repeating: 0, count: firstOne.count)
        var gradient = [Float](repeating: 0, count: firstOne.count * count)
        let n = Float(count)
        var order = [Int32](repeating: 0, count: count)
        for (area, split) in firstOne.enumerated() {
            let v = full + area * count
            for i in 0..<count { order[i] = Int32(i) }
            order.sort { a, b in v[Int(a)] < v[Int(b)] || (v[Int(a)] == v[Int(b)] && a < b) }
            var total: Double = 0
            for (rank, index) in order.enumerated() {
                let d = v[Int(index)] - (rank >= split ? 1 : 0)
                total += Double(d * d)
                gradient[area * count + Int(index)] = 2 * lambda * d / n
            }
            values[area] = -Float(total / Double(count)) * lambda
        }
        return (values, gradient)
    }
}
