import Models

/// Layer suggestions for error messages.
enum LayerLookup {
    /// Top-level names of classifier heads, whose outputs have no spatial extent for Grad-CAM.
    static let headNames: Set<String> = ["classifier", "fc", "_fc", "avgpool", "_avg_pooling", "_dropout", "dropout"]

    /// A few late feature blocks (the usual Grad-CAM choices), e.g. "features.29", "layer4", "_blocks.15".
    static func lateLayers(of model: Module, limit: Int = 3) -> [String] {
        let paths = model.namedModules().map(\.0).filter { path in
            // Depth ≤ 2 paths are blocks a learner can name; the classifier head comes after the features.
            !path.isRoot && path.components.count <= 2 && !headNames.contains(path.components[0])
        }
        return paths.suffix(limit).map(\.description)
    }
}
