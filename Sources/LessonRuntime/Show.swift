import Foundation

/// Shows text under the current step in the report.
public func show(_ text: String) {
    print(text)
}

/// Shows any value's description under the current step.
public func show<T>(_ value: T, title: String? = nil) {
    if let title { print("\(title): \(value)") } else { print(value) }
}

/// Writes an image of the current step and records it (title, alt text, what it shows) for the report.
/// The runner asked for images written for speed (see `RunnerChannel.Settings.fastImages`).
var fastStepImages: Bool { RunnerChannel.shared.settings?.fastImages == true }

func recordImage(_ write: (URL) throws -> Void, role: String, title: String?, alt: String?, group: Int? = nil,
                 note: String? = nil, fileExtension: String = "png", extra: [String: Any] = [:]) {
    guard let url = LessonEventLog.shared.nextImageURL(role: role, extension: fileExtension) else {
        print("[image: \(title ?? role)]")
        return
    }
    do {
        try write(url)
    } catch {
        print("could not write image \(url.lastPathComponent): \(error)")
        return
    }
    var fields = extra
    fields["file"] = url.lastPathComponent
    fields["role"] = role
    if let title { fields["title"] = title }
    if let alt { fields["alt"] = alt }
    if let group { fields["group"] = group }
    if let note { fields["note"] = note }
    LessonEventLog.shared.emit("image", fields)
}
