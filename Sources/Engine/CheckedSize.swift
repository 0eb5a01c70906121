// Sizes, counts, strides and offsets read from files are attacker-controlled: plain `*` and `+` trap on
// overflow and `Int(_:)` traps on an out-of-range value. Every loader does its size arithmetic through
// these helpers, which return nil instead, so the loader can throw an error naming the file and the field.

/// Overflow-checked arithmetic for sizes read from untrusted files; nil means "overflows or is negative".
public enum CheckedSize {
    /// `a × b`, or nil on overflow.
    @inlinable public static func multiply(_ a: Int, _ b: Int) -> Int? {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : value
    }

    /// `a + b`, or nil on overflow.
    @inlinable public static func add(_ a: Int, _ b: Int) -> Int? {
        let (value, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : value
    }

    /// `a − b`, or nil on overflow.
    @inlinable public static func subtract(_ a: Int, _ b: Int) -> Int? {
        let (value, overflow) = a.subtractingReportingOverflow(b)
        return overflow ? nil : value
    }

    /// The value as an Int when it fits (a 64-bit unsigned size above `Int.max` does not).
    @inlinable public static func int<T: BinaryInteger>(_ value: T) -> Int? { Int(exactly: value) }

    /// The product of non-negative sizes (1 for none), or nil when one is negative or the product overflows.
    /// A zero anywhere gives 0 even beside sizes whose product alone would overflow.
    public static func product<S: Sequence<Int>>(_ sizes: S) -> Int? {
        var result = 1
        var overflowed = false
        var zero = false
        for size in sizes {
            guard size >= 0 else { return nil }
            if size == 0 { zero = true }
            if zero || overflowed { continue }
            guard let next = multiply(result, size) else { overflowed = true; continue }
            result = next
        }
        return zero ? 0 : (overflowed ? nil : result)
    }

    /// Bytes of `count` elements of `width` bytes each, or nil when negative or overflowing.
    @inlinable public static func bytes(count: Int, width: Int) -> Int? {
        guard count >= 0, width >= 0 else { return nil }
        return multiply(count, width)
    }

    /// Row-major strides of a contiguous tensor of `shape` (0 for every dimension of an empty tensor, whose
    /// strides are never used), or nil when a partial product overflows.
    public static func contiguousStrides(_ shape: [Int]) -> [Int]? {
        guard let total = product(shape) else { return nil }
        if total == 0 { return [Int](repeating: 0, count: shape.count) }
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for d in shape.indices.reversed() {
            strides[d] = running
            // Cannot overflow: every partial product divides `total`.
            running &*= shape[d]
        }
        return strides
    }

    /// The number of storage elements a strided view needs: one past the largest element index it touches
    /// (0 for an empty view). Size-1 dimensions contribute nothing, whatever their stride. Nil when the offset
    /// or a stride is negative, the ranks differ, or the arithmetic overflows.
    public static func viewExtent(offset: Int, shape: [Int], strides: [Int]) -> Int? {
        guard offset >= 0, shape.count == strides.count, let count = product(shape) else { return nil }
        if count == 0 { return 0 }
        var last = offset
        for (size, stride) in zip(shape, strides) where size > 1 {
            guard stride >= 0, let step = multiply(size - 1, stride), let sum = add(last, step) else { return nil }
            last = sum
        }
        return add(last, 1)
    }
}

/// Error-message hygiene for text that comes from files: one line, bounded length.
public enum MessageText {
    /// The longest message (in characters) an error prints; longer ones are cut with a note.
    public static let maxLength = 600

    /// `text` on one line (control characters shown as spaces) and at most `limit` characters.
    public static func clipped(_ text: String, limit: Int = maxLength) -> String {
        var out = ""
        var count = 0
        var total = 0
        for ch in text {
            total += 1
            guard count < limit else { continue }
            out.append(ch.isNewline || ch.asciiValue.map { $0 < 0x20 || $0 == 0x7F } == true ? " " : ch)
            count += 1
        }
        return total > limit ? out + "… (\(total - limit) more characters)" : out
    }
}
