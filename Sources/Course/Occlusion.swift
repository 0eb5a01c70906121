// Covering part of an input, for "what happens to the score without this part?" experiments.
import Engine

/// A copy of `input` (N×C×H×W) with `rows` × `columns` of every image and channel set to `value`; with Lite0's
/// normalisation 0 is the mid-grey of the example photo's board. Ranges are clipped to the input.
///
/// ```swift
/// let catCovered = covering(x, columns: 131..<224)   // the right part of every row set to 0
/// ```
public func covering(_ input: Tensor, rows: Range<Int>? = nil, columns: Range<Int>, value: Float = 0) -> Tensor {
    guard input.rank == 4 else { return input }
    let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let rowRange = (rows ?? 0..<h).clamped(to: 0..<h)
    let columnRange = columns.clamped(to: 0..<w)
    var values = input.scalars
    for plane in 0..<(n * c) {
        for row in rowRange {
            let base = (plane &* h &+ row) &* w
            for column in columnRange { values[base &+ column] = value }
        }
    }
    return Tensor(shape: input.shape, scalars: values)
}
