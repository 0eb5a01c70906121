import Attribution
import Course
import Engine
import Imaging
import Models
import Testing

// The claims lessons 04–06 make in prose, asserted on the same model and photo (smaller inputs or fewer steps where the
// claim does not depend on them), so the text and the library cannot drift apart.

@Suite("Lesson 4 claims: the method zoo and the sanity check")
struct LessonFourClaims {
    @Test("EBP at Lite0's input: a sum far from 1, about half negative, the two classes ranked almost alike")
    func ebpAtInput() throws {
        let example = try ExampleData.load()
        let dog = try saliency(model: example.model, input: example.input, target: .classIndex(example.dogClass),
                               method: .excitationBackprop)
        let cat = try saliency(model: example.model, input: example.input, target: .classIndex(example.catClass),
                               method: .excitationBackprop)
        let sum = dog.scalars.reduce(0, +)
        #expect(sum > 1000 && sum < 4000, "the lesson says about 2,160: \(sum)")
        let negative = Float(dog.scalars.filter { $0 < 0 }.count) / Float(dog.count)
        #expect(negative > 0.4 && negative < 0.6, "about half negative: \(negative)")
        #expect(MapComparison.rankCorrelation(dog, cat) > 0.94, "ranked almost alike")
        #expect(MapComparison.topOverlap(dog, cat) > 0.95, "share 99 % of their top-5 % pixels")
    }

    @Test("untrained networks: DeconvNet and EBP give both classes the same ranking; the gradient's maps are related")
    func untrainedZoo() throws {
        for architecture in [Architecture.vgg11, .resnet18] {
            let data = try ExampleData.load(architecture, size: 112)
            func alike(_ method: Method) throws -> Float {
                MapComparison.rankCorrelation(
                    try saliency(model: data.model, input: data.input, target: .classIndex(data.dogClass), method: method),
                    try saliency(model: data.model, input: data.input, target: .classIndex(data.catClass), method: method))
            }
            let deconv = try alike(.deconvnet), ebp = try alike(.excitationBackprop), gradient = try alike(.gradient)
            let linear = try alike(.linearApprox)
            #expect(deconv > 0.9, "\(architecture) DeconvNet: \(deconv)")
            #expect(ebp > 0.999, "\(architecture) EBP: \(ebp)")
            #expect(gradient > 0.4 && gradient < 0.7, "\(architecture) gradient: \(gradient)")
            #expect(abs(linear) < 0.25, "\(architecture) linear approximation: \(linear)")
        }
    }

    @Test("EBP at features.30 of an untrained VGG16: positive, sums to 1, the same ranking for both classes")
    func vggFeatures30() throws {
        let data = try ExampleData.load(.vgg16, size: 64)   // 2 × 2 at features.30; the claims do not depend on size
        let dog = try saliency(model: data.model, input: data.input, target: .classIndex(data.dogClass),
                               method: .excitationBackprop, layer: "features.30")
        let cat = try saliency(model: data.model, input: data.input, target: .classIndex(data.catClass),
                               method: .excitationBackprop, layer: "features.30")
        #expect(dog.scalars.allSatisfy { $0 > 0 }, "all positive: \(dog.scalars)")
        #expect(abs(dog.scalars.reduce(0, +) - 1) < 1e-3, "sums to 1: \(dog.scalars.reduce(0, +))")
        #expect(MapComparison.rankCorrelation(dog, cat) > 0.99)
    }

    @Test("contrastive EBP at block 10 separates the classes; plain EBP puts half of the cat's map on the dog")
    func contrastiveBlock10() throws {
        let example = try ExampleData.load()
        var settings = MethodSettings()
        settings.contrastLayer = "_bn1"
        func shares(_ id: Int) throws -> (plain: Float, contrastive: Float) {
            let plain = try saliency(model: example.model, input: example.input, target: .classIndex(id),
                                     method: .excitationBackprop, layer: "_blocks.10")
            let contrastive = try saliency(model: example.model, input: example.input, target: .classIndex(id),
                                           method: .contrastiveExcitationBackprop, layer: "_blocks.10", settings: settings)
            return (MapComparison.leftHalfShare(plain.map { max($0, 0) }), MapComparison.leftHalfShare(contrastive))
        }
        let dog = try shares(example.dogClass), cat = try shares(example.catClass)
        #expect(dog.plain > 0.65 && dog.contrastive > 0.85, "dog: \(dog)")
        #expect(cat.plain > 0.4 && cat.contrastive < 0.12, "cat: \(cat)")
    }

    @Test("sanity check on Lite0: Grad-CAM collapses at _fc, guided backprop and DeconvNet barely move")
    func sanity() throws {
        let example = try ExampleData.load()
        let model = Model(.efficientnetLite0)
        try model.module.load(example.model.stateDict(), strict: true)
        func steps(_ method: Method, _ count: Int) throws -> [Double] {
            try sanityCheck(model: model, input: example.input, target: .classIndex(example.dogClass), method: method,
                            layer: method == .gradCAM ? "_swish" : nil, maxSteps: count).steps.map(\.spearmanAbs)
        }
        let cam = try steps(.gradCAM, 3)
        #expect(cam[0] < 0 && cam.allSatisfy { $0 < 0.35 }, "Grad-CAM: \(cam)")
        let gradient = try steps(.gradient, 1)
        #expect(gradient[0] < 0.75, "gradient after _fc: \(gradient)")
        let guided = try steps(.guidedBackprop, 12)
        #expect(guided.prefix(3).allSatisfy { $0 > 0.98 } && guided[11] > 0.7, "guided backprop: \(guided)")
        let deconv = try steps(.deconvnet, 3)
        #expect(deconv.allSatisfy { $0 > 0.995 }, "DeconvNet through the head: \(deconv)")
    }
}

@Suite("Lesson 5 claims: perturbation methods")
struct LessonFiveClaims {
    @Test("at 112 px Lite0 ranks the malamute third (p ≈ 0.13) and the Egyptian cat out of its top five (p ≈ 0.005)")
    func smallPhoto() throws {
        let example = try ExampleData.load(size: 112)
        let logits = example.model(example.input)
        let top = topPredictions(logits, k: 5).map(\.classID)
        #expect(top[2] == example.dogClass && !top.contains(example.catClass), "top five: \(top)")
        let dog = probability(of: example.dogClass, in: logits), cat = probability(of: example.catClass, in: logits)
        #expect(dog > 0.1 && dog < 0.15 && cat < 0.01, "p(dog) \(dog), p(cat) \(cat)")
    }

    @Test("riseClass is rise's map of one class: the same masks give the same numbers")
    func riseClassIsASlice() throws {
        let example = try ExampleData.load(size: 112)
        var rng = SplitMix64(seed: 5)
        var values: [Float] = []
        for _ in 0..<24 { values += RISEMaskRecipe.randomMask(cells: 7, probability: 0.5, height: 112, width: 112, rng: &rng) }
        let masks = Tensor(shape: [24, 1, 112, 112], scalars: values)
        let all = try rise(model: example.model, input: example.input, masks: .given(masks), batchSize: 8)
        let one = try riseClass(model: example.model, input: example.input, target: example.dogClass, masks: .given(masks), batchSize: 8)
        let plane = 112 * 112
        let slice = Tensor(shape: [1, 1, 112, 112],
                           scalars: Array(all.scalars[(example.dogClass * plane)..<((example.dogClass + 1) * plane)]))
        #expect(MapComparison.relativeError(one, slice) < 1e-5)
    }

    @Test("extremal perturbation of the cat at 112 px, 150 iterations: a small mask on the dog, the reward negative, the energy stalled")
    func catMaskOnTheDog() throws {
        let example = try ExampleData.load(size: 112)
        var options = ExtremalPerturbationOptions()
        options.areas = [0.05]
        options.reward = .contrastive
        options.maxIter = 150
        let result = try extremalPerturbation(model: example.model, input: example.input, target: example.catClass, options: options)
        let mask = result.masks
        let kept = Float(mask.scalars.filter { $0 > 0.5 }.count) / Float(mask.count)
        #expect(kept > 0.05 && kept < 0.12, "above ½ on \(kept)")
        #expect(MapComparison.share(mask, in: example.dogPanel) > 0.75, "on the dog's panel")
        #expect(result.history[0].reward.allSatisfy { $0 < 0 }, "the contrastive reward stays negative")
        let regulariser = result.history[0].regulariser
        #expect(regulariser.first! < -100 && regulariser.last! > -20, "the regulariser climbs from far below 0: \(regulariser.first!) → \(regulariser.last!)")
        let energy = result.history[0].energy
        #expect(abs(energy.last! - energy[energy.count - 31]) < 2, "the energy has stalled over the last 30 iterations")
    }
}

@Suite("Lesson 6 claims: which method is better")
struct LessonSixClaims {
    static func lite0() throws -> Model {
        let model = Model(.efficientnetLite0)
        try model.module.load(try ExampleData.load().model.stateDict(), strict: true)
        return model
    }

    @Test("the benchmark: 32 boards, 75 pairs, five classes; center hits 23 of 75 (29.6 %)")
    func centerBaseline() throws {
        let dataset = try PointingDataset(directory: CourseFiles.benchmarkDirectory())
        #expect(dataset.images.count == 32 && dataset.pairCount == 75 && dataset.classes == [249, 285, 657, 872, 967])
        let result = try playPointingGame(dataset: dataset, method: CenterPointing(),
                                          preprocessing: PointingPreprocessing(normalization: .lite0))
        #expect(result.records.filter(\.hit).count == 23)
        #expect(abs(result.accuracy - 0.296) < 0.001, "center: \(result.accuracy)")
    }

    @Test("DeconvNet points at the same place on every board; Grad-CAM at _swish beats the baseline by far")
    func deconvAndGradCAM() throws {
        let model = try Self.lite0()
        let dataset = try PointingDataset(directory: CourseFiles.benchmarkDirectory())
        let preprocessing = PointingPreprocessing(normalization: .lite0)
        var points: [ImagePoint] = []
        for board in dataset.images.prefix(3) {
            let input = try preprocessing.input(for: try Image(contentsOf: board.url))
            let map = try saliency(model: model, input: input, target: .pointing(board.classes[0]), method: .deconvnet,
                                   resize: .size(width: board.width, height: board.height), smooth: 0.02)
            points.append(PointingGame.maximumPoint(of: map))
        }
        #expect(Set(points.map(\.description)).count == 1, "DeconvNet's points: \(points)")
        let cam = try playPointingGame(dataset: dataset, method: SaliencyPointing.gradientFamily(model: model, method: .gradCAM, layer: "_swish"),
                                       preprocessing: preprocessing)
        #expect(abs(cam.accuracy - 0.758) < 0.002, "Grad-CAM at _swish: \(cam.accuracy)")
    }

    @Test("deletion and insertion of the cat: Grad-CAM best at both, the gradient worse than random at deletion")
    func causalMetrics() throws {
        let example = try ExampleData.load()
        let cat = example.catClass
        var random = SplitMix64(seed: 11)
        let randomMap = Tensor(shape: [1, 1, 224, 224], scalars: (0..<(224 * 224)).map { _ in Float(random.next() % 1_000_000) })
        let gradient = try saliency(model: example.model, input: example.input, target: .classIndex(cat), method: .gradient)
        let cam = try saliency(model: example.model, input: example.input, target: .classIndex(cat), method: .gradCAM,
                               layer: "_swish", resize: true)
        func auc(_ kind: CausalMetric.Kind, _ map: Tensor) throws -> Double {
            areaUnderCurve(try CausalMetric(kind: kind, step: 1792).curve(model: example.model, input: example.input,
                                                                           saliency: map, target: cat))!
        }
        let camDeletion = try auc(.deletion, cam), randomDeletion = try auc(.deletion, randomMap)
        let gradientDeletion = try auc(.deletion, gradient)
        #expect(camDeletion < randomDeletion && randomDeletion < gradientDeletion,
                "deletion AUC: Grad-CAM \(camDeletion), random \(randomDeletion), gradient \(gradientDeletion)")
        let camInsertion = try auc(.insertion, cam), randomInsertion = try auc(.insertion, randomMap)
        #expect(camInsertion > 0.3 && randomInsertion < 0.05, "insertion AUC: Grad-CAM \(camInsertion), random \(randomInsertion)")
    }
}
