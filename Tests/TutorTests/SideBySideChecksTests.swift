import Foundation
import Testing
import Tutor

/// `tutor check` runs the checks beside the steps only when they cannot see what the steps do; every lesson here
/// would get a wrong result if its checks ran apart, and must still pass. Run through the real `tutor`.
@Suite("checks beside the steps")
struct SideBySideChecksTests {
    /// Checks `text` as a fresh lesson with `--timings`; returns the points and whether the checks ran beside the steps.
    static func check(_ name: String, _ text: String) throws -> (earned: Int, possible: Int, beside: Bool, stderr: String) {
        let (folder, lesson) = try LearnerLoopTests.lessonFolder("beside-\(name)", text)
        let (output, result) = try LearnerLoopTests.check(lesson, folder: folder, extra: ["--timings"])
        #expect(output.status == 0, "\(output.stderr)")
        return (result.pointsEarned, result.pointsPossible, output.stderr.contains("checks beside"), output.stderr)
    }

    @Test("checks that use only the exercise run beside the steps, with the same result")
    func independentChecksRunBeside() throws {
        let got = try Self.check("independent", LearnerLoopTests.randomLesson)
        #expect(got.earned == 1 && got.possible == 1, "\(got.stderr)")
        #expect(got.beside, "\(got.stderr)")
    }

    /// A lesson with two exercises; `first` as given, `second` from `secondBody`, and `firstTest` checking `first`.
    static func twoExercises(secondBody: String, firstTest: String) -> String {
        """
        # Two exercises

        ```swift exercise id=first
        func first(_ x: Int) -> Int {
            // BEGIN SOLUTION
            return x + 1
            // END SOLUTION
        }
        ```

        ```swift exercise id=second
        func second(_ x: Int) -> Int {
        \(secondBody)
        }
        ```

        ```swift
        print("values:", first(1), second(5))
        ```

        ```swift test for=first points=1
        @Test func firstWorks() { \(firstTest) }
        ```

        ```swift test for=second points=1
        @Test func secondWorks() { #expect(second(5) == 10) }
        ```
        """
    }

    /// Checks the learner's copy (`second` still TODO()) against the author's lesson as the reference.
    static func checkUnfinished(_ name: String, firstTest: String) throws -> (earned: Int, beside: Bool, text: String, stderr: String) {
        let author = twoExercises(secondBody: "    // BEGIN SOLUTION\n    return x * 2\n    // END SOLUTION", firstTest: firstTest)
        let learner = twoExercises(secondBody: "    TODO(\"double it\")", firstTest: firstTest)
        let (folder, lesson) = try LearnerLoopTests.lessonFolder("beside-\(name)", learner)
        let reference = URL(fileURLWithPath: folder.path + "-author.md")
        try author.write(to: reference, atomically: true, encoding: .utf8)
        let (output, result) = try LearnerLoopTests.check(lesson, folder: folder, extra: ["--timings", "--reference", reference.path])
        #expect(output.status == 1, "an unfinished exercise fails the check: \(output.stderr)")
        return (result.pointsEarned, output.stderr.contains("checks beside"), LearnerLoopTests.text(result), output.stderr)
    }

    @Test("with a reference standing in for an unfinished exercise, the finished one's checks run beside the steps")
    func unfinishedExerciseChecksBeside() throws {
        let got = try Self.checkUnfinished("unfinished", firstTest: "#expect(first(1) == 2)")
        #expect(got.earned == 1, "\(got.stderr)")
        #expect(got.beside, "\(got.stderr)")
        #expect(got.text.contains("values: 2 10"), "the step ran on the reference of `second`: \(got.text)")
    }

    @Test("a check that calls the unfinished exercise does not run beside the steps, where the reference stands in")
    func checkReachingTheReferenceRunsAfter() throws {
        let got = try Self.checkUnfinished("reaches-reference", firstTest: "#expect(first(second(1)) == 3)")
        // The learner's `second` is still TODO(): the check cannot pass on the learner's code.
        #expect(got.earned == 0, "\(got.stderr)")
        #expect(!got.beside, "\(got.stderr)")
    }

    @Test("a check that reads a step's variable runs after the steps")
    func checkReadingAStepRunsAfter() throws {
        let got = try Self.check("step-variable", """
            # Step variable

            ```swift
            let base = 41
            ```

            ```swift exercise id=inc
            func inc(_ x: Int) -> Int {
                return x + 1
            }
            ```

            ```swift test for=inc points=1
            @Test func usesTheStep() { #expect(inc(base) == 42) }
            ```
            """)
        #expect(got.earned == 1, "\(got.stderr)")
        #expect(!got.beside, "\(got.stderr)")
    }

    @Test("an exercise that reads a step's variable keeps its checks after the steps")
    func exerciseReadingAStepRunsAfter() throws {
        let got = try Self.check("exercise-variable", """
            # Exercise reads a step

            ```swift
            let base = [40, 1]
            ```

            ```swift exercise id=answer
            func answer() -> Int {
                return base.reduce(0, +) + 1
            }
            ```

            ```swift test for=answer points=1
            @Test func fortyTwo() { #expect(answer() == 42) }
            ```
            """)
        #expect(got.earned == 1, "\(got.stderr)")
        #expect(!got.beside, "\(got.stderr)")
    }

    @Test("an exercise with a stored static that the steps change keeps its checks after the steps")
    func exerciseStateRunsAfter() throws {
        let got = try Self.check("exercise-state", """
            # Exercise state

            ```swift exercise id=bump
            enum Tally {
                static var count = 0
            }

            func bump() {
                Tally.count += 1
            }
            ```

            ```swift
            bump()
            bump()
            ```

            ```swift test for=bump points=1
            @Test func countsTheSteps() { #expect(Tally.count == 2) }
            ```
            """)
        #expect(got.earned == 1, "\(got.stderr)")
        #expect(!got.beside, "\(got.stderr)")
    }

    @Test("a check that reads a file a step writes gets the file: the run beside is dropped and the checks run again")
    func fileWrittenByAStep() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("beside-\(UInt32.random(in: 0...UInt32.max)).txt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let got = try Self.check("file", """
            # A step writes a file

            ```swift exercise id=shout
            func shout(_ text: String) -> String {
                return text.uppercased()
            }
            ```

            ```swift
            Thread.sleep(forTimeInterval: 0.5)  // the checks beside would look first
            try shout("hello").write(toFile: "\(path)", atomically: false, encoding: .utf8)
            ```

            ```swift test for=shout points=1
            @Test func readsTheStepsFile() {
                #expect((try? String(contentsOfFile: "\(path)", encoding: .utf8)) == "HELLO")
            }
            ```
            """)
        #expect(got.earned == 1, "\(got.stderr)")
        #expect(got.beside, "the checks should have started beside the steps: \(got.stderr)")
    }
}
