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
        #expect(topPredictions(logits, k: 1).first?.classID == ExampleData.catClassID)
        #expect(probability(of: ExampleData.catClassID, in: logits) > 0.3)
        #expect(example.classes == [ExampleData.dogClassID, ExampleData.catClassID])
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
