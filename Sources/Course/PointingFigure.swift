// Figures for the pointing game (lesson 6): a benchmark board with its object boxes and the points methods chose.
import Attribution
import Foundation
import Imaging

/// A colour of the course's figures, as RGB bytes.
///
/// ```swift
/// let orange: FigureColor = [230, 159, 0]   // pointColors[0]
/// ```
public typealias FigureColor = [UInt8]

/// The colours `pointingBoard` gives points, in order (a colour-blind-safe qualitative palette, Okabe–Ito).
public let pointColors: [FigureColor] = [[230, 159, 0], [0, 114, 178], [213, 94, 0], [0, 158, 115], [204, 121, 167],
                                         [86, 180, 233], [240, 228, 66]]

/// The names of `pointColors`, for a figure's legend.
public let pointColorNames = ["orange", "blue", "vermilion", "green", "pink", "sky blue", "yellow"]

/// `image` with each box outlined (2 px, white on black so it shows on any photo) and each point drawn as a filled
/// square of side 7 with a ring of radius `tolerance` around it, so a hit is a ring that touches its box.
///
/// Points and boxes are in the image's pixels, as the pointing game reports them; anything outside is clipped.
///
/// ```swift
/// let board = pointingBoard(photo, boxes: [BoundingBox(x0: 40, y0: 60, x1: 100, y1: 90)],
///                           points: [(ImagePoint(x: 70, y: 75), pointColors[0])])
/// show(image: board, title: "A hit")
/// ```
public func pointingBoard(
    _ image: Image, boxes: [BoundingBox], points: [(ImagePoint, FigureColor)], tolerance: Double = 15
) -> Image {
    var board = image.rgb()
    for box in boxes {
        outline(&board, box: box, inset: 0, color: [0, 0, 0])
        outline(&board, box: box, inset: 1, color: [255, 255, 255])
    }
    for (point, color) in points {
        ring(&board, at: point, radius: tolerance, color: color)
        for dy in -3...3 {
            for dx in -3...3 { set(&board, x: Int(point.x.rounded(.down)) + dx, y: Int(point.y.rounded(.down)) + dy, color) }
        }
    }
    return board
}

private func set(_ image: inout Image, x: Int, y: Int, _ color: FigureColor) {
    guard x >= 0, y >= 0, x < image.width, y < image.height else { return }
    let offset = (y &* image.width &+ x) &* 3
    image.pixels[offset] = color[0]
    image.pixels[offset &+ 1] = color[1]
    image.pixels[offset &+ 2] = color[2]
}

/// The outline of the pixels x0..<x1, y0..<y1, drawn `inset` pixels inside.
private func outline(_ image: inout Image, box: BoundingBox, inset: Int, color: FigureColor) {
    let left = Int(box.x0.rounded()) + inset, right = Int(box.x1.rounded()) - 1 - inset
    let top = Int(box.y0.rounded()) + inset, bottom = Int(box.y1.rounded()) - 1 - inset
    guard left <= right, top <= bottom else { return }
    for x in left...right {
        set(&image, x: x, y: top, color)
        set(&image, x: x, y: bottom, color)
    }
    for y in top...bottom {
        set(&image, x: left, y: y, color)
        set(&image, x: right, y: y, color)
    }
}

/// A one-pixel circle of `radius` around `center`.
private func ring(_ image: inout Image, at center: ImagePoint, radius: Double, color: FigureColor) {
    let steps = max(16, Int(radius * 8))
    for i in 0..<steps {
        let angle = Double(i) / Double(steps) * 2 * Double.pi
        set(&image, x: Int((center.x + radius * cos(angle)).rounded()), y: Int((center.y + radius * sin(angle)).rounded()), color)
    }
}
