import Foundation
import Testing
import Tutor

/// Hidden checks are compiled without the source text Swift Testing's macros would keep: the rewrite, line by line.
@Suite("hidden checks: the macro rewrite")
struct HiddenCheckRewriteTests {
    static func body(_ lines: [String], tag: Int = 7) -> [String] {
        let out = HiddenCheckRewrite.rewrite(lines, tag: tag)
        let helpers = out.count - lines.count
        #expect(helpers == 5, "the helpers come after the block's own lines")
        return Array(out.prefix(lines.count))
    }

    @Test("an expectation keeps its condition and loses its message")
    func expectation() {
        #expect(Self.body(["    #expect(double(-4) == -8, \"SECRET-MESSAGE\")"]) == ["    Self.__tutorHiddenExpect7(double(-4) == -8)"])
        #expect(Self.body(["#expect(got == [0, -2, 3], \"got \\(got)\")"]) == ["Self.__tutorHiddenExpect7(got == [0, -2, 3])"])
        #expect(Self.body(["#expect(x.allSatisfy { $0 >= 0 }, \"never \\(f(\"a, b\"))\")"])
                    == ["Self.__tutorHiddenExpect7(x.allSatisfy { $0 >= 0 })"])
        #expect(Self.body(["#expect(total([]) == 0)"]) == ["Self.__tutorHiddenExpect7(total([]) == 0)"])
    }

    @Test("a call over several lines keeps every line, so line numbers do not move")
    func multiline() {
        let lines = ["#expect(abs(got[0] - 0.1) < 1e-6 && abs(got[1] - 0.2) < 1e-6,", "        \"the weights: \\(got)\")", "let after = 1"]
        #expect(Self.body(lines) == ["Self.__tutorHiddenExpect7(abs(got[0] - 0.1) < 1e-6 && abs(got[1] - 0.2) < 1e-6", ")", "let after = 1"])
    }

    @Test("require, throws and the forms left alone")
    func otherForms() {
        #expect(Self.body(["let v = try #require(values.first, \"needs one\")"]) == ["let v = try Self.__tutorHiddenRequire7(values.first)"])
        #expect(Self.body(["#expect(throws: MyError.self, \"must throw\") { try f() }"]) == ["Self.__tutorHiddenExpect7(throws: MyError.self) { try f() }"])
        let exit = "await #expect(processExitsWith: .failure) { fatalError() }"
        #expect(Self.body([exit]) == [exit])
        let quoted = "let s = \"#expect(secret)\" // #expect(other)"
        #expect(Self.body([quoted]) == [quoted])
        let raw = "let r = #\"a \" #expect(x) \"#; /* #expect(y) */ #expect(z, \"m\")"
        #expect(Self.body([raw]) == ["let r = #\"a \" #expect(x) \"#; /* #expect(y) */ Self.__tutorHiddenExpect7(z)"])
        #expect(Self.body(["myexpect(a)", "expect(a) // not a macro"]) == ["myexpect(a)", "expect(a) // not a macro"])
    }

    @Test("an unbalanced call is left as written")
    func unbalanced() {
        #expect(Self.body(["#expect(a == (b, \"m\""]) == ["#expect(a == (b, \"m\""])
    }
}
