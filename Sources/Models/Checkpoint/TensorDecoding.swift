import Engine

/// Turns raw little-endian storage bytes into a `StateTensor`, honouring PyTorch's element offset and strides
/// (a tensor may be a view into a storage shared with other tensors).
enum TensorDecoding {
    /// Decodes `shape`/`strides` elements starting at element `offset` of `storage` (whose element type is
    /// `dtype`). Throws when the shape overflows, when the view reaches outside the storage or holds more
    /// elements than the storage, or when the file's decode budget is spent.
    static func decode(
        _ storage: UnsafeRawBufferPointer, dtype: StoredDType, offset: Int, shape: [Int], strides: [Int],
        file: String, key: String, budget: inout DecodeBudget
    ) throws -> StateTensor {
        let width = dtype.byteWidth
        let storageCount = storage.count / width
        func corrupt(_ detail: String) -> ModelError {
            .corruptCheckpoint(file: file, detail: "tensor '\(key)' (shape \(shape), strides \(strides), offset \(offset)) \(detail)")
        }
        // Sizes, strides and the offset come from the file: all arithmetic on them is checked.
        // The product must also fit without its zeros: shape code elsewhere multiplies dimensions in order.
        guard let count = CheckedSize.product(shape), CheckedSize.product(shape.lazy.filter { $0 != 0 }) != nil else {
            throw corrupt("has a shape whose element count overflows")
        }
        guard let extent = CheckedSize.viewExtent(offset: offset, shape: shape, strides: strides) else {
            throw corrupt("has a negative or overflowing offset or stride")
        }
        guard extent <= storageCount else {
            throw corrupt("reaches element \(extent - 1) of a storage with \(storageCount) elements")
        }
        // A view cannot hold more elements than the bytes behind it (stride-0 views would otherwise turn one
        // stored element into gigabytes).
        guard count <= storageCount else {
            throw corrupt("has \(count) elements but its storage holds only \(storageCount)")
        }
        try budget.charge(key: key, count: count, width: width, integer: dtype.isInteger)
        // nil when the view is contiguous: element n then sits at offset + n.
        let gathered = gatherIndices(offset: offset, shape: shape, strides: strides, count: count)
        func index(_ n: Int) -> Int { gathered?[n] ?? (offset &+ n) }
        if dtype.isInteger {
            var values = [Int64](repeating: 0, count: count)
            for n in 0..<count { values[n] = readInteger(storage, dtype, index(n)) }
            return StateTensor(integers: values, shape: shape, dtype: dtype)
        }
        // Decoded straight into the tensor's storage (no intermediate array: checkpoints can be hundreds of MB).
        let out = TensorStorage(count: count)
        let p = out.pointer
        switch dtype {
        case .float32:
            if let gathered {
                gathered.withUnsafeBufferPointer { indices in
                    for n in 0..<count {
                        p[n] = Float(bitPattern: UInt32(littleEndian: storage.loadUnaligned(fromByteOffset: indices[n] &* 4, as: UInt32.self)))
                    }
                }
            } else if UInt32(littleEndian: 1) == 1 {
                // Contiguous on a little-endian machine: the stored bytes are the floats.
                UnsafeMutableRawPointer(p).copyMemory(from: storage.baseAddress! + offset &* 4, byteCount: count &* 4)
            } else {
                for n in 0..<count {
                    p[n] = Float(bitPattern: UInt32(littleEndian: storage.loadUnaligned(fromByteOffset: (offset &+ n) &* 4, as: UInt32.self)))
                }
            }
        case .float64:
            for n in 0..<count {
                p[n] = Float(Double(bitPattern: UInt64(littleEndian: storage.loadUnaligned(fromByteOffset: index(n) &* 8, as: UInt64.self))))
            }
        case .float16:
            for n in 0..<count {
                p[n] = halfToFloat(UInt16(littleEndian: storage.loadUnaligned(fromByteOffset: index(n) &* 2, as: UInt16.self)))
            }
        case .bfloat16:
            for n in 0..<count {
                let bits = UInt16(littleEndian: storage.loadUnaligned(fromByteOffset: index(n) &* 2, as: UInt16.self))
                p[n] = Float(bitPattern: UInt32(bits) << 16)
            }
        default:
            break
        }
        return StateTensor(Tensor(shape: shape, storage: out), dtype: dtype)
    }

    /// Storage element index of each tensor element in row-major order; nil for a contiguous view. The caller
    /// has checked that every index lies inside the storage, so the wrapping arithmetic here cannot wrap.
    private static func gatherIndices(offset: Int, shape: [Int], strides rawStrides: [Int], count: Int) -> [Int]? {
        guard count > 0 else { return nil }
        // A size-1 dimension never moves the index, whatever stride the file gives it.
        let strides = zip(shape, rawStrides).map { $0 == 1 ? 0 : $1 }
        // Contiguous views (the usual case) need no odometer.
        var contiguous = true
        var expected = 1
        for d in shape.indices.reversed() where shape[d] != 1 {
            if strides[d] != expected { contiguous = false; break }
            expected &*= shape[d]
        }
        if contiguous { return nil }
        // An odometer over every dimension but the last, and a tight loop along the last (~10× faster than stepping
        // the odometer per element, which took ~25 ms of each load of the course's Lite0 checkpoint).
        let rank = shape.count
        let inner = shape[rank - 1], innerStride = strides[rank - 1]
        let rows = count / max(inner, 1)
        var counter = [Int](repeating: 0, count: rank)
        var base = offset
        return [Int](unsafeUninitializedCapacity: count) { buffer, initialized in
            var n = 0
            for _ in 0..<rows {
                var index = base
                for _ in 0..<inner {
                    buffer[n] = index
                    n &+= 1
                    index &+= innerStride
                }
                var d = rank - 2
                while d >= 0 {
                    counter[d] &+= 1
                    base &+= strides[d]
                    if counter[d] < shape[d] { break }
                    base &-= strides[d] &* shape[d]
                    counter[d] = 0
                    d -= 1
                }
            }
            initialized = n
        }
    }

    private static func readInteger(_ storage: UnsafeRawBufferPointer, _ dtype: StoredDType, _ i: Int) -> Int64 {
        switch dtype {
        case .int64: Int64(littleEndian: storage.loadUnaligned(fromByteOffset: i &* 8, as: Int64.self))
        case .int32: Int64(Int32(littleEndian: storage.loadUnaligned(fromByteOffset: i &* 4, as: Int32.self)))
        case .int16: Int64(Int16(littleEndian: storage.loadUnaligned(fromByteOffset: i &* 2, as: Int16.self)))
        case .int8: Int64(storage.load(fromByteOffset: i, as: Int8.self))
        case .uint8, .bool: Int64(storage[i])
        default: 0
        }
    }

    /// IEEE half → single, including subnormals, infinities and NaN (no Float16 dependency: not on every platform).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int((h >> 10) & 0x1F)
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0 {
            // Zero or subnormal: mantissa · 2^-24.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        }
        if exponent == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
        return Float(bitPattern: sign | UInt32(exponent + 112) << 23 | (mantissa << 13))
    }
}
