import Engine
import Testing

/// Expected values computed with Python ints masked to 64 bits and struct-rounded to float32.
@Suite struct HashedParameterTests {
    @Test func convWeightValues() {
        let w = hashedParameter(name: "features.0.weight", shape: [2, 3, 3, 3], kind: .weight)
        #expect(w.shape == [2, 3, 3, 3])
        #expect(Array(w.scalars.prefix(4)) == [0.3354113698005676, 0.024928350001573563, 0.13142424821853638, -0.3841567039489746])
        let bound = Float((6.0 / 27.0).squareRoot())
        #expect(w.scalars.allSatisfy { abs($0) <= bound })
    }

    @Test func otherKinds() {
        #expect(hashedParameter(name: "bn1.running_var", shape: [3], kind: .runningVar).scalars
                == [1.0711537599563599, 1.1433767080307007, 1.2353894710540771])
        #expect(hashedParameter(name: "fc.bias", shape: [2], kind: .bias).scalars
                == [-0.004469738807529211, -0.0038536363281309605])
        #expect(hashedParameter(name: "bn1.weight", shape: [2], kind: .batchNormWeight).scalars
                == [0.9720408320426941, 1.0648818016052246])
    }

    @Test func deterministicAndNameDependent() {
        let a = hashedParameter(name: "layer1.0.conv1.weight", shape: [4, 4], kind: .weight)
        #expect(a.scalars == hashedParameter(name: "layer1.0.conv1.weight", shape: [4, 4], kind: .weight).scalars)
        #expect(a.scalars != hashedParameter(name: "layer1.0.conv2.weight", shape: [4, 4], kind: .weight).scalars)
    }
}
