import Engine
import Foundation
import Testing

/// Issue 12: checked size arithmetic, clipped messages, and `.npy` files whose header sizes overflow.
@Suite struct CheckedSizeTests {
    @Test func productsOverflowToNil() {
        #expect(CheckedSize.product([2, 3, 4]) == 24)
        #expect(CheckedSize.product([Int]()) == 1)
        #expect(CheckedSize.product([1 << 32, 1 << 31]) == nil)
        #expect(CheckedSize.product([1 << 62, 1 << 62, 0]) == 0, "a zero anywhere makes the product 0")
        #expect(CheckedSize.product([3, -1]) == nil)
        #expect(CheckedSize.bytes(count: 1 << 62, width: 4) == nil)
        #expect(CheckedSize.bytes(count: 1 << 40, width: 4) == 1 << 42)
        #expect(CheckedSize.add(Int.max, 1) == nil)
        #expect(CheckedSize.subtract(Int.min + 1, Int.max) == nil)
        #expect(CheckedSize.int(UInt64(1) << 63) == nil)
        #expect(CheckedSize.int(UInt64(1) << 40) == 1 << 40)
    }

    @Test func viewExtentIgnoresSizeOneDimensionsAndChecksTheRest() {
        #expect(CheckedSize.viewExtent(offset: 0, shape: [2, 3], strides: [3, 1]) == 6)
        #expect(CheckedSize.viewExtent(offset: 4, shape: [1, 6], strides: [Int.max, 1]) == 10)
        #expect(CheckedSize.viewExtent(offset: 0, shape: [2, 2], strides: [Int.max, 1]) == nil)
        #expect(CheckedSize.viewExtent(offset: 0, shape: [1 << 31], strides: [0]) == 1, "stride 0 reaches one element")
        #expect(CheckedSize.viewExtent(offset: -1, shape: [1], strides: [1]) == nil)
        #expect(CheckedSize.viewExtent(offset: 5, shape: [0, 7], strides: [1, 1]) == 0)
        #expect(CheckedSize.viewExtent(offset: 0, shape: [2], strides: [1, 1]) == nil, "ranks differ")
        #expect(CheckedSize.contiguousStrides([2, 3, 4]) == [12, 4, 1])
        #expect(CheckedSize.contiguousStrides([0, 1 << 62, 1 << 62]) == [0, 0, 0])
    }

    @Test func messagesAreOneLineAndClipped() {
        #expect(MessageText.clipped("a\nb\rc") == "a b c")
        let long = MessageText.clipped(String(repeating: "x", count: 10_000), limit: 100)
        #expect(long.hasPrefix(String(repeating: "x", count: 100) + "…"))
        #expect(long.hasSuffix("(9900 more characters)"))
    }
}

@Suite struct UntrustedNPYTests {
    /// A version-1 `.npy` file with `header` (padded) and `data`.
    static func npy(_ header: String, data: [UInt8] = []) -> [UInt8] {
        var text = header
        while (10 + text.utf8.count + 1) % 64 != 0 { text += " " }
        text += "\n"
        let length = text.utf8.count
        return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(text.utf8) + data
    }

    func error(_ bytes: [UInt8]) -> NPYError? {
        do { _ = try NPY.parse(bytes, path: "crafted.npy"); return nil } catch let e as NPYError { return e } catch { return nil }
    }

    @Test(arguments: [
        "(4611686018427387904, 4)",  // product overflows
        "(2305843009213693952,)",  // count × 4 overflows
        "(4611686018427387904, 4611686018427387904, 0)",  // zero beside an overflowing pair
        "(99999999999999999999999,)",  // not an Int at all
    ])
    func overflowingShapesAreHeaderErrors(shape: String) {
        let e = error(Self.npy("{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }", data: [0, 0, 0, 0]))
        guard case .badHeader(let path, _)? = e else {
            Issue.record("expected .badHeader, got \(String(describing: e))")
            return
        }
        #expect(path == "crafted.npy")
        #expect(e!.description.contains("crafted.npy"))
    }

    @Test func int64CountTimesItemsizeOverflowIsAnError() {
        let e = error(Self.npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1152921504606846976,), }"))
        #expect(e != nil)
        #expect(e.map { "\($0)".contains("crafted.npy") } == true)
    }

    @Test func hugeButRepresentableShapeIsTruncatedNotAllocated() {
        // 2^40 float32 elements: the size is computable but the file holds 4 bytes; nothing is allocated.
        let e = error(Self.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776,), }", data: [0, 0, 0, 0]))
        guard case .truncated(_, let expected, let actual)? = e else {
            Issue.record("expected .truncated, got \(String(describing: e))")
            return
        }
        #expect(expected == 1 << 42)
        #expect(actual == 4)
    }

    @Test func mutatedNPYFilesFailCleanly() {
        let seeds = [
            NPY.encode(.float32([1, 2, 3, 4, 5, 6], [2, 3])),
            NPY.encode(.int64([7, -8], [2])),
            NPY.encode(.float32([], [0, 5])),
        ]
        var failures = 0
        for (n, seed) in seeds.enumerated() {
            var fuzzer = MutationFuzzer(seed: seed, cases: 3_000, randomSeed: UInt64(n + 1))
            while let bytes = fuzzer.next() {
                do {
                    let array = try NPY.parse(bytes, path: "fuzz.npy")
                    // A file that parses must hold exactly what its shape says.
                    switch array {
                    case .float32(let values, let shape): #expect(values.count == CheckedSize.product(shape))
                    case .int64(let values, let shape): #expect(values.count == CheckedSize.product(shape))
                    }
                } catch let error as NPYError {
                    failures += 1
                    let message = error.description
                    if !message.hasPrefix("fuzz.npy") || message.contains("\n") {
                        Issue.record("seed \(n) case \(fuzzer.caseNumber - 1): \(message)")
                    }
                } catch {
                    Issue.record("seed \(n) case \(fuzzer.caseNumber - 1): untyped error \(error)")
                }
            }
        }
        #expect(failures > 1_000)
    }
}
