import Attribution
import Course
import Engine
import Foundation
import Imaging
import Models
import Testing

@Suite("Example data")
struct ExampleDataTests {
    @Test("the photo is found from the repository and preprocessed to 1 × 3 × 224 × 224")
    func loadsPhoto() throws {
        let example = try ExampleData.load()
        #expect(example.input.shape == [1, 3, 224, 224])
        #expect(example.image.width == 224 && example.image.height == 224 && example.image.channels == 3)
        #expect(example.modelName == "efficientnet-lite0 (pretrained)")
        // Lite0 normalisation (x − 127) / 128 keeps every value within [-127/128, 1].
        let values = example.input.scalars
        #expect(values.min()! >= -127.0 / 128 && values.max()! <= 1)
    }

    @Test("loading the weights again gives the same model, and changing one model's weights leaves the next load alone")
    func repeatedLoadsAreIndependent() throws {
        let first = try ExampleData.pretrainedLite0()
        let weights = first.stateDict()
        let key = try #require(weights.keys.first { weights[$0]?.dtype == .float32 && (weights[$0]?.tensor.count ?? 0) > 1 })
        let original = try #require(weights.tensor(key))
        // Change the first model's copy of one weight, then load again: the second model has the file's values.
        var changed = weights
        changed[key] = StateTensor(original.map { $0 + 1 })
        try first.load(changed, strict: true)
        let second = try ExampleData.pretrainedLite0()
        #expect(second.stateDict().tensor(key)?.scalars == original.scalars)
        #expect(first.stateDict().tensor(key)?.scalars == original.scalars.map { $0 + 1 })
        #expect(second.stateDict().keys == weights.keys)
    }

    @Test("the hard-coded class ids are the ones Lite0 finds in the composite")
    func classIDs() throws {
        let example = try ExampleData.load()
        let logits = example.model(example.input)
        let scores = logits.scalars
        let dogs = Array(151...268), cats = Array(281...285)
        let topDog = dogs.max { scores[$0] < scores[$1] }!
        let topCat = cats.max { scores[$0] < scores[$1] }!
        #expect(topDog == ExampleData.dogClassID, "top dog class \(topDog) \(ImageNetLabels.name(topDog))")
        #expect(topCat == ExampleData.catClassID, "top cat class \(topCat) \(ImageNetLabels.name(topCat))")
        // Both animals are recognised: the two classes are the model's top two (≈ 0.19 and 0.18), and each is well
        // ahead of the runner-up of its own group (the next breed and the next cat are below 0.06).
        let topTwo = Set(topPredictions(logits, k: 2).map(\.classID))
        #expect(topTwo == [ExampleData.dogClassID, ExampleData.catClassID])
        let dogP = probability(of: ExampleData.dogClassID, in: logits)
        let catP = probability(of: ExampleData.catClassID, in: logits)
        #expect(dogP > 0.1 && catP > 0.1, "p(dog) \(dogP), p(cat) \(catP)")
        let nextDog = dogs.filter { $0 != topDog }.map { probability(of: $0, in: logits) }.max()!
        let nextCat = cats.filter { $0 != topCat }.map { probability(of: $0, in: logits) }.max()!
        #expect(dogP > 2 * nextDog && catP > 2 * nextCat, "runners-up: dog \(nextDog), cat \(nextCat)")
        #expect(example.classes == [ExampleData.dogClassID, ExampleData.catClassID])
    }

    @Test("Grad-CAM at Lite0's last layer puts each class on its own animal: the dog left, the cat right")
    func gradCAMSeparatesAnimals() throws {
        let example = try ExampleData.load()
        // In the 224 × 224 crop the dog panel ends at column 128 and the cat panel starts at 135.
        func leftShare(_ classID: Int) throws -> Float {
            let map = try saliency(
                model: example.model, input: example.input, target: .classIndex(classID), method: .gradCAM,
                layer: "_bn1", resize: true)
            #expect(map.shape == [1, 1, 224, 224])
            var left: Float = 0, total: Float = 0
            for (i, value) in map.scalars.enumerated() where value > 0 {
                total += value
                if i % 224 < 131 { left += value }
            }
            return left / total
        }
        let dogLeft = try leftShare(ExampleData.dogClassID)
        let catLeft = try leftShare(ExampleData.catClassID)
        // Measured: 0.98 of the dog's map on the dog's side, 0.84 of the cat's map on the cat's side.
        #expect(dogLeft > 0.8, "dog class: \(dogLeft) of the map on the dog's side")
        #expect(catLeft < 0.3, "cat class: \(catLeft) of the map on the dog's side")
    }

    @Test("an untrained VGG16 example at a smaller size uses ImageNet normalisation")
    func vggExample() throws {
        let example = try ExampleData.load(.vgg16, size: 64)
        #expect(example.input.shape == [1, 3, 64, 64])
        #expect(example.modelName == "vgg16 (untrained)")
        #expect(example.model(example.input).shape == [1, 1000])
    }

    @Test("the repository root holds Package.swift and Lessons")
    func repositoryRoot() throws {
        let root = try CourseFiles.repositoryRoot()
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path))
        #expect(throws: CourseError.self) { try CourseFiles.image(named: "no-such-photo.png") }
    }
}
