import Foundation

/// Shows an image under the current step; `alt` describes it for screen readers (defaults to the title).
public func show(image: Image, title: String? = nil, alt: String? = nil) {
    recordImage({ try image.writePNG(to: $0) }, role: "image", title: title, alt: alt)
}
