import Engine
import Foundation
import Testing

@Suite struct OpenBLASSetupTests {
    @Test func reportsCoreAndThreads() {
        #expect(!OpenBLASSetup.coreName.isEmpty)
        #expect(OpenBLASSetup.threads >= 1)
    }

    @Test func childEnvironmentCarriesTheCoreType() {
        let env = OpenBLASSetup.environmentForChildren()
        if let recommended = OpenBLASSetup.recommendedCoreType {
            #expect(env["OPENBLAS_CORETYPE"] == recommended)
        } else if let userChoice = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] {
            #expect(env["OPENBLAS_CORETYPE"] == userChoice)
        }
        #expect(env["PATH"] == ProcessInfo.processInfo.environment["PATH"])
    }

    @Test func noRecommendationWhenTheUserChose() {
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil {
            #expect(OpenBLASSetup.recommendedCoreType == nil)
        }
        if let best = OpenBLASSetup.bestSupportedCore, OpenBLASSetup.coreName == best {
            #expect(OpenBLASSetup.recommendedCoreType == nil)
        }
    }

    @Test func descriptionShowsShapeAndValues() {
        #expect(Tensor(shape: [1, 2], scalars: [1, 2]).description == "Tensor[1, 2](1.0, 2.0)")
        #expect(Tensor.ones([2]).requiringGrad().description.hasSuffix("requiresGrad"))
    }
}
