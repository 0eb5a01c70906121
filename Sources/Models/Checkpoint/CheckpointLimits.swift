import Engine

/// What a checkpoint may ask the loader to allocate. Each limit follows from what a real file needs, so a
/// crafted file fails with a named error before memory is committed (see README, "Untrusted files").
public enum CheckpointLimits {
    /// Deepest nesting of pickle containers (tuples, lists, dicts, calls). State dicts nest fewer than 10 deep.
    public static let maxPickleNesting = 1_000
    /// Largest `data.pkl` of a zip checkpoint: it holds only names, shapes and storage keys (about 100 KB for
    /// the biggest torchvision model).
    public static let maxPickleBytes = 64 << 20
    /// Bytes that inflating compressed zip entries may produce per file: torch.save writes entries
    /// uncompressed, so only re-zipped files have any, and a deflate bomb stops here.
    public static let maxInflatedBytes = 128 << 20
    /// Decoded tensors may hold at most this many times the storage bytes the file holds (two tensors may
    /// share one storage, as tied weights do; more is a file that repeats one storage to blow up memory).
    public static let maxViewsPerStorageByte = 2
    /// Integer elements (counters such as `num_batches_tracked`, index buffers) per file: each is kept both as
    /// Int64 and Float, so a file of integer tensors would otherwise cost 12 bytes per stored byte.
    public static let maxIntegerElements = 1 << 24
}

/// Accounts the bytes a checkpoint's tensors decode to against the storage bytes the file actually holds.
struct DecodeBudget {
    let file: String
    /// Storage bytes read from the file so far (or mapped from it).
    private(set) var heldBytes = 0
    /// Storage bytes covered by the tensors decoded so far.
    private(set) var decodedBytes = 0
    private(set) var integerElements = 0

    init(file: String) { self.file = file }

    /// Records storage bytes the file holds.
    mutating func hold(_ bytes: Int) { heldBytes = CheckedSize.add(heldBytes, bytes) ?? Int.max }

    /// Charges one tensor of `count` elements of `width` bytes; throws when the file's tensors would decode to
    /// more than the limits allow.
    mutating func charge(key: String, count: Int, width: Int, integer: Bool) throws {
        let bytes = CheckedSize.bytes(count: count, width: width) ?? Int.max
        decodedBytes = CheckedSize.add(decodedBytes, bytes) ?? Int.max
        let allowed = CheckedSize.multiply(heldBytes, CheckpointLimits.maxViewsPerStorageByte) ?? Int.max
        guard decodedBytes <= allowed else {
            throw ModelError.corruptCheckpoint(
                file: file,
                detail: "tensor '\(key)' brings the decoded tensors to \(decodedBytes) bytes, more than \(CheckpointLimits.maxViewsPerStorageByte)× the \(heldBytes) storage bytes the file holds (views repeat the same data)")
        }
        if integer {
            integerElements = CheckedSize.add(integerElements, count) ?? Int.max
            guard integerElements <= CheckpointLimits.maxIntegerElements else {
                throw ModelError.corruptCheckpoint(
                    file: file,
                    detail: "tensor '\(key)' brings the integer tensors to \(integerElements) elements; at most \(CheckpointLimits.maxIntegerElements) are read")
            }
        }
    }
}
