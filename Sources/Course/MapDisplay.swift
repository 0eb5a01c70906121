// Display helpers for signed maps (linear approximation, excitation backprop), which a min–max scale shows badly.
import Engine

/// `map` clamped to ±(the `percentile`-th percentile of |value|), so that a few extreme pixels of a signed map do not
/// squeeze the rest into one colour; 0 stays in the middle of a min–max scale. For display only.
///
/// ```swift
/// show(image: plotMaps([symmetricClip(signedMap)], titles: ["linear approximation"]))
/// ```
public func symmetricClip(_ map: Tensor, percentile: Float = 99.5) -> Tensor {
    let magnitudes = map.scalars.filter(\.isFinite).map { abs($0) }.sorted()
    guard let largest = magnitudes.last, largest > 0 else { return map }
    let rank = Int(Float(magnitudes.count - 1) * min(max(percentile, 0), 100) / 100)
    let limit = magnitudes[rank] > 0 ? magnitudes[rank] : largest
    return map.clamped(min: -limit, max: limit)
}
