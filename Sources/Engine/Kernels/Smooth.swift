import Foundation

/// Border handling of `gaussianSmoothed` (TorchRay `imsmooth` padding_mode).
public enum SmoothPadding: String, Hashable, Sendable {
    case constant, replicate
}

/// TorchRay's 1-D Gaussian taps for `sigma`, computed in float32 exactly as `imsmooth` does:
/// x / (√2·σ + ε) over x = -w…w with w = ⌈4σ⌉, then exp(-x²) normalised to sum 1.
func gaussianTaps(sigma: Float) -> [Float] {
    let sqrtTwo = Float(2).squareRoot()
    let epsilon: Float = 1.19209290e-07
    let width = Int((4 * sigma).rounded(.up))
    let denominator = sqrtTwo * sigma + epsilon
    var taps = (-width...width).map { i -> Float in
        let x = Float(i) / denominator
        return Foundation.exp(-x * x)
    }
    let total = taps.reduce(0, +)
    for i in taps.indices { taps[i] /= total }
    return taps
}
