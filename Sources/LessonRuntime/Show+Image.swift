import Foundation

/// Shows an image under the current step; `alt` describes it for screen readers (defaults to the title).
///
/// ```swift
/// show(image: example.image, title: "The photo as the model sees it")
/// ```
public func show(image: Image, title: String? = nil, alt: String? = nil) {
    recordImage({ try image.writePNG(to: $0) }, role: "image", title: title, alt: alt)
}
