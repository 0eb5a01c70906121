/// A value produced by the minimal unpickler. Only what PyTorch state dicts use is modelled; any other object
/// becomes `.object` and is rejected where a tensor or dict is required. Containers live in reference-type
/// nodes whose release is iterative, so a crafted pickle nesting 10^6 levels deep cannot overflow the stack
/// when it is freed.
enum PickleValue {
    case none
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple(PickleList)
    case list(PickleList)
    case dict(PickleDict)
    /// A class or function named by GLOBAL / STACK_GLOBAL ("torch._utils", "_rebuild_tensor_v2").
    case global(module: String, name: String)
    /// The result of calling a callable we do not interpret: the node's first item is the callable, the
    /// rest are the arguments.
    case object(PickleList)
    /// A storage reference produced by the persistent-load callback.
    case storage(StorageRef)
    /// A tensor view into a storage (from `_rebuild_tensor_v2`).
    case tensor(TensorRef)

    /// The value as an Int, if it is one.
    var int: Int? { if case let .int(v) = self { return Int(v) } else { return nil } }

    /// The value as a String (unicode or byte string decoded as UTF-8), if it is one.
    var string: String? {
        switch self {
        case let .string(s): return s
        case let .bytes(b): return String(decoding: b, as: UTF8.self)
        default: return nil
        }
    }

    /// Elements of a tuple or list.
    var elements: [PickleValue]? {
        switch self {
        case let .tuple(node), let .list(node): return node.items
        default: return nil
        }
    }

    /// Nesting depth: 0 for scalars, 1 + the deepest element for containers.
    var depth: Int {
        switch self {
        case let .tuple(node), let .list(node), let .object(node): return node.depth
        case let .dict(dict): return dict.depth
        default: return 0
        }
    }

    /// Short description for error messages (iterative: a chain of a million calls stays one short line).
    var typeName: String {
        var value = self
        var calls = 0
        while case let .object(node) = value, let callable = node.items.first {
            value = callable
            calls += 1
        }
        let base: String
        switch value {
        case .none: base = "None"
        case .bool: base = "bool"
        case .int: base = "int"
        case .float: base = "float"
        case .string: base = "str"
        case .bytes: base = "bytes"
        case .tuple: base = "tuple"
        case .list: base = "list"
        case .dict: base = "dict"
        case let .global(m, n): base = "\(m).\(n)"
        case .object: base = "object"
        case .storage: base = "storage"
        case .tensor: base = "tensor"
        }
        switch calls {
        case 0: return base
        case 1: return "object from \(base)"
        default: return "object from \(calls) nested calls of \(base)"
        }
    }

    /// The container node this value holds, if any.
    fileprivate var node: PickleList? {
        switch self {
        case let .tuple(node), let .list(node), let .object(node): return node
        default: return nil
        }
    }

    fileprivate var dictNode: PickleDict? { if case let .dict(dict) = self { return dict } else { return nil } }

    /// Releases `values` without recursion: the elements of every container that only this walk still holds
    /// are moved onto a work list before the container itself is freed.
    fileprivate static func dismantle(_ values: inout [PickleValue]) {
        // Take the buffer over (no copy): a second reference to it would keep every child non-unique.
        var pending: [PickleValue] = []
        swap(&pending, &values)
        while !pending.isEmpty {
            var value = pending.removeLast()
            if var node = value.node {
                value = .none
                if isKnownUniquelyReferenced(&node) {
                    pending.append(contentsOf: node.items)
                    node.items = []
                }
            } else if var dict = value.dictNode {
                value = .none
                if isKnownUniquelyReferenced(&dict) {
                    for pair in dict.pairs { pending.append(pair.key); pending.append(pair.value) }
                    dict.pairs = []
                }
            }
        }
    }
}

/// A pickled tuple, list or call; a class because APPEND mutates a list that may also sit in the memo.
final class PickleList {
    var items: [PickleValue]
    /// 1 + the deepest element when the node was built or last appended to.
    var depth: Int

    init(_ items: [PickleValue] = []) {
        self.items = items
        self.depth = 1 + (items.lazy.map(\.depth).max() ?? 0)
    }

    deinit {
        var items: [PickleValue] = []
        swap(&items, &self.items)
        PickleValue.dismantle(&items)
    }
}

/// A pickled dict (or OrderedDict), keeping insertion order.
final class PickleDict {
    var pairs: [(key: PickleValue, value: PickleValue)] = []
    var depth = 1

    deinit {
        var values: [PickleValue] = []
        values.reserveCapacity(pairs.count * 2)
        for pair in pairs { values.append(pair.key); values.append(pair.value) }
        pairs = []
        PickleValue.dismantle(&values)
    }
}

/// One storage named by a persistent id: `('storage', torch.FloatStorage, key, location, numel, …)`.
struct StorageRef {
    let key: String
    let dtype: StoredDType
    /// Number of elements of the whole storage (as declared in the persistent id).
    let count: Int
}

/// A strided view into a storage, as `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …)`.
struct TensorRef {
    let storage: StorageRef
    let offset: Int
    let shape: [Int]
    let strides: [Int]
}

/// A minimal pickle interpreter (protocols 0–5 opcodes that `torch.save` emits; no arbitrary code runs:
/// callables are recognised by name, everything else stays an inert `.object`).
struct Unpickler {
    /// The whole file (or pickle entry); must stay valid while the unpickler is used.
    let bytes: UnsafeRawBufferPointer
    /// Used in error messages.
    let file: String
    /// Current read position (absolute index into `bytes`).
    private(set) var position: Int
    /// Start of this pickle stream, so opcode offsets are reported relative to it and absolute.
    private let start: Int
    /// Maps a persistent id (BINPERSID) to a value; torch uses it for storages.
    var persistentLoad: (PickleValue) throws -> PickleValue

    init(bytes: UnsafeRawBufferPointer, start: Int = 0, file: String,
         persistentLoad: @escaping (PickleValue) throws -> PickleValue = { _ in .none }) {
        self.bytes = bytes
        self.file = file
        self.start = start
        self.position = start
        self.persistentLoad = persistentLoad
    }

    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]

    /// Runs until STOP and returns the top of the stack; `position` is then just past STOP.
    mutating func load() throws -> PickleValue {
        stack.removeAll(keepingCapacity: true)
        marks.removeAll()
        memo.removeAll()
        while true {
            let opOffset = position
            let op = try readByte()
            switch op {
            case 0x80: _ = try readByte()  // PROTO n
            case 0x95: _ = try read(8)  // FRAME: framing is only a hint for buffered readers
            case 0x2E:  // STOP
                guard let top = stack.popLast() else { throw malformed("STOP with an empty stack") }
                return top
            case 0x28: marks.append(stack.count)  // MARK
            case 0x29: stack.append(.tuple(PickleList()))  // EMPTY_TUPLE
            case 0x5D: stack.append(.list(PickleList()))  // EMPTY_LIST
            case 0x7D: stack.append(.dict(PickleDict()))  // EMPTY_DICT
            case 0x4E: stack.append(.none)  // NONE
            case 0x88: stack.append(.bool(true))  // NEWTRUE
            case 0x89: stack.append(.bool(false))  // NEWFALSE
            case 0x4B: stack.append(.int(Int64(try readByte())))  // BININT1
            case 0x4D: stack.append(.int(Int64(try readUInt(2))))  // BININT2
            case 0x4A: stack.append(.int(Int64(Int32(truncatingIfNeeded: try readUInt(4)))))  // BININT
            case 0x8A: stack.append(.int(try readLong(length: Int(try readByte()))))  // LONG1
            case 0x8B: stack.append(.int(try readLong(length: try readLength(4))))  // LONG4
            case 0x49: stack.append(try parseTextInt(try readLine()))  // INT (protocol 0)
            case 0x4C: stack.append(try parseTextInt(try readLine().replacingOccurrences(of: "L", with: "")))  // LONG
            case 0x47: stack.append(.float(Double(bitPattern: try readUIntBigEndian(8))))  // BINFLOAT
            case 0x58: stack.append(.string(try readUTF8(try readLength(4))))  // BINUNICODE
            case 0x8C: stack.append(.string(try readUTF8(Int(try readByte()))))  // SHORT_BINUNICODE
            case 0x8D: stack.append(.string(try readUTF8(try readLength(8))))  // BINUNICODE8
            case 0x55: stack.append(.bytes(try read(Int(try readByte()))))  // SHORT_BINSTRING
            case 0x54: stack.append(.bytes(try read(try readLength(4))))  // BINSTRING
            case 0x43: stack.append(.bytes(try read(Int(try readByte()))))  // SHORT_BINBYTES
            case 0x42: stack.append(.bytes(try read(try readLength(4))))  // BINBYTES
            case 0x8E: stack.append(.bytes(try read(try readLength(8))))  // BINBYTES8
            case 0x63:  // GLOBAL "module\nname\n"
                let module = try readLine()
                let name = try readLine()
                stack.append(.global(module: module, name: name))
            case 0x93:  // STACK_GLOBAL
                let name = try pop()
                let module = try pop()
                guard let m = module.string, let n = name.string else { throw malformed("STACK_GLOBAL needs two strings") }
                stack.append(.global(module: m, name: n))
            case 0x85: stack.append(.tuple(try node([try pop()])))  // TUPLE1
            case 0x86:  // TUPLE2
                let b = try pop(), a = try pop()
                stack.append(.tuple(try node([a, b])))
            case 0x87:  // TUPLE3
                let c = try pop(), b = try pop(), a = try pop()
                stack.append(.tuple(try node([a, b, c])))
            case 0x74: stack.append(.tuple(try node(try popMark())))  // TUPLE
            case 0x6C:  // LIST
                stack.append(.list(try node(try popMark())))
            case 0x64:  // DICT
                let dict = PickleDict()
                try addPairs(try popMark(), to: dict)
                stack.append(.dict(dict))
            case 0x61:  // APPEND
                let item = try pop()
                let target = try list(at: stack.count - 1)
                try deepen(&target.depth, by: [item])
                target.items.append(item)
            case 0x65:  // APPENDS
                let items = try popMark()
                let target = try list(at: stack.count - 1)
                try deepen(&target.depth, by: items)
                target.items.append(contentsOf: items)
            case 0x73:  // SETITEM
                let value = try pop(), key = try pop()
                try addPairs([key, value], to: try dict(at: stack.count - 1))
            case 0x75:  // SETITEMS
                let items = try popMark()
                try addPairs(items, to: try dict(at: stack.count - 1))
            case 0x71: memo[Int(try readByte())] = try top()  // BINPUT
            case 0x72: memo[try readLength(4)] = try top()  // LONG_BINPUT
            case 0x94: memo[memo.count] = try top()  // MEMOIZE
            case 0x70:  // PUT (text)
                guard let index = Int(try readLine()) else { throw malformed("PUT index is not an integer") }
                memo[index] = try top()
            case 0x68: stack.append(try memoValue(Int(try readByte())))  // BINGET
            case 0x6A: stack.append(try memoValue(try readLength(4)))  // LONG_BINGET
            case 0x67:  // GET (text)
                guard let index = Int(try readLine()) else { throw malformed("GET index is not an integer") }
                stack.append(try memoValue(index))
            case 0x30: _ = try pop()  // POP
            case 0x31: _ = try popMark()  // POP_MARK
            case 0x32: stack.append(try top())  // DUP
            case 0x51: stack.append(try persistentLoad(try pop()))  // BINPERSID
            case 0x52:  // REDUCE
                let args = try pop()
                let callable = try pop()
                guard let argList = args.elements else { throw malformed("REDUCE arguments are \(args.typeName), not a tuple") }
                stack.append(try call(callable, argList))
            case 0x81:  // NEWOBJ cls.__new__(cls, *args)
                let args = try pop()
                let cls = try pop()
                stack.append(try call(cls, args.elements ?? []))
            case 0x62:  // BUILD: state on dicts (OrderedDict._metadata) and unknown objects is not needed
                _ = try pop()
                _ = try top()
            default:
                throw ModelError.unknownPickleOpcode(file: file, opcode: op, offset: opOffset)
            }
        }
    }

    // MARK: - Calls recognised by name

    /// Interprets the few callables torch state dicts use; others become inert objects.
    private func call(_ callable: PickleValue, _ args: [PickleValue]) throws -> PickleValue {
        guard case let .global(module, name) = callable else {
            return .object(try node([callable] + args))
        }
        switch (module, name) {
        case ("collections", "OrderedDict"), ("builtins", "dict"), ("__builtin__", "dict"):
            return .dict(PickleDict())
        case ("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_tensor"):
            guard args.count >= 4, case let .storage(storage) = args[0], let offset = args[1].int,
                let size = args[2].elements, let stride = args[3].elements
            else { throw malformed("\(name) expects (storage, offset, size, stride), got (\(args.map(\.typeName).joined(separator: ", ")))") }
            let shape = try size.map { v -> Int in
                guard let i = v.int, i >= 0 else { throw malformed("tensor size contains \(v.typeName)") }
                return i
            }
            let strides = try stride.map { v -> Int in
                guard let i = v.int, i >= 0 else { throw malformed("tensor stride contains \(v.typeName)") }
                return i
            }
            guard shape.count == strides.count else { throw malformed("tensor has \(shape.count) sizes but \(strides.count) strides") }
            return .tensor(TensorRef(storage: storage, offset: offset, shape: shape, strides: strides))
        case ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"):
            guard let first = args.first else { throw malformed("\(name) without arguments") }
            return first
        case ("collections", "defaultdict"):
            return .dict(PickleDict())
        default:
            return .object(try node([callable] + args))
        }
    }

    // MARK: - Stack helpers

    private mutating func pop() throws -> PickleValue {
        if let mark = marks.last, stack.count <= mark { throw malformed("pop across a MARK") }
        guard let v = stack.popLast() else { throw malformed("stack underflow at byte \(position - start)") }
        return v
    }

    private func top() throws -> PickleValue {
        guard let v = stack.last else { throw malformed("stack underflow at byte \(position - start)") }
        return v
    }

    private mutating func popMark() throws -> [PickleValue] {
        guard let mark = marks.popLast() else { throw malformed("no MARK on the stack at byte \(position - start)") }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    private func memoValue(_ index: Int) throws -> PickleValue {
        guard let v = memo[index] else { throw malformed("memo entry \(index) is used before it is set") }
        return v
    }

    private func list(at index: Int) throws -> PickleList {
        guard index >= 0, case let .list(list) = stack[index] else {
            throw malformed("APPEND target is \(index >= 0 ? stack[index].typeName : "missing"), not a list")
        }
        return list
    }

    private func dict(at index: Int) throws -> PickleDict {
        guard index >= 0, case let .dict(dict) = stack[index] else {
            throw malformed("SETITEM target is \(index >= 0 ? stack[index].typeName : "missing"), not a dict")
        }
        return dict
    }

    private func addPairs(_ items: [PickleValue], to dict: PickleDict) throws {
        guard items.count % 2 == 0 else { throw malformed("odd number of items for a dict") }
        try deepen(&dict.depth, by: items)
        for i in stride(from: 0, to: items.count, by: 2) { dict.pairs.append((items[i], items[i + 1])) }
    }

    /// A tuple/list/call node of `items`, refused when it would nest deeper than the limit.
    private func node(_ items: [PickleValue]) throws -> PickleList {
        let node = PickleList(items)
        try checkDepth(node.depth)
        return node
    }

    /// Raises a container's recorded depth for elements added to it, within the limit.
    private func deepen(_ depth: inout Int, by items: [PickleValue]) throws {
        for item in items where item.depth >= depth {
            depth = item.depth + 1
            try checkDepth(depth)
        }
    }

    private func checkDepth(_ depth: Int) throws {
        guard depth <= CheckpointLimits.maxPickleNesting else {
            throw malformed("containers nest deeper than \(CheckpointLimits.maxPickleNesting) levels at byte \(position - start)")
        }
    }

    private func malformed(_ detail: String) -> ModelError {
        .malformedPickle(file: file, detail: detail)
    }

    // MARK: - Byte readers

    private mutating func readByte() throws -> UInt8 {
        guard position < bytes.count else {
            throw ModelError.truncated(file: file, detail: "pickle stream ends at byte \(position) before STOP")
        }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func read(_ n: Int) throws -> [UInt8] {
        guard n >= 0, n <= bytes.count - position else {
            throw ModelError.truncated(file: file, detail: "pickle needs \(n) bytes at byte \(position), file has \(bytes.count - position) left")
        }
        defer { position += n }
        return Array(bytes[position..<(position + n)])
    }

    private mutating func readUInt(_ n: Int) throws -> UInt64 {
        let b = try read(n)
        var v: UInt64 = 0
        for i in (0..<n).reversed() { v = v << 8 | UInt64(b[i]) }
        return v
    }

    private mutating func readUIntBigEndian(_ n: Int) throws -> UInt64 {
        try read(n).reduce(0) { $0 << 8 | UInt64($1) }
    }

    private mutating func readLength(_ n: Int) throws -> Int {
        let v = try readUInt(n)
        guard v <= UInt64(bytes.count) else {
            throw ModelError.truncated(file: file, detail: "pickle length \(v) at byte \(position - n) exceeds the file size \(bytes.count)")
        }
        return Int(v)
    }

    /// Little-endian two's-complement integer of `length` bytes (LONG1/LONG4), limited to 64 bits.
    private mutating func readLong(length: Int) throws -> Int64 {
        let b = try read(length)
        guard length <= 8 else { throw malformed("integer of \(length) bytes does not fit 64 bits") }
        guard length > 0 else { return 0 }
        var v: UInt64 = 0
        for i in (0..<length).reversed() { v = v << 8 | UInt64(b[i]) }
        if length < 8, b[length - 1] & 0x80 != 0 { v |= ~UInt64(0) << UInt64(8 * length) }  // sign-extend
        return Int64(bitPattern: v)
    }

    private mutating func readUTF8(_ n: Int) throws -> String {
        String(decoding: try read(n), as: UTF8.self)
    }

    private mutating func readLine() throws -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else {
            throw ModelError.truncated(file: file, detail: "pickle text field at byte \(position) has no end of line")
        }
        defer { position = end + 1 }
        return String(decoding: bytes[position..<end], as: UTF8.self)
    }

    private func parseTextInt(_ text: String) throws -> PickleValue {
        switch text {
        case "00": return .bool(false)
        case "01": return .bool(true)
        default:
            guard let v = Int64(text) else { throw malformed("INT '\(text)' is not an integer") }
            return .int(v)
        }
    }
}
