import Attribution
import Foundation
import Imaging
import Testing

/// The built-in benchmark (Lessons/benchmark): it loads, and every box is exact — the pasted photo fills
/// it to the edge and the neutral board surrounds it.
@Suite struct BenchmarkDatasetTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Lessons/benchmark")

    @Test("32 images of 224×224, five classes, PNG and JPEG, at least one image with two classes")
    func loads() throws {
        let dataset = try PointingDataset(directory: Self.folder, classCount: 1000)
        #expect(dataset.images.count == 32)
        #expect(dataset.images.allSatisfy { $0.width == 224 && $0.height == 224 })
        #expect(dataset.classes == [249, 285, 657, 872, 967])
        #expect(dataset.images.contains { $0.file.hasSuffix(".png") } && dataset.images.contains { $0.file.hasSuffix(".jpg") })
        #expect(dataset.images.filter { $0.classes.count >= 2 }.count >= 16)
    }

    /// Mean absolute difference from the board's grey (124) over a row or column segment.
    static func offGrey(_ image: Image, _ pixels: [(Int, Int)]) -> Double {
        let values = pixels.filter { $0.0 >= 0 && $0.0 < image.width && $0.1 >= 0 && $0.1 < image.height }
            .flatMap { image.pixel(x: $0.0, y: $0.1).map { abs(Int($0) - 124) } }
        return values.isEmpty ? 0 : Double(values.reduce(0, +)) / Double(values.count)
    }

    @Test("boxes are exact: two pixels outside each edge is board grey, the photo fills the box")
    func boxesAreExact() throws {
        let dataset = try PointingDataset(directory: Self.folder)
        for image in dataset.images {
            let photo = try Image(contentsOf: image.url).rgb()
            for object in image.objects {
                let b = object.box
                let x0 = Int(b.x0), y0 = Int(b.y0), x1 = Int(b.x1), y1 = Int(b.y1)
                let inner = (x0 + 2..<x1 - 2).map { ($0, (y0 + y1) / 2) } + (y0 + 2..<y1 - 2).map { ((x0 + x1) / 2, $0) }
                #expect(Self.offGrey(photo, inner) > 12, "\(image.file): box \(b) is not filled by a photo")
                // Two pixels outside each edge, away from the corners (JPEG rings a pixel or so).
                let ring = (x0 + 3..<x1 - 3).flatMap { [($0, y0 - 3), ($0, y1 + 2)] }
                    + (y0 + 3..<y1 - 3).flatMap { [(x0 - 3, $0), (x1 + 2, $0)] }
                let neighbours = image.objects.filter { $0 != object }.map(\.box)
                let free = ring.filter { p in !neighbours.contains { Double(p.0) >= $0.x0 - 4 && Double(p.0) < $0.x1 + 4
                    && Double(p.1) >= $0.y0 - 4 && Double(p.1) < $0.y1 + 4 } }
                #expect(Self.offGrey(photo, free) < 6, "\(image.file): photo pixels outside box \(b)")
            }
        }
    }
}
