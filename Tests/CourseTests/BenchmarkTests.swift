import Attribution
import Course
import Testing

@Suite struct BenchmarkTests {
    @Test("the built-in benchmark is found from the repository and loads: 32 boards, 75 (image, class) pairs")
    func builtIn() throws {
        let dataset = try PointingDataset.builtInBenchmark()
        #expect(dataset.images.count == 32)
        #expect(dataset.pairCount == 75)
        #expect(dataset.directory.path.hasSuffix("Lessons/benchmark"))
    }
}
