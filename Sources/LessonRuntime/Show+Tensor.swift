import Foundation

/// Shows a tensor as a summary: shape, min / max / mean and its first values.
public func show(_ tensor: Tensor, title: String? = nil) {
    print(tensorSummary(tensor, title: title))
}

/// The text `show(_:title:)` prints for a tensor.
public func tensorSummary(_ tensor: Tensor, title: String? = nil) -> String {
    let shape = "[" + tensor.shape.map(String.init).joined(separator: ", ") + "]"
    var line = (title.map { "\($0): " } ?? "") + "Tensor \(shape)"
    let values = tensor.scalars
    guard !values.isEmpty else { return line + " (empty)" }
    var minimum = values[0], maximum = values[0], sum = 0.0
    for value in values {
        minimum = Swift.min(minimum, value)
        maximum = Swift.max(maximum, value)
        sum += Double(value)
    }
    let mean = sum / Double(values.count)
    line += "  min \(format(minimum))  max \(format(maximum))  mean \(format(Float(mean)))"
    let shown = values.prefix(6).map(format).joined(separator: ", ")
    line += "\n  values: [\(shown)\(values.count > 6 ? ", … (\(values.count) in all)" : "")]"
    return line
}

private func format(_ value: Float) -> String {
    if value == 0 { return "0" }
    let magnitude = abs(value)
    if magnitude >= 1e4 || magnitude < 1e-3 { return String(format: "%.3e", Double(value)) }
    return String(format: "%.4g", Double(value))
}
