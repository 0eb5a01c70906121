import Attribution
import Course
import Engine
import Models
import Testing

// The claims lessons 01–03 make in prose, asserted on the same model and photo, so the text and the model cannot drift
// apart. Each test names the lesson step whose printed numbers it guards; the thresholds leave room for rounding only
// where the lesson's wording does ("about", "almost").

@Suite("Lesson 1 claims: the gradient")
struct LessonOneClaims {
    @Test("covering the cat: its score drops by about 5 (p ≈ 0.05 %), the dog's rises by almost 2 (p more than doubles)")
    func covering() throws {
        let example = try ExampleData.load()
        let logits = example.model(example.input)
        let covered = example.model(Course.covering(example.input, columns: 131..<224))
        let catDrop = logits.scalars[example.catClass] - covered.scalars[example.catClass]
        let dogChange = covered.scalars[example.dogClass] - logits.scalars[example.dogClass]
        #expect(catDrop > 4.5 && catDrop < 5.5, "cat score drop \(catDrop)")
        #expect(dogChange > 1.5 && dogChange < 2, "dog score change \(dogChange)")
        let catP = probability(of: example.catClass, in: covered)
        #expect(catP > 0.0003 && catP < 0.0008, "covered p(cat) \(catP)")
        let dogP = probability(of: example.dogClass, in: covered)
        #expect(dogP > 2 * probability(of: example.dogClass, in: logits), "covered p(dog) \(dogP)")
        let top = topPredictions(covered, k: 5).map(\.classID)
        #expect(top.allSatisfy { (151...268).contains($0) }, "covered top 5 are dog breeds: \(top)")
    }

    @Test("the panels: the dog's is half of the frame, the cat's a tenth; covering sets only the chosen columns")
    func panels() throws {
        let example = try ExampleData.load()
        #expect(abs(example.dogPanel.areaShare - 0.5) < 0.01 && abs(example.catPanel.areaShare - 0.1) < 0.01)
        #expect(abs(example.dogPanel.right - 128) < 0.5 && abs(example.catPanel.left - 135) < 0.5)
        let covered = Course.covering(example.input, columns: 131..<224).scalars
        let original = example.input.scalars
        #expect(covered[224 * 100 + 130] == original[224 * 100 + 130] && covered[224 * 100 + 131] == 0)
        #expect(example.dogPanel.right < 131 && example.catPanel.left > 131, "column 131 lies in the grey strip")
    }

    @Test("gradient maps: the dog class is as dense on the cat as on the dog, the cat class denser on the dog; the seam is brightest")
    func gradientMaps() throws {
        let example = try ExampleData.load()
        let dog = try saliency(model: example.model, input: example.input, target: .classIndex(example.dogClass), method: .gradient)
        let cat = try saliency(model: example.model, input: example.input, target: .classIndex(example.catClass), method: .gradient)
        let dogOnDog = MapComparison.density(dog, in: example.dogPanel), dogOnCat = MapComparison.density(dog, in: example.catPanel)
        #expect(dogOnCat > 0.9 * dogOnDog && dogOnCat < 1.2 * dogOnDog, "dog class per pixel: \(dogOnDog) on the dog, \(dogOnCat) on the cat")
        let catOnDog = MapComparison.density(cat, in: example.dogPanel), catOnCat = MapComparison.density(cat, in: example.catPanel)
        #expect(catOnDog > 1.3 * catOnCat, "cat class per pixel: \(catOnDog) on the dog, \(catOnCat) on the cat")
        #expect(MapComparison.share(cat, in: example.dogPanel) > MapComparison.share(cat, in: example.catPanel))
        let columns = dog.mean(axes: [2]).scalars
        let brightest = columns.indices.max { columns[$0] < columns[$1] }!
        #expect((128...135).contains(brightest), "brightest column \(brightest), expected in the grey strip 128…135")
        let overall = columns.reduce(0, +) / Float(columns.count)
        #expect(columns[brightest] > 2 * overall)
    }

    @Test("ReLU6 saturation is rare, leans towards the cat, and the flat part below 0 blocks more in every call")
    func saturation() throws {
        let example = try ExampleData.load()
        let census = relu6Census(model: example.model, input: example.input, regions: [example.dogPanel, example.catPanel])
        #expect(census.count == 33, "Lite0 runs ReLU6 33 times (stem, 31 in the blocks, head); got \(census.count)")
        #expect(census.first?.shape == [1, 32, 112, 112] && census.last?.shape == [1, 1280, 7, 7])
        let aboveCap = census.map(\.aboveCap)
        #expect(aboveCap.max()! < 0.05, "at most a few percent above 6: \(aboveCap.max()!)")
        #expect(census.filter { $0.aboveCap <= 0.001 }.count >= census.count / 2)
        #expect(census.allSatisfy { $0.belowZero > $0.aboveCap })
        let catMore = census.filter { $0.aboveCapIn[1] > $0.aboveCapIn[0] }.count
        #expect(catMore > census.count / 2, "calls with more above 6 on the cat's panel: \(catMore)")
    }

    @Test("linear approximation: its sum is far from the score difference, the board vanishes, the cat class lies on the dog")
    func linearApproximation() throws {
        let example = try ExampleData.load()
        let model = example.model
        let dog = try saliency(model: model, input: example.input, target: .classIndex(example.dogClass), method: .linearApprox)
        let cat = try saliency(model: model, input: example.input, target: .classIndex(example.catClass), method: .linearApprox)
        let difference = model(example.input).scalars[example.dogClass]
            - model(Tensor.zeros(example.input.shape)).scalars[example.dogClass]
        let sum = dog.scalars.reduce(0, +)
        #expect(abs(sum - difference) > 0.5 * abs(difference), "sum \(sum) vs score difference \(difference)")
        // The board strip between the panels (columns 129…133) against the dog's panel.
        let values = dog.abs().scalars
        var strip: Float = 0, panel: Float = 0
        for row in 20..<200 {
            for column in 129...133 { strip += values[row * 224 + column] / 5 }
            for column in 10..<120 { panel += values[row * 224 + column] / 110 }
        }
        #expect(strip < 0.05 * panel, "board strip \(strip) vs dog panel \(panel)")
        let catPositive = cat.map { max($0, 0) }
        #expect(MapComparison.share(catPositive, in: example.dogPanel) > 0.8)
    }
}

@Suite("Lesson 2 claims: backward rules")
struct LessonTwoClaims {
    @Test("DeconvNet on Lite0 is image-independent: the photo, a blank input and noise give the same map")
    func deconvNetIgnoresImage() throws {
        let example = try ExampleData.load()
        let model = example.model
        let noise = Tensor(shape: example.input.shape,
                           scalars: (0..<example.input.count).map { i in Float((i &* 7919) % 2001) / 1000 - 1 })
        func map(_ input: Tensor, _ id: Int) throws -> Tensor {
            try saliency(model: model, input: input, target: .classIndex(id), method: .deconvnet)
        }
        let photo = try map(example.input, example.dogClass)
        #expect(MapComparison.maxAbsDifference(photo, try map(Tensor.zeros(example.input.shape), example.dogClass)) == 0)
        #expect(MapComparison.maxAbsDifference(photo, try map(noise, example.dogClass)) == 0)
        #expect(photo.scalars.max()! > 0)
        #expect(MapComparison.rankCorrelation(photo, try map(example.input, example.catClass)) > 0.99)
    }

    @Test("in VGG16 the max-pool switches bring the image into DeconvNet's map")
    func deconvNetOnVGGDependsOnImage() throws {
        let example = try ExampleData.load(.vgg16, size: 64)
        let photo = try saliency(model: example.model, input: example.input, target: .classIndex(example.dogClass), method: .deconvnet)
        let blank = try saliency(model: example.model, input: Tensor.zeros(example.input.shape),
                                 target: .classIndex(example.dogClass), method: .deconvnet)
        #expect(MapComparison.relativeError(blank, photo) > 0.01)
    }

    @Test("TorchRay-style guided backprop (ReLU rule only) equals the plain gradient on Lite0")
    func reluOnlyIsGradient() throws {
        let example = try ExampleData.load()
        var rules = BackwardRules()
        rules[.relu] = GuidedBackpropReLURule()
        let reluOnly = try saliency(model: example.model, input: example.input, target: .classIndex(example.dogClass),
                                    layer: "", rules: rules, reduction: .maxAbsGradient)
        let plain = try saliency(model: example.model, input: example.input, target: .classIndex(example.dogClass), method: .gradient)
        #expect(MapComparison.maxAbsDifference(reluOnly, plain) == 0)
    }

    @Test("guided backprop: ranked almost alike for the two classes, but the cat class puts more top pixels on the cat")
    func guidedClasses() throws {
        let example = try ExampleData.load()
        let dog = try saliency(model: example.model, input: example.input, target: .classIndex(example.dogClass), method: .guidedBackprop)
        let cat = try saliency(model: example.model, input: example.input, target: .classIndex(example.catClass), method: .guidedBackprop)
        #expect(MapComparison.rankCorrelation(dog, cat) > 0.97)
        let overlap = MapComparison.topOverlap(dog, cat)
        #expect(overlap > 0.7 && overlap < 0.85, "about a fifth of the top 5 % differ: overlap \(overlap)")
        let dogOnCat = MapComparison.topShare(dog, in: example.catPanel)
        let catOnCat = MapComparison.topShare(cat, in: example.catPanel)
        #expect(catOnCat > 3 * dogOnCat, "top-5 % on the cat's panel: cat class \(catOnCat), dog class \(dogOnCat)")
    }
}

@Suite("Lesson 3 claims: layers")
struct LessonThreeClaims {
    @Test("guided backprop per layer of Lite0: dog and cat ranked alike down to block 10, apart only at block 15")
    func perLayerTrend() throws {
        let example = try ExampleData.load()
        var ranks: [Float] = [], shares: [Float] = []
        for layer in ["", "_bn0", "_blocks.2", "_blocks.4", "_blocks.10", "_blocks.15"] as [LayerPath] {
            let dog = try saliency(model: example.model, input: example.input, target: .classIndex(example.dogClass),
                                   method: .guidedBackprop, layer: layer)
            let cat = try saliency(model: example.model, input: example.input, target: .classIndex(example.catClass),
                                   method: .guidedBackprop, layer: layer)
            ranks.append(MapComparison.rankCorrelation(dog, cat))
            shares.append(MapComparison.leftHalfShare(dog))
        }
        #expect(ranks.dropLast().allSatisfy { $0 > 0.96 && $0 < 0.99 }, "input … block 10: \(ranks)")
        #expect(ranks.last! > 0.55 && ranks.last! < 0.75, "block 15: \(ranks.last!)")
        #expect(shares.firstIndex(of: shares.max()!) == 4, "the dog's left-half share peaks at block 10: \(shares)")
        #expect(shares[5] < shares[0], "and drops at block 15 below the input's: \(shares)")
    }

    @Test("untrained VGG16 at 112 px: floor pooling zeroes features.28's last row and column; at the input dog ≈ cat")
    func untrainedVGG() throws {
        let example = try ExampleData.load(.vgg16, size: 112)
        func map(_ layer: LayerPath, _ id: Int) throws -> Tensor {
            try saliency(model: example.model, input: example.input, target: .classIndex(id), method: .guidedBackprop, layer: layer)
        }
        let conv = try map("features.28", example.dogClass).scalars
        #expect(conv.count == 49)
        let edge = (0..<7).flatMap { [$0 * 7 + 6, 42 + $0] }
        #expect(edge.allSatisfy { conv[$0] == 0 }, "last row and column of features.28")
        #expect((0..<49).filter { !edge.contains($0) }.allSatisfy { conv[$0] > 0 })
        let pool = try map("features.30", example.dogClass).scalars
        #expect(pool.count == 9 && pool[4] == pool.min()!, "the centre of features.30 is the smallest: \(pool)")
        let vggRank = MapComparison.rankCorrelation(try map("", example.dogClass), try map("", example.catClass))
        #expect(vggRank > 0.999, "untrained VGG16 at the input, dog vs cat: \(vggRank)")
        let lite = try ExampleData.load()
        let liteRank = MapComparison.rankCorrelation(
            try saliency(model: lite.model, input: lite.input, target: .classIndex(lite.dogClass), method: .guidedBackprop),
            try saliency(model: lite.model, input: lite.input, target: .classIndex(lite.catClass), method: .guidedBackprop))
        #expect(liteRank < vggRank && liteRank > 0.97, "trained Lite0: \(liteRank)")
    }

    @Test("Grad-CAM: at _swish each class on its own animal; at _bn1 (86 % negative) the cat's map is cleaner")
    func gradCAMLayers() throws {
        let example = try ExampleData.load()
        func leftShare(_ id: Int, _ layer: LayerPath) throws -> Float {
            MapComparison.leftHalfShare(try saliency(model: example.model, input: example.input, target: .classIndex(id),
                                                     method: .gradCAM, layer: layer))
        }
        let dogSwish = try leftShare(example.dogClass, "_swish"), catSwish = try leftShare(example.catClass, "_swish")
        #expect(dogSwish > 0.8 && catSwish < 0.35, "_swish: dog \(dogSwish), cat \(catSwish)")
        let catBN = try leftShare(example.catClass, "_bn1")
        #expect(catBN < 0.15 && catBN < catSwish, "_bn1: cat \(catBN)")
        let probe = Probe("_bn1", target: .output)
        _ = example.model.withProbes([probe]) { example.model(example.input) }
        let values = probe.captured[0].scalars
        let negative = Float(values.filter { $0 < 0 }.count) / Float(values.count)
        #expect(negative > 0.8, "share of _bn1 below 0: \(negative)")
    }
}
