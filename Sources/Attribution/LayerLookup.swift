import Models

/// Layer suggestions for error messages.
enum LayerLookup {
    /// A few late top-level blocks (the usual Grad-CAM choices), e.g. "layer4", "features.29", "_blocks.15".
    static func lateLayers(of model: Module, limit: Int = 3) -> [String] {
        let paths = model.namedModules().map { $0.0.description }.filter { !$0.isEmpty }
        // Depth ≤ 2 paths are blocks a learner can name; the last ones before the head are the late ones.
        let shallow = paths.filter { $0.split(separator: ".").count <= 2 }
        return Array(shallow.suffix(limit + 3).prefix(limit))
    }
}
