import Attribution
import Engine
import Testing

/// TorchRay's pointing game (§4.5): the hit test with its strict 15 px tolerance, several objects per class,
/// the first maximum on ties, and the per-class mean.
@Suite struct PointingGameTests {
    let game = PointingGame()
    // Pixels 100…109 in both directions.
    let box = BoundingBox(x0: 100, y0: 100, x1: 110, y1: 110)

    func hit(_ x: Double, _ y: Double, _ boxes: [BoundingBox]? = nil, tolerance: Double = 15) -> Bool {
        PointingGame(tolerance: tolerance).isHit(ImagePoint(x: x, y: y), boxes: boxes ?? [box], width: 300, height: 200)
    }

    @Test("exactly 15 px from the last object pixel is a miss, 14.9 px a hit (strict <, as TorchRay's code)")
    func toleranceEdge() {
        #expect(!hit(124, 105))      // 124 − 109 = 15
        #expect(hit(123.9, 105))     // 14.9
        #expect(!hit(85, 105))       // 100 − 85 = 15, on the left
        #expect(hit(85.1, 105))
        #expect(!hit(105, 124))      // below
        #expect(hit(105, 123.99))
        // Diagonal: 9² + 12² = 225 is a miss, 9² + 11² = 202 a hit.
        #expect(!hit(118, 121))
        #expect(hit(118, 120))
        // The tolerance is a parameter: at 16 px the 15 px point is a hit.
        #expect(hit(124, 105, tolerance: 16))
    }

    @Test("a point inside the box is a hit at distance 0; a fractional point measures to pixel indices")
    func insideAndFractional() {
        #expect(game.squaredDistance(from: ImagePoint(x: 104, y: 107), to: [box], width: 300, height: 200) == 0)
        // (105.5, 105.5) is half a pixel from the nearest pixel index in each direction.
        #expect(game.squaredDistance(from: ImagePoint(x: 105.5, y: 105.5), to: [box], width: 300, height: 200) == 0.5)
    }

    @Test("boxes rasterise by pixel centres: [10.2, 10, 20.7, 11] holds columns 10…20")
    func fractionalBox() {
        let thin = BoundingBox(x0: 10.2, y0: 10, x1: 20.7, y1: 11)
        let d = { (x: Double) in game.squaredDistance(from: ImagePoint(x: x, y: 10), to: [thin], width: 300, height: 200) }
        #expect(d(10) == 0 && d(20) == 0)
        #expect(d(9) == 1 && d(21) == 1)
        // A box between two pixel centres covers no pixel: never a hit.
        let sliver = BoundingBox(x0: 10.6, y0: 10, x1: 11.4, y1: 11)
        #expect(game.squaredDistance(from: ImagePoint(x: 11, y: 10), to: [sliver], width: 300, height: 200) == nil)
        #expect(!hit(11, 10, [sliver]))
    }

    @Test("several objects of one class: a hit near any of them")
    func severalObjects() {
        let second = BoundingBox(x0: 250, y0: 20, x1: 280, y1: 50)
        #expect(hit(290, 35, [box, second]))   // 290 − 279 = 11 from the second
        #expect(hit(120, 105, [box, second]))  // 11 from the first
        #expect(!hit(200, 150, [box, second]))
        #expect(!hit(200, 150, []))
    }

    /// TorchRay's own computation, element by element: an H×W mask, float32 squared distances to every pixel.
    static func torchRayHit(_ point: ImagePoint, boxes: [BoundingBox], width: Int, height: Int, tolerance: Float) -> Bool {
        let px = Float(point.x), py = Float(point.y)
        for y in 0..<height {
            for x in 0..<width {
                let inside = boxes.contains { b in
                    Double(x) + 0.5 >= b.x0 && Double(x) + 0.5 <= b.x1 && Double(y) + 0.5 >= b.y0 && Double(y) + 0.5 <= b.y1
                }
                let dy = Float(y) - py, dx = Float(x) - px
                if inside && dy * dy + dx * dx < tolerance * tolerance { return true }
            }
        }
        return false
    }

    @Test("the separable distance agrees with TorchRay's full-mask computation on 400 random cases")
    func agreesWithMask() {
        var rng = SplitMix(seed: 7)
        let width = 60, height = 40
        for _ in 0..<400 {
            var boxes: [BoundingBox] = []
            for _ in 0..<(1 + rng.next(3)) {
                let x0 = Double(rng.next(width)), y0 = Double(rng.next(height))
                boxes.append(BoundingBox(x0: x0, y0: y0, x1: min(Double(width), x0 + 1 + Double(rng.next(12))),
                                         y1: min(Double(height), y0 + 1 + Double(rng.next(12)))))
            }
            let point = ImagePoint(x: Double(rng.next(width * 2)) / 2, y: Double(rng.next(height * 2)) / 2)
            let tolerance = Double(1 + rng.next(15))
            let expected = Self.torchRayHit(point, boxes: boxes, width: width, height: height, tolerance: Float(tolerance))
            #expect(PointingGame(tolerance: tolerance).isHit(point, boxes: boxes, width: width, height: height) == expected,
                    "point \(point), boxes \(boxes), tolerance \(tolerance)")
        }
    }

    @Test("the map's maximum: the first one in row-major order on ties; NaN wins as in torch.argmax")
    func maximumPoint() {
        let tie = Tensor(shape: [1, 1, 2, 3], scalars: [0, 5, 1, 5, 2, 5])
        #expect(PointingGame.maximumPoint(of: tie) == ImagePoint(x: 1, y: 0))
        let single = Tensor(shape: [1, 1, 3, 4], scalars: (0..<12).map { $0 == 9 ? 7 : Float($0) / 10 })
        #expect(PointingGame.maximumPoint(of: single) == ImagePoint(x: 1, y: 2))
        let nan = Tensor(shape: [1, 1, 2, 2], scalars: [1, 3, .nan, .nan])
        #expect(PointingGame.maximumPoint(of: nan) == ImagePoint(x: 0, y: 1))
        let negative = Tensor(shape: [1, 1, 1, 3], scalars: [-3, -1, -2])
        #expect(PointingGame.maximumPoint(of: negative) == ImagePoint(x: 1, y: 0))
    }

    @Test("the center baseline is (w/2, h/2) of the image")
    func center() {
        #expect(PointingGame.centerPoint(width: 225, height: 100) == ImagePoint(x: 112.5, y: 50))
    }

    @Test("accuracy is the mean of per-class accuracies over the classes present, not the pair rate")
    func tally() {
        var tally = PointingTally()
        #expect(tally.accuracy == 0)
        tally.record(classIndex: 281, hit: true)
        tally.record(classIndex: 281, hit: false)
        tally.record(classIndex: 281, hit: false)
        tally.record(classIndex: 967, hit: true)
        #expect(tally.classAccuracies == [281: 1.0 / 3, 967: 1])
        #expect(abs(tally.accuracy - (1.0 / 3 + 1) / 2) < 1e-12)   // pairs would give 2/4
        #expect(tally.counts[281]! == (1, 2))
    }
}

/// A tiny deterministic generator for the randomised test.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
