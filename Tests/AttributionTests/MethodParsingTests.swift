import Attribution
import Testing

@Suite struct MethodParsingTests {
    @Test(arguments: [
        ("gradient", Method.gradient), ("deconvnet", .deconvnet), ("guided-backprop", .guidedBackprop),
        ("grad-cam", .gradCAM), ("linear-approx", .linearApprox), ("Guided_Backprop", .guidedBackprop),
    ])
    func parsesNames(text: String, expected: Method) throws {
        #expect(try Method(parsing: text) == expected)
    }

    @Test func everyCaseRoundTrips() throws {
        for method in Method.allCases {
            #expect(try Method(parsing: method.description) == method)
        }
    }

    @Test func unknownNameListsValidOnes() {
        do {
            _ = try Method(parsing: "gradcam++")
            Issue.record("expected an error")
        } catch {
            let message = "\(error)"
            #expect(message.contains("gradcam++"))
            for method in Method.allCases { #expect(message.contains(method.rawValue)) }
        }
    }

    @Test func onlyGradCAMRequiresALayer() {
        #expect(Method.allCases.filter(\.requiresLayer) == [.gradCAM])
    }
}
