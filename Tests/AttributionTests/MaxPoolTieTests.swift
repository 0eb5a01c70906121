import Attribution
import Engine
import Testing

/// DeconvNet maps depend on how max-pool routes ties (ReLU makes many zeros): PyTorch picks the first maximum.
@Suite struct MaxPoolTieTests {
    @Test(arguments: try Fixtures.maxPoolCases())
    func routesTiesLikePyTorch(_ fixture: Fixtures.MaxPoolCase) throws {
        let x = Tensor(shape: fixture.xShape, scalars: fixture.x).requiringGrad()
        // Routing must be the same under the DeconvNet rules, which leave max-pool alone.
        let y = withBackwardRules(.deconvnet) {
            x.maxPool2d(kernel: fixture.kernel, stride: fixture.stride, padding: fixture.padding, ceilMode: fixture.ceilMode)
        }
        #expect(y.shape == fixture.yShape)
        #expect(y.scalars == fixture.y)
        let gIn = gradients(of: y, seed: Tensor(shape: fixture.yShape, scalars: fixture.gOut), wrt: [x])[0]
        #expect(gIn.scalars == fixture.gIn)
    }
}
