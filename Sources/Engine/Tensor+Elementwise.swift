import Foundation

// Element-wise arithmetic (NumPy broadcasting, so same shapes and [N,C,1,1]·[N,C,H,W] both work),
// scalar forms, and unary maps. All differentiable except `map` and `zip`.

extension Tensor {
    /// Element-wise sum with broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        recording(.add, [a, b], a.shape == b.shape ? parallelZip(a, b, AddKernel())
                                    : broadcastMap(a, b, "+", file: #file, line: #line) { $0 + $1 })
    }

    /// Element-wise difference with broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        recording(.sub, [a, b], a.shape == b.shape ? parallelZip(a, b, SubKernel())
                                    : broadcastMap(a, b, "-", file: #file, line: #line) { $0 - $1 })
    }

    /// Element-wise product with broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        recording(.mul, [a, b], a.shape == b.shape ? parallelZip(a, b, MulKernel())
                                    : broadcastMap(a, b, "*", file: #file, line: #line) { $0 * $1 })
    }

    /// Element-wise quotient with broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        recording(.div, [a, b], a.shape == b.shape ? parallelZip(a, b, DivKernel())
                                    : broadcastMap(a, b, "/", file: #file, line: #line) { $0 / $1 })
    }

    /// Adds a constant to every element.
    public static func + (a: Tensor, s: Float) -> Tensor { recording(.addScalar, [a], parallelMap(a, AffineKernel(scale: 1, shift: s))) }
    /// Adds a constant to every element.
    public static func + (s: Float, a: Tensor) -> Tensor { a + s }
    /// Subtracts a constant from every element.
    public static func - (a: Tensor, s: Float) -> Tensor { a + (-s) }
    /// A constant minus every element.
    public static func - (s: Float, a: Tensor) -> Tensor { (-a) + s }
    /// Multiplies every element by a constant.
    public static func * (a: Tensor, s: Float) -> Tensor { recording(.mulScalar(s), [a], parallelMap(a, AffineKernel(scale: s, shift: 0))) }
    /// Multiplies every element by a constant.
    public static func * (s: Float, a: Tensor) -> Tensor { a * s }
    /// Divides every element by a constant.
    public static func / (a: Tensor, s: Float) -> Tensor {
        recording(.mulScalar(1 / s), [a], unaryMap(a) { $0 / s })
    }
    /// A constant divided by every element.
    public static func / (s: Float, a: Tensor) -> Tensor {
        recording(.reciprocalTimes(s), [a], unaryMap(a) { s / $0 })
    }
    /// Negation.
    public static prefix func - (a: Tensor) -> Tensor { a * -1 }

    /// In-place forms (a new tensor is assigned; the graph records the out-of-place op).
    public static func += (a: inout Tensor, b: Tensor) { a = a + b }
    /// In-place difference.
    public static func -= (a: inout Tensor, b: Tensor) { a = a - b }
    /// In-place product.
    public static func *= (a: inout Tensor, b: Tensor) { a = a * b }
    /// In-place scaling.
    public static func *= (a: inout Tensor, s: Float) { a = a * s }
    /// In-place quotient.
    public static func /= (a: inout Tensor, b: Tensor) { a = a / b }
    /// In-place division by a constant.
    public static func /= (a: inout Tensor, s: Float) { a = a / s }

    /// Each element limited to `[min, max]` (either bound may be nil); gradient passes where min ≤ x ≤ max.
    public func clamped(min lo: Float? = nil, max hi: Float? = nil) -> Tensor {
        let l = lo ?? -.infinity, h = hi ?? .infinity
        return Tensor.recording(.clamp(min: lo, max: hi), [self], unaryMap(self) { Swift.min(Swift.max($0, l), h) })
    }

    /// Absolute value; gradient sign(x) (0 at 0).
    public func abs() -> Tensor { Tensor.recording(.abs, [self], unaryMap(self) { Swift.abs($0) }) }

    /// e^x.
    public func exp() -> Tensor { Tensor.recording(.exp, [self], unaryMap(self) { Foundation.exp($0) }) }

    /// Logistic sigmoid 1 / (1 + e^-x).
    public func sigmoid() -> Tensor {
        Tensor.recording(.sigmoid, [self], unaryMap(self) { 1 / (1 + Foundation.exp(-$0)) })
    }

    /// max(x, 0); gradient 1 where x > 0 (PyTorch: 0 at x = 0).
    public func relu() -> Tensor { Tensor.recording(.relu, [self], parallelMap(self, ReLUKernel())) }

    /// min(max(x, 0), 6); gradient 1 where 0 < x < 6.
    public func relu6() -> Tensor {
        Tensor.recording(.relu6, [self], parallelMap(self, ReLU6Kernel()))
    }

    /// Identity: dropout in evaluation mode.
    public func dropout() -> Tensor { self }

    /// Applies `transform` to every element (not differentiable: the result has no history).
    public func map(_ transform: (Float) throws -> Float) rethrows -> Tensor {
        let out = Tensor.uninitialized(shape)
        let xp = pointer, op = out.pointer
        for i in 0..<count { op[i] = try transform(xp[i]) }
        return out
    }

    /// Combines two same-shaped tensors element by element (not differentiable).
    public static func zip(
        _ a: Tensor, _ b: Tensor, file: StaticString = #file, line: UInt = #line,
        _ combine: (Float, Float) throws -> Float
    ) rethrows -> Tensor {
        guard a.shape == b.shape else { fail("Tensor.zip: shapes \(a.shape) and \(b.shape) differ", file: file, line: line) }
        let out = Tensor.uninitialized(a.shape)
        let ap = a.pointer, bp = b.pointer, op = out.pointer
        for i in 0..<a.count { op[i] = try combine(ap[i], bp[i]) }
        return out
    }
}
