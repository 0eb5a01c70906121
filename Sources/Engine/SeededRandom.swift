import Foundation

/// The engine's seeded random numbers: SplitMix64 (Steele, Lea, Flood 2014), tiny, fast and identical on
/// every platform, so a seed names the same noise everywhere.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose whole sequence is fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
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
    public static func randomNormal(_ shape: [Int], mean: Float = 0, std: Float = 1, using generator: inout SeededRandom) -> Tensor {
        let out = Tensor.uninitialized(shape)
        let p = out.pointer
        for i in 0..<out.count { p[i] = mean + std * Float(generator.nextNormal()) }
        return out
    }
}
