import Engine

/// How 8-bit samples x map to network inputs: v = (x / divisor − mean[c]) / std[c], computed in Float32 as
/// torchvision's `ToTensor` + `Normalize` do.
public enum Normalization: Sendable, Equatable, CustomStringConvertible {
    /// ImageNet statistics on x/255: mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225).
    case imagenet
    /// EfficientNet-Lite's (x − 127) / 128.
    case lite0
    /// x / 255, in [0, 1].
    case unit
    /// Your own per-channel statistics on x/255 (three values each, or one for all channels).
    case custom(mean: [Float], std: [Float])

    /// The divisor applied before the mean/std step (255 or 1).
    public var divisor: Float {
        if case .lite0 = self { return 1 }
        return 255
    }

    /// Per-channel means (after dividing by `divisor`).
    public var mean: [Float] {
        switch self {
        case .imagenet: return [0.485, 0.456, 0.406]
        case .lite0: return [127, 127, 127]
        case .unit: return [0, 0, 0]
        case .custom(let mean, _): return mean.count == 1 ? Array(repeating: mean[0], count: 3) : mean
        }
    }

    /// Per-channel standard deviations (after dividing by `divisor`).
    public var std: [Float] {
        switch self {
        case .imagenet: return [0.229, 0.224, 0.225]
        case .lite0: return [128, 128, 128]
        case .unit: return [1, 1, 1]
        case .custom(_, let std): return std.count == 1 ? Array(repeating: std[0], count: 3) : std
        }
    }

    /// A short formula, e.g. "(x/255 − mean) / std (ImageNet)".
    public var description: String {
        switch self {
        case .imagenet: return "ImageNet: (x/255 − [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]"
        case .lite0: return "Lite0: (x − 127) / 128"
        case .unit: return "x / 255"
        case .custom(let mean, let std): return "(x/255 − \(mean)) / \(std)"
        }
    }

    fileprivate func check(file: StaticString, line: UInt) {
        if case .custom(let mean, let std) = self {
            if ![1, 3].contains(mean.count) || ![1, 3].contains(std.count) {
                fatalError(
                    "Normalization.custom: mean and std need 1 or 3 values (got \(mean.count) and \(std.count))",
                    file: file, line: line)
            }
            if std.contains(where: { $0 == 0 || !$0.isFinite }) {
                fatalError("Normalization.custom: std \(std) must be finite and non-zero", file: file, line: line)
            }
        }
    }
}

extension Image {
    /// The image as a [1, 3, H, W] Float32 tensor (grey is replicated to RGB, alpha is composited over white).
    public func tensor(normalization: Normalization, file: StaticString = #file, line: UInt = #line) -> Tensor {
        normalization.check(file: file, line: line)
        let colour = rgb()
        let plane = width * height
        let divisor = normalization.divisor
        let mean = normalization.mean
        let std = normalization.std
        var scalars = [Float](repeating: 0, count: 3 * plane)
        colour.pixels.withUnsafeBufferPointer { src in
            scalars.withUnsafeMutableBufferPointer { dst in
                for c in 0..<3 {
                    let m = mean[c]
                    let s = std[c]
                    let base = c &* plane
                    for i in 0..<plane {
                        // Same operation order as torchvision (divide, subtract, divide) for bit-identical inputs.
                        dst[base &+ i] = (Float(src[i &* 3 &+ c]) / divisor - m) / s
                    }
                }
            }
        }
        return Tensor(shape: [1, 3, height, width], scalars: scalars)
    }

    /// Several same-sized images as one [N, 3, H, W] tensor.
    public static func batchTensor(
        _ images: [Image], normalization: Normalization, file: StaticString = #file, line: UInt = #line
    ) -> Tensor {
        guard let first = images.first else {
            fatalError("Image.batchTensor: no images given", file: file, line: line)
        }
        if let odd = images.first(where: { $0.width != first.width || $0.height != first.height }) {
            fatalError(
                "Image.batchTensor: all images must be \(first.width)×\(first.height); one is \(odd.width)×\(odd.height)",
                file: file, line: line)
        }
        var scalars: [Float] = []
        scalars.reserveCapacity(images.count * 3 * first.width * first.height)
        for image in images { scalars += image.tensor(normalization: normalization, file: file, line: line).scalars }
        return Tensor(shape: [images.count, 3, first.height, first.width], scalars: scalars)
    }

    /// Undoes `normalization` on image `index` of an [N, C, H, W] (or [C, H, W]) tensor with C = 1 or 3,
    /// rounding and clamping to 0…255.
    public init(
        tensor: Tensor, normalization: Normalization, index: Int = 0,
        file: StaticString = #file, line: UInt = #line
    ) {
        normalization.check(file: file, line: line)
        let shape = tensor.shape
        let dims: [Int]
        switch shape.count {
        case 4: dims = shape
        case 3: dims = [1] + shape
        default:
            fatalError("Image(tensor:): expected a [N, C, H, W] or [C, H, W] tensor, got \(shape)", file: file, line: line)
        }
        let (n, c, h, w) = (dims[0], dims[1], dims[2], dims[3])
        if c != 1 && c != 3 {
            fatalError("Image(tensor:): \(c) channels in shape \(shape); expected 1 or 3", file: file, line: line)
        }
        if index < 0 || index >= n {
            fatalError("Image(tensor:): index \(index) is outside the batch of \(n)", file: file, line: line)
        }
        if h < 1 || w < 1 { fatalError("Image(tensor:): empty spatial size in \(shape)", file: file, line: line) }
        let plane = h * w
        let divisor = normalization.divisor
        let mean = normalization.mean
        let std = normalization.std
        var out = [UInt8](repeating: 0, count: plane * c)
        tensor.withUnsafeBufferPointer { src in
            let base = index * c * plane
            for ch in 0..<c {
                for i in 0..<plane {
                    let x = (src[base &+ ch &* plane &+ i] * std[ch] + mean[ch]) * divisor
                    out[i &* c &+ ch] = x.isNaN ? 0 : UInt8(min(255, max(0, x.rounded())))
                }
            }
        }
        self.init(unchecked: w, h, c, out)
    }
}
