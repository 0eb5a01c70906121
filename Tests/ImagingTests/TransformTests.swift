import Engine
import Imaging
import Testing

@Suite("Resize, crop and tensor conversion")
struct TransformTests {
    /// An RGB image whose red sample is x and green sample is y (both < 256), blue 7.
    static func coordinates(width: Int, height: Int) -> Image {
        var pixels: [UInt8] = []
        for y in 0..<height { for x in 0..<width { pixels += [UInt8(x % 256), UInt8(y % 256), 7] } }
        return Image(width: width, height: height, channels: 3, pixels: pixels)
    }

    @Test("upsampling a two-pixel row gives the bilinear ramp 0, 64, 191, 255")
    func upsampleRamp() {
        let row = Image(width: 2, height: 1, channels: 1, pixels: [0, 255])
        #expect(row.resized(width: 4, height: 1).pixels == [0, 64, 191, 255])
        // Upsampling never widens the filter, so antialias makes no difference.
        #expect(row.resized(width: 4, height: 1, antialias: false).pixels == [0, 64, 191, 255])
    }

    @Test("shrinking with antialias widens the triangle filter as Pillow does")
    func antialiasShrink() {
        let row = Image(width: 4, height: 1, channels: 1, pixels: [0, 100, 200, 255])
        // Output 0: centre 1, support 2 → weights .75, .75, .25 on 0, 100, 200 → 125 / 1.75 = 71.4.
        // Output 1: centre 3 → weights .25, .75, .75 on 100, 200, 255 → 366.25 / 1.75 = 209.3.
        #expect(row.resized(width: 2, height: 1).pixels == [71, 209])
        // Without antialias: plain 2-tap bilinear at source positions 0.5 and 2.5.
        #expect(row.resized(width: 2, height: 1, antialias: false).pixels == [50, 228])
    }

    @Test("matches Pillow 13's Image.resize(BILINEAR) byte for byte on a test pattern")
    func pillowParity() {
        // Expected bytes were produced by Pillow 13.0.0 from the same 9×7 pattern: (37x + 91y) mod 256.
        var pattern: [UInt8] = []
        for y in 0..<7 { for x in 0..<9 { pattern.append(UInt8((x * 37 + y * 91) % 256)) } }
        let image = Image(width: 9, height: 7, channels: 1, pixels: pattern)
        #expect(image.resized(width: 4, height: 3).pixels == [98, 130, 124, 106, 108, 113, 130, 123, 129, 111, 116, 130])
        #expect(
            image.resized(width: 9, height: 3).pixels == [
                78, 115, 97, 134, 171, 98, 135, 81, 118, 92, 129, 91, 128, 105, 127, 164, 95, 132, 121, 158, 85, 122,
                104, 141, 87, 124, 161,
            ])
        let up = image.resized(width: 13, height: 10).pixels
        #expect(Array(up.prefix(13)) == [0, 20, 46, 71, 97, 122, 148, 174, 199, 205, 54, 20, 40])
        #expect(Array(up.suffix(13)) == [34, 54, 80, 105, 131, 156, 182, 208, 135, 3, 28, 54, 74])
    }

    @Test("a constant image stays constant through any resize")
    func constantResize() {
        let flat = Image(width: 37, height: 23, channels: 3, fill: [10, 120, 250])
        for (w, h) in [(5, 3), (100, 61), (37, 11), (1, 1)] {
            let out = flat.resized(width: w, height: h)
            #expect(out.width == w && out.height == h && out.channels == 3)
            #expect(out.pixel(x: w - 1, y: h - 1) == [10, 120, 250])
            #expect(Set(out.pixels) == [10, 120, 250])
        }
    }

    @Test("resize shorter side keeps the aspect ratio with torchvision's truncation")
    func shorterSide() {
        #expect(Image(width: 451, height: 300, fill: [0]).resizedShorterSide(to: 256).width == 384)
        let portrait = Image(width: 300, height: 451, fill: [0]).resizedShorterSide(to: 256)
        #expect(portrait.width == 256 && portrait.height == 384)
        let square = Image(width: 448, height: 448, fill: [0]).resizedShorterSide(to: 256)
        #expect(square.width == 256 && square.height == 256)
        // Already the right size: unchanged.
        let exact = TransformTests.coordinates(width: 384, height: 256)
        #expect(exact.resizedShorterSide(to: 256) == exact)
    }

    @Test("centre crop offsets are round((H − h) / 2), ties to even")
    func centreCrop() {
        let image = TransformTests.coordinates(width: 384, height: 256)
        let crop = image.centerCropped(width: 224, height: 224)
        #expect(crop.width == 224 && crop.height == 224)
        #expect(crop.pixel(x: 0, y: 0) == [80, 16, 7])
        #expect(crop.pixel(x: 223, y: 223) == [UInt8((80 + 223) % 256), 239, 7])
        // (225 − 224) / 2 = 0.5 rounds to 0; (227 − 224) / 2 = 1.5 rounds to 2 (Python's round).
        #expect(TransformTests.coordinates(width: 225, height: 224).centerCropped(width: 224, height: 224).pixel(x: 0, y: 0)[0] == 0)
        #expect(TransformTests.coordinates(width: 227, height: 224).centerCropped(width: 224, height: 224).pixel(x: 0, y: 0)[0] == 2)
    }

    @Test("a crop larger than the image pads with zeros around it")
    func paddedCrop() {
        let small = Image(width: 2, height: 2, channels: 1, pixels: [1, 2, 3, 4])
        let crop = small.centerCropped(width: 4, height: 5)
        #expect(crop.width == 4 && crop.height == 5)
        // Pads (4 − 2) / 2 = 1 column on the left and (5 − 2) / 2 = 1 row on top.
        #expect(crop.pixels == [0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test("the standard 256/224 pipeline gives 224×224 from the course photo geometry")
    func pipeline() {
        let out = TransformTests.coordinates(width: 448, height: 448).resizedAndCropped()
        #expect(out.width == 224 && out.height == 224 && out.channels == 3)
    }

    @Test("nearest resize repeats pixels in blocks")
    func nearest() {
        let image = Image(width: 2, height: 1, channels: 1, pixels: [5, 9])
        #expect(image.resizedNearest(width: 6, height: 2).pixels == [5, 5, 5, 9, 9, 9, 5, 5, 5, 9, 9, 9])
    }

    @Test("tensor layout and normalisation values")
    func tensorValues() {
        let image = Image(width: 2, height: 1, channels: 3, pixels: [255, 127, 0, 0, 255, 51])
        let t = image.tensor(normalization: .imagenet)
        #expect(t.shape == [1, 3, 1, 2])
        let v = t.scalars
        // Planes R, G, B; within a plane, pixels left to right.
        #expect(abs(v[0] - (1 - 0.485) / 0.229) < 1e-6)
        #expect(abs(v[1] - (0 - 0.485) / 0.229) < 1e-6)
        #expect(abs(v[5] - (0.2 - 0.406) / 0.225) < 1e-6)
        let lite = image.tensor(normalization: .lite0).scalars
        #expect(lite[2] == 0)  // G of pixel 0 is 127
        #expect(lite[0] == 1)  // (255 − 127) / 128
        #expect(lite[1] == -127.0 / 128)
        let unit = image.tensor(normalization: .unit).scalars
        #expect(unit[0] == 1 && unit[1] == 0 && unit[5] == Float(51) / 255)
    }

    @Test("a batch tensor stacks images in order")
    func batch() {
        let a = Image(width: 2, height: 2, fill: [255])
        let b = Image(width: 2, height: 2, fill: [0])
        let t = Image.batchTensor([a, b], normalization: .unit)
        #expect(t.shape == [2, 3, 2, 2])
        #expect(t.scalars[0] == 1 && t.scalars[12] == 0)
        #expect(Image(tensor: t, normalization: .unit, index: 1) == b)
    }

    @Test("grey images become three equal planes")
    func greyTensor() {
        let grey = Image(width: 3, height: 2, channels: 1, pixels: [0, 50, 100, 150, 200, 250])
        let s = grey.tensor(normalization: .unit).scalars
        #expect(Array(s[0..<6]) == Array(s[6..<12]))
        #expect(Array(s[0..<6]) == Array(s[12..<18]))
    }

    @Test("normalise then denormalise returns the same pixels", arguments: [Normalization.imagenet, .lite0, .unit])
    func roundTrip(normalization: Normalization) {
        let image = TransformTests.coordinates(width: 256, height: 3)
        let tensor = image.tensor(normalization: normalization)
        #expect(Image(tensor: tensor, normalization: normalization) == image)
    }

    @Test("denormalise picks the batch item and clamps out-of-range values")
    func denormaliseBatch() {
        var scalars = [Float](repeating: 0, count: 2 * 3 * 1 * 2)
        scalars[6] = 2  // item 1, red, pixel 0: 2 · 255 > 255
        scalars[7] = -1  // item 1, red, pixel 1: negative
        let t = Tensor(shape: [2, 3, 1, 2], scalars: scalars)
        let second = Image(tensor: t, normalization: .unit, index: 1)
        #expect(second.pixel(x: 0, y: 0) == [255, 0, 0])
        #expect(second.pixel(x: 1, y: 0) == [0, 0, 0])
        let single = Image(tensor: Tensor(shape: [1, 1, 2], scalars: [0, 0.5]), normalization: .unit)
        #expect(single.channels == 1 && single.pixels == [0, 128])
    }

    @Test("RGBA composites over white and grey uses luma weights")
    func channelConversions() {
        let rgba = Image(width: 1, height: 1, channels: 4, pixels: [0, 0, 0, 0])
        #expect(rgba.rgb().pixels == [255, 255, 255])
        let red = Image(width: 1, height: 1, channels: 3, pixels: [255, 0, 0])
        #expect(red.gray().pixels == [76])
    }
}
