import Foundation

/// The engine's seeded pseudo-random generator: SplitMix64 (Steele, Lea, Flood 2014; the constants of
/// Vigna's reference `splitmix64.c`). Small, fast, and bit-reproducible on every platform, which is
/// what RISE's masks (whose parity fixtures depend on this exact stream), SmoothGrad's noise and the course's
/// seeded examples need; the engine's only seeded generator. Not for cryptography.
///
/// ```swift
/// var rng = SplitMix64(seed: 0)
/// let u = rng.nextUnitFloat()        // [0, 1), 24 random bits
/// let shift = rng.nextInt(below: 32) // 0..<32, unbiased
/// let z = rng.nextNormal()           // standard normal (Box–Muller)
/// ```
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The internal state; advanced by the golden-ratio increment on every draw.
    public private(set) var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A float uniform in [0, 1): the top 24 bits of the next draw, so every value is exactly representable.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// An integer uniform in 0..<`bound` (bound ≥ 1), without modulo bias (Lemire's multiply-and-reject).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound >= 1, "nextInt(below:) needs a bound ≥ 1, got \(bound)")
        let b = UInt64(bound)
        var product = next().multipliedFullWidth(by: b)
        if product.low < b {
            let threshold = (0 &- b) % b
            while product.low < threshold { product = next().multipliedFullWidth(by: b) }
        }
        return Int(product.high)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A standard normal sample (Box–Muller on two uniforms; the second of each pair is discarded to keep
    /// the stream position a function of the sample count only).
    public mutating func nextNormal() -> Double {
        let u1 = 1 - nextUnit()  // (0, 1]: log stays finite
        let u2 = nextUnit()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }
}

extension Tensor {
    /// A tensor of independent normal samples with mean `mean` and standard deviation `std`, drawn in
    /// row-major order from `generator`.
    public static func randomNormal(_ shape: [Int], mean: Float = 0, std: Float = 1, using generator: inout SplitMix64) -> Tensor {
        let out = Tensor.uninitialized(shape)
        let p = out.pointer
        for i in 0..<out.count { p[i] = mean + std * Float(generator.nextNormal()) }
        return out
    }
}
