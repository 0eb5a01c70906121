import ArgumentParser
import Foundation
import Tutor

extension TutorCommand {
    /// `tutor gradebook`: work on GRADES folders.
    struct Gradebook: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Work on the GRADES folders of `tutor grade`.", subcommands: [Merge.self])

        /// `tutor gradebook merge GRADES_1 … --out GRADES`.
        struct Merge: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Combine the GRADES folders of shards (--shard i/n) into one gradebook, feedback pages and summary.")

            @Argument(help: "GRADES folders of the shards.", completion: .directory)
            var shards: [String]

            @Option(help: "Folder for the combined gradebook.")
            var out: String

            func validate() throws {
                if shards.isEmpty { throw ValidationError("Give the GRADES folders to merge.") }
            }

            func run() throws {
                try CLIError.exitingOnError {
                    let count = try Tutor.Gradebook.merge(shards.map { URL(fileURLWithPath: $0, isDirectory: true) },
                                                          into: URL(fileURLWithPath: out, isDirectory: true))
                    print("merged \(count) graded submission\(count == 1 ? "" : "s") from \(shards.count) folder\(shards.count == 1 ? "" : "s") → \(out)/gradebook.csv")
                }
            }
        }
    }
}
