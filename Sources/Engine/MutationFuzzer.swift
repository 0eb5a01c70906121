/// Deterministic mutations of a seed file, for the robustness tests of every loader: the same seed and case
/// number always give the same bytes, so a failure reproduces from its case number alone. The mutations aim at
/// what loaders trust: length and count fields (64-bit values near the overflow points), truncation, copies.
public struct MutationFuzzer: Sequence, IteratorProtocol {
    private let seed: [UInt8]
    private let cases: Int
    private var state: UInt64
    /// Case number of the next mutation (0-based).
    public private(set) var caseNumber = 0

    /// `cases` mutations of `seed`, reproducible from `randomSeed`.
    public init(seed: [UInt8], cases: Int, randomSeed: UInt64 = 0x5EED) {
        self.seed = seed
        self.cases = cases
        self.state = randomSeed
    }

    /// Values that sit at the edges of size arithmetic.
    static let interesting: [UInt64] = [
        0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 1 << 40, 1 << 62,
        0x3FFF_FFFF_FFFF_FFFF, UInt64(Int64.max), 1 << 63, UInt64.max,
    ]

    /// SplitMix64: tiny, fast and good enough to spread mutations.
    private mutating func next64() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next64() % UInt64(n)) }

    /// The next mutated copy of the seed (1–4 mutations stacked), or nil after `cases`.
    public mutating func next() -> [UInt8]? {
        guard caseNumber < cases else { return nil }
        caseNumber += 1
        var bytes = seed
        for _ in 0...below(4) { mutate(&bytes) }
        return bytes
    }

    private mutating func mutate(_ bytes: inout [UInt8]) {
        guard !bytes.isEmpty else { bytes = [UInt8(truncatingIfNeeded: next64())]; return }
        let at = below(bytes.count)
        switch below(7) {
        case 0:  // flip one bit
            bytes[at] ^= 1 << UInt8(below(8))
        case 1:  // an interesting byte
            bytes[at] = UInt8(truncatingIfNeeded: Self.interesting[below(Self.interesting.count)])
        case 2, 3:  // an interesting little-endian value of 2, 4 or 8 bytes (length and count fields)
            let width = [2, 4, 8][below(3)]
            let value = Self.interesting[below(Self.interesting.count)]
            for i in 0..<width where at + i < bytes.count { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
        case 4:  // truncate
            bytes.removeSubrange(at...)
        case 5:  // duplicate a chunk in place (repeats structures: nesting, entries)
            let length = Swift.min(below(64) + 1, bytes.count - at)
            bytes.insert(contentsOf: bytes[at..<(at + length)], at: at)
        default:  // a decimal digit run (text headers: shapes, lengths)
            let digits = Array(String(Self.interesting[below(Self.interesting.count)]).utf8)
            bytes.replaceSubrange(at..<Swift.min(bytes.count, at + digits.count), with: digits)
        }
    }
}
