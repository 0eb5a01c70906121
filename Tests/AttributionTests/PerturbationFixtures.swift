import Attribution
import Engine
import Foundation

/// The committed TorchRay fixtures of the perturbation methods (Fixtures/perturbation, made by
/// scripts/fixtures/make_perturbation.py).
enum PerturbationFixtures {
    /// RISE with given masks: the masks are stored as TorchRay's low-resolution grids and shifts.
    struct RISECase: Decodable, Sendable, CustomStringConvertible {
        let id: String
        let arch: String
        let weights: String
        let input: String
        let numMasks: Int
        let numCells: Int
        let batchSize: Int
        let classes: [Int]
        let grids: [[Int]]
        let shifts: [[Int]]
        let maskSum: Double
        let maskSamples: [Float]
        let output: String
        let float64RelativeL2: Double
        var description: String { "rise \(id)" }
    }

    /// Extremal perturbation after a few iterations: masks and TorchRay's history.
    struct EPCase: Decodable, Sendable, CustomStringConvertible {
        let id: String
        let arch: String
        let weights: String
        let input: String
        let target: Int
        let areas: [Double]
        let variant: String
        let reward: String
        let perturbation: String
        let maxIter: Int
        let jitter: Bool
        let numLevels: Int
        let step: Int
        let sigma: Float
        let output: String
        let reward_history: [[Float]]
        let regulariser_history: [[Float]]
        let stableSortRelativeL2: Double
        let stableSortRewardRelativeL2: Double
        let float64RelativeL2: Double
        let float64HistoryRelativeL2: Double
        let float64RewardRelativeL2: Double
        var description: String { "extremal perturbation \(id)" }
    }

    struct Manifest: Decodable {
        let rise: [RISECase]
        let extremalPerturbation: [EPCase]
    }

    static func manifest() throws -> Manifest {
        let data = try Data(contentsOf: Fixtures.root.appendingPathComponent("perturbation/manifest.json"))
        return try JSONDecoder().decode(Manifest.self, from: data)
    }

    static func riseCases() throws -> [RISECase] { try manifest().rise }
    static func epCases() throws -> [EPCase] { try manifest().extremalPerturbation }

    /// TorchRay's masks of a RISE case, rebuilt from the grids and shifts with the recipe's geometry.
    static func masks(_ c: RISECase, height: Int, width: Int) -> Tensor {
        var scalars = [Float]()
        scalars.reserveCapacity(c.numMasks * height * width)
        let cellH = (height + c.numCells - 1) / c.numCells, cellW = (width + c.numCells - 1) / c.numCells
        for (grid, shift) in zip(c.grids, c.shifts) {
            let up = RISEMaskRecipe.upsampleReflect(grid.map(Float.init), cells: c.numCells,
                                                  height: height + cellH, width: width + cellW)
            for y in 0..<height {
                for x in 0..<width { scalars.append(up[(y + shift[0]) * (width + cellW) + x + shift[1]]) }
            }
        }
        return Tensor(shape: [c.numMasks, 1, height, width], scalars: scalars)
    }
}
