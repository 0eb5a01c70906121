import Engine

/// A 2-D convolution over NCHW input; `weight` is `[out, in/groups, kh, kw]` (PyTorch layout), `bias` `[out]`.
public final class Conv2d: Module, @unchecked Sendable {
    /// Input channels.
    public let inChannels: Int
    /// Output channels.
    public let outChannels: Int
    /// (kh, kw).
    public let kernelSize: (Int, Int)
    /// (sh, sw).
    public let stride: (Int, Int)
    /// Zero padding per side (symmetric as in PyTorch, or asymmetric).
    public let padding: Padding2D
    /// (dh, dw).
    public let dilation: (Int, Int)
    /// Channel groups (groups = channels: depthwise).
    public let groups: Int
    /// Whether the layer adds a bias.
    public let hasBias: Bool

    /// A convolution with symmetric or asymmetric zero padding.
    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
        padding: Padding2D = .symmetric(0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1, bias: Bool = true,
        file: StaticString = #file, line: UInt = #line
    ) {
        guard groups >= 1, inChannels % groups == 0, outChannels % groups == 0 else {
            fatalError("Conv2d: in (\(inChannels)) and out (\(outChannels)) channels must be divisible by groups (\(groups))", file: file, line: line)
        }
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        self.hasBias = bias
        super.init()
        registerParameter("weight", shape: [outChannels, inChannels / groups, kernelSize.0, kernelSize.1], role: .convWeight)
        if bias { registerParameter("bias", shape: [outChannels], role: .bias) }
    }

    /// Square kernel, stride and symmetric padding.
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1,
        groups: Int = 1, bias: Bool = true, file: StaticString = #file, line: UInt = #line
    ) {
        self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
                  padding: .symmetric(padding, padding), dilation: (dilation, dilation), groups: groups, bias: bias,
                  file: file, line: line)
    }

    /// `[out, in/groups, kh, kw]`.
    public var weight: Tensor { tensor("weight") }
    /// `[out]`, if the layer has a bias.
    public var bias: Tensor? { hasBias ? tensor("bias") : nil }

    public override func forward(_ x: Tensor) -> Tensor {
        x.conv2d(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    public override var kind: String { convDescription(typeName, self) }
}

/// PyTorch's repr of a convolution: "Conv2d(3, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)".
func convDescription(_ name: String, _ c: Conv2d) -> String {
    var parts = ["\(c.inChannels)", "\(c.outChannels)", "kernel_size=(\(c.kernelSize.0), \(c.kernelSize.1))",
                 "stride=(\(c.stride.0), \(c.stride.1))"]
    let p = c.padding
    if p.top == p.bottom && p.left == p.right {
        if p.top != 0 || p.left != 0 { parts.append("padding=(\(p.top), \(p.left))") }
    } else {
        parts.append("padding=(top: \(p.top), left: \(p.left), bottom: \(p.bottom), right: \(p.right))")
    }
    if c.dilation != (1, 1) { parts.append("dilation=(\(c.dilation.0), \(c.dilation.1))") }
    if c.groups != 1 { parts.append("groups=\(c.groups)") }
    if !c.hasBias { parts.append("bias=False") }
    return "\(name)(" + parts.joined(separator: ", ") + ")"
}
