import Engine

/// How extremal perturbation perturbs the input where the mask is 0 (TorchRay's `perturbation`).
public enum PerturbationKind: String, Sendable, CaseIterable {
    /// Gaussian blur, σ up to `maxBlur` pixels, zero padding (TorchRay's default).
    case blur
    /// Fade to zero (the dataset mean after normalisation).
    case fade
}

/// TorchRay's `Perturbation`: a pyramid of L progressively less perturbed copies of one image (level 0 the
/// most blurred or faded, level L−1 the image itself); a mask value m ∈ [0, 1] reads level m·(L−1),
/// interpolating linearly between the two nearest levels.
public struct PerturbationPyramid: Sendable {
    /// Number of levels L (TorchRay: 8).
    public let levels: Int
    /// The levels, L×C×H×W.
    public let pyramid: Tensor
    let channels: Int, height: Int, width: Int

    /// The pyramid of a 1×C×H×W `input`.
    public init(input: Tensor, levels: Int = 8, maxBlur: Float = 20, kind: PerturbationKind = .blur) throws {
        guard levels >= 2 else { throw PerturbationError(.numLevels, "must be at least 2, got \(levels)") }
        guard input.rank == 4, input.shape[0] == 1 else {
            throw PerturbationError(.input, "extremal perturbation explains one image: expected 1×C×H×W, got \(input.shape)")
        }
        self.levels = levels
        channels = input.shape[1]
        height = input.shape[2]
        width = input.shape[3]
        let x = input.detached()
        pyramid = Tensor.concat(Self.fractions(levels).map { s in
            switch kind {
            case .blur: x.gaussianSmoothed(sigma: (1 - s) * maxBlur, padding: .constant)
            case .fade: x * s
            }
        }, axis: 0)
    }

    /// torch.linspace(0, 1, L) in float32: the first half counts up from 0, the second down from 1.
    public static func fractions(_ levels: Int) -> [Float] {
        let step = Float(1) / Float(levels - 1)
        return (0..<levels).map { i in i < levels / 2 ? Float(i) * step : 1 - Float(levels - 1 - i) * step }
    }

    /// The perturbed images for K masks (K×H×W, values in [0, 1]), K×C×H×W. `inverted` uses 1 − mask.
    public func apply(_ masks: Tensor, inverted: Bool = false) -> Tensor {
        let k = masks.count / (height * width), plane = height * width
        let out = TensorStorage(count: k * channels * plane)
        let top = Float(levels - 1), cPlane = channels * plane
        masks.withUnsafeBufferPointer { m in
            pyramid.withUnsafeBufferPointer { y in
                nonisolated(unsafe) let m = m, y = y
                engineParallelFor(k * channels) { job in
                    let area = job / channels, ch = job % channels
                    let mp = m.baseAddress! + area * plane, dst = out.pointer + job * plane
                    let level = y.baseAddress! + ch * plane
                    for p in 0..<plane {
                        let v = (inverted ? 1 - mp[p] : mp[p]) * top
                        let f = v.rounded(.down)
                        let w = v - f
                        let l0 = Int(f), l1 = min(l0 + 1, levels - 1)
                        dst[p] = (1 - w) * level[l0 * cPlane + p] + w * level[l1 * cPlane + p]
                    }
                }
            }
        }
        return Tensor(shape: [k, channels, height, width], storage: out)
    }

    /// ∂L/∂mask (K×H×W) from ∂L/∂apply(mask) (K×C×H×W): (L−1)·Σ_c g·(upper − lower level), negated when
    /// `inverted`; the level index itself (a floor) has no gradient.
    public func maskGradient(_ masks: Tensor, imageGradient g: UnsafePointer<Float>, inverted: Bool) -> [Float] {
        let k = masks.count / (height * width), plane = height * width, cPlane = channels * plane
        let top = Float(levels - 1)
        var grad = [Float](repeating: 0, count: k * plane)
        masks.withUnsafeBufferPointer { m in
            pyramid.withUnsafeBufferPointer { y in
                grad.withUnsafeMutableBufferPointer { out in
                    for area in 0..<k {
                        for p in 0..<plane {
                            let v = (inverted ? 1 - m[area * plane + p] : m[area * plane + p]) * top
                            let l0 = Int(v.rounded(.down)), l1 = min(l0 + 1, levels - 1)
                            var s: Float = 0
                            for ch in 0..<channels {
                                s += g[area * cPlane + ch * plane + p] * (y[l1 * cPlane + ch * plane + p] - y[l0 * cPlane + ch * plane + p])
                            }
                            out[area * plane + p] = (inverted ? -top : top) * s
                        }
                    }
                }
            }
        }
        return grad
    }
}
