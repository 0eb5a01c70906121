/// The perturbation-based methods (they run the model on perturbed copies of the input instead of
/// backpropagating once), as `tutor saliency --method` names them.
public enum PerturbationMethod: String, CaseIterable, Sendable, CustomStringConvertible {
    /// RISE, every class or one (`rise(model:input:classes:…)`).
    case rise = "rise"
    /// RISE for one class (`riseClass(model:input:target:…)`).
    case riseClass = "rise-class"
    /// Extremal perturbation (`extremalPerturbation(model:input:target:options:)`).
    case extremalPerturbation = "extremal-perturbation"
    /// Occlusion (`occlusion(model:input:target:window:stride:…)`).
    case occlusion = "occlusion"

    /// The user-facing name.
    public var description: String { rawValue }

    /// All names, comma-separated.
    public static var validNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Parses a name in any case, `_` for `-` ("rise_class"); nil when it is not a perturbation method.
    public init?(name text: String) {
        let key = String(text.lowercased().filter { !$0.isWhitespace }.map { $0 == "_" ? "-" : $0 })
        guard let method = Self(rawValue: key) else { return nil }
        self = method
    }
}
