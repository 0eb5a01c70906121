import Models

/// Finds layers by dotted path and suggests close names when one is missing.
enum LayerLookup {
    /// The paths of `model`'s modules closest to `name` (edit distance, prefix matches first), at most `limit`.
    static func suggestions(for name: String, in model: Module, limit: Int = 5) -> [String] {
        let paths = model.namedModules().map { $0.0.description }.filter { !$0.isEmpty }
        let scored = paths.map { path -> (String, Int) in
            let distance = editDistance(name, path)
            // A path that extends or shares the typed prefix ("features.2" → "features.29") ranks first.
            let bonus = path.hasPrefix(name) || name.hasPrefix(path) ? -100 : 0
            return (path, distance + bonus)
        }
        return scored.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.prefix(limit).map(\.0)
    }

    /// A few late top-level blocks (the usual Grad-CAM choices), e.g. "layer4", "features.29", "_blocks.15".
    static func lateLayers(of model: Module, limit: Int = 3) -> [String] {
        let paths = model.namedModules().map { $0.0.description }.filter { !$0.isEmpty }
        // Depth ≤ 2 paths are blocks a learner can name; the last ones before the head are the late ones.
        let shallow = paths.filter { $0.split(separator: ".").count <= 2 }
        return Array(shallow.suffix(limit + 3).prefix(limit))
    }

    /// Levenshtein distance over characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
