import Engine
import Models

/// Occlusion (Zeiler & Fergus 2014; Captum's `Occlusion` with a window over all channels): slide a window
/// over the image, replace it by `baseline`, and credit each pixel with the average drop of the target's
/// logit over the windows that cover it, f(x)_t − f(x with the window occluded)_t.
///
/// Window positions follow Captum: along each axis ⌈(size − window) / stride⌉ + 1 starts at multiples of
/// `stride`; the last window may stick out of the image and is cut at the border.
///
/// ```swift
/// let map = try occlusion(model: lite0, input: x, target: 281, window: (32, 32), stride: (16, 16))  // 1×1×224×224
/// ```
/// - Paper: https://arxiv.org/abs/1311.2901
/// - Parameters:
///   - window: (height, width) of the occluding patch.
///   - stride: (rows, columns) between window starts.
///   - baseline: the value written into the window (0 is the dataset mean after normalisation).
///   - batchSize: occluded images per forward pass.
///   - progress: called after each batch with (windows done, total windows) summed over the items.
/// - Returns: N×1×H×W (every channel of Captum's attribution is the same, so one is kept).
public func occlusion(
    model: Module, input: Tensor, target: Int, window: (Int, Int), stride: (Int, Int), baseline: Float = 0,
    batchSize: Int = 16, progress: ((_ done: Int, _ total: Int) -> Void)? = nil
) throws -> Tensor {
    try SaliencyInput.validate(input, for: model)
    let n = input.shape[0], channels = input.shape[1], height = input.shape[2], width = input.shape[3]
    guard window.0 >= 1, window.1 >= 1, window.0 <= height, window.1 <= width else {
        throw PerturbationError(.window, "window \(window.0)×\(window.1) must be at least 1×1 and fit the \(height)×\(width) input")
    }
    guard stride.0 >= 1, stride.1 >= 1 else { throw PerturbationError(.stride, "must be at least 1, got \(stride.0)×\(stride.1)") }
    guard baseline.isFinite else { throw PerturbationError(.baseline, "must be a finite number, got \(baseline)") }
    guard batchSize >= 1 else { throw PerturbationError(.batchSize, "must be at least 1, got \(batchSize)") }

    let rowStarts = OcclusionWindows.starts(size: height, window: window.0, stride: stride.0)
    let columnStarts = OcclusionWindows.starts(size: width, window: window.1, stride: stride.1)
    let windows = rowStarts.flatMap { y in columnStarts.map { x in (y, x) } }
    let plane = height * width
    let out = TensorStorage(zeros: n * plane)
    var counts = [Float](repeating: 0, count: plane)
    for (y, x) in windows {
        for r in y..<min(y + window.0, height) { for c in x..<min(x + window.1, width) { counts[r * width + c] += 1 } }
    }
    for item in 0..<n {
        let image = input[item].reshaped([1, channels, height, width]).detached()
        let reference = try OcclusionWindows.logit(model(image), row: 0, target: target)
        var done = 0
        while done < windows.count {
            let chunk = Array(windows[done..<min(done + batchSize, windows.count)])
            let batch = OcclusionWindows.occluded(image, chunk, window: window, baseline: baseline)
            let y = model(batch)
            for (i, (wy, wx)) in chunk.enumerated() {
                let drop = reference - (try OcclusionWindows.logit(y, row: i, target: target))
                let dst = out.pointer + item * plane
                for r in wy..<min(wy + window.0, height) { for c in wx..<min(wx + window.1, width) { dst[r * width + c] += drop } }
            }
            done += chunk.count
            progress?(item * windows.count + done, n * windows.count)
        }
    }
    for item in 0..<n { for p in 0..<plane { out.pointer[item * plane + p] /= counts[p] } }
    return Tensor(shape: [n, 1, height, width], storage: out)
}

/// Window placement and occluded copies for `occlusion`.
enum OcclusionWindows {
    /// Captum's window starts along one axis: i·stride for i in 0…⌈(size − window)/stride⌉.
    static func starts(size: Int, window: Int, stride: Int) -> [Int] {
        let count = (size - window + stride - 1) / stride + 1
        return (0..<count).map { $0 * stride }
    }

    /// One copy of the 1×C×H×W `image` per window, the window set to `baseline` in every channel.
    static func occluded(_ image: Tensor, _ windows: [(Int, Int)], window: (Int, Int), baseline: Float) -> Tensor {
        let channels = image.shape[1], height = image.shape[2], width = image.shape[3]
        let size = channels * height * width
        let out = TensorStorage(count: windows.count * size)
        image.withUnsafeBufferPointer { src in
            for (i, (y, x)) in windows.enumerated() {
                let dst = out.pointer + i * size
                dst.update(from: src.baseAddress!, count: size)
                for ch in 0..<channels {
                    for r in y..<min(y + window.0, height) {
                        let row = dst + (ch * height + r) * width
                        for c in x..<min(x + window.1, width) { row[c] = baseline }
                    }
                }
            }
        }
        return Tensor(shape: [windows.count, channels, height, width], storage: out)
    }

    /// The target's logit in row `row` of an N×C output.
    static func logit(_ y: Tensor, row: Int, target: Int) throws -> Float {
        let classes = try RISEScores.classCount(of: y)
        guard (0..<classes).contains(target) else { throw AttributionError.targetOutOfRange(target, classes: classes) }
        return y.withUnsafeBufferPointer { $0[row * classes + target] }
    }
}
