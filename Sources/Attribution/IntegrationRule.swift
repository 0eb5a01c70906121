import Foundation

/// How integrated gradients approximates ∫₀¹ ∂f(x′ + α(x − x′))/∂x dα: points α_k with weights w_k (Σ w_k = 1),
/// the same rules and names as Captum's `method` argument.
public enum IntegrationRule: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Gauss–Legendre quadrature on [0, 1] (Captum's default): exact for polynomials of degree 2n − 1.
    case gaussLegendre = "gausslegendre"
    /// Left Riemann sum: α = 0, 1/n, …, (n − 1)/n, weights 1/n.
    case riemannLeft = "riemann-left"
    /// Right Riemann sum: α = 1/n, …, 1, weights 1/n (the IG paper's formula).
    case riemannRight = "riemann-right"
    /// Midpoint rule: α = (k + ½)/n, weights 1/n.
    case riemannMiddle = "riemann-middle"
    /// Trapezoid rule: α = k/(n − 1), half weights at both ends (needs n ≥ 2).
    case riemannTrapezoid = "riemann-trapezoid"

    /// The user-facing name.
    public var description: String { rawValue }

    /// Parses a name; accepts `_` for `-` and "gauss-legendre".
    public init?(parsing text: String) {
        let key = text.lowercased().replacingOccurrences(of: "_", with: "-")
        if key == "gauss-legendre" { self = .gaussLegendre; return }
        guard let rule = IntegrationRule(rawValue: key) else { return nil }
        self = rule
    }

    /// The n points α_k in [0, 1] and their weights (summing to 1), in increasing α.
    public func points(_ n: Int) -> [(alpha: Double, weight: Double)] {
        precondition(n >= 1, "IntegrationRule.points: n must be at least 1")
        let step = 1 / Double(n)
        switch self {
        case .gaussLegendre:
            return Self.legendreNodes(n).map { (0.5 * (1 + $0.x), 0.5 * $0.w) }
        case .riemannLeft:
            return (0..<n).map { (Double($0) * step, step) }
        case .riemannRight:
            return (1...n).map { (Double($0) * step, step) }
        case .riemannMiddle:
            return (0..<n).map { ((Double($0) + 0.5) * step, step) }
        case .riemannTrapezoid:
            guard n >= 2 else { return [(0.5, 1)] }  // one point: the midpoint is the only sensible choice
            let h = 1 / Double(n - 1)
            return (0..<n).map { k in (Double(k) * h, k == 0 || k == n - 1 ? h / 2 : h) }
        }
    }

    /// Nodes and weights of n-point Gauss–Legendre quadrature on [−1, 1], by Newton's method on P_n.
    static func legendreNodes(_ n: Int) -> [(x: Double, w: Double)] {
        var nodes: [(x: Double, w: Double)] = []
        for i in 1...n {
            // Tricomi's initial guess for the i-th largest root.
            var x = cos(Double.pi * (Double(i) - 0.25) / (Double(n) + 0.5))
            var derivative = 0.0
            for _ in 0..<100 {
                var (p0, p1) = (1.0, x)  // P_0, P_1
                for k in stride(from: 2, through: n, by: 1) {
                    (p0, p1) = (p1, (Double(2 * k - 1) * x * p1 - Double(k - 1) * p0) / Double(k))
                }
                // p1 = P_n(x), p0 = P_{n−1}(x); P_n′ = n (x P_n − P_{n−1}) / (x² − 1).
                derivative = Double(n) * (x * p1 - p0) / (x * x - 1)
                let dx = p1 / derivative
                x -= dx
                if abs(dx) < 1e-15 { break }
            }
            nodes.append((x, 2 / ((1 - x * x) * derivative * derivative)))
        }
        return nodes.sorted { $0.x < $1.x }
    }
}
