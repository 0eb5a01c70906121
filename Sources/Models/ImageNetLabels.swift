import Foundation

/// The 1,000 ImageNet-1k class names in class-index order (torchvision's list, BSD-3-Clause; see the header of
/// Resources/imagenet-classes.txt).
public enum ImageNetLabels {
    /// All names; index = class id.
    public static let all: [String] = {
        guard let url = Bundle.module.url(forResource: "imagenet-classes", withExtension: "txt"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else {
            // The resource ships inside the package; its absence is a packaging bug, not user input.
            fatalError("Models: resource imagenet-classes.txt is missing from the bundle")
        }
        return text.split(separator: "\n", omittingEmptySubsequences: true)
            .filter { !$0.hasPrefix("#") }
            .map(String.init)
    }()

    /// Number of classes (1000).
    public static var count: Int { all.count }

    /// The name of class `id`, or "class <id>" when `id` is outside 0..<1000.
    public static func name(_ id: Int) -> String {
        all.indices.contains(id) ? all[id] : "class \(id)"
    }

    /// Class ids whose name contains `text` (case-insensitive), e.g. "cat".
    public static func ids(matching text: String) -> [Int] {
        all.indices.filter { all[$0].range(of: text, options: .caseInsensitive) != nil }
    }
}
