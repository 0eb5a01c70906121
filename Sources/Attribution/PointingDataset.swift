import Foundation
import Imaging

/// One annotated object: a class index of the model and its box in pixels of the image file.
public struct PointingObject: Sendable, Equatable {
    /// The model's class index (0..<1000 for ImageNet models).
    public var classIndex: Int
    /// The object's box.
    public var box: BoundingBox

    /// An object of class `classIndex` in `box`.
    public init(classIndex: Int, box: BoundingBox) {
        self.classIndex = classIndex
        self.box = box
    }
}

/// One image of a pointing-game dataset, with its size read from the file's header.
public struct PointingImage: Sendable, Equatable {
    /// The file name as written in annotations.json (relative to the dataset folder).
    public var file: String
    /// The file's location.
    public var url: URL
    /// Width of the image file, in pixels.
    public var width: Int
    /// Height of the image file, in pixels.
    public var height: Int
    /// The annotated objects (several per class allowed).
    public var objects: [PointingObject]

    /// The classes present, ascending, each once.
    public var classes: [Int] { Array(Set(objects.map(\.classIndex))).sorted() }

    /// The boxes of the objects of `classIndex`.
    public func boxes(of classIndex: Int) -> [BoundingBox] {
        objects.filter { $0.classIndex == classIndex }.map(\.box)
    }
}

/// A mistake in a dataset folder: names the file and the JSON field (`images[2].objects[0].box`).
public struct PointingDatasetError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file at fault (annotations.json or an image).
    public var file: String
    /// The JSON path of the field at fault, nil for the file as a whole.
    public var field: String?
    /// What is wrong and what would be valid.
    public var message: String

    /// "FILE: FIELD: MESSAGE".
    public var description: String { [file, field, message].compactMap { $0 }.joined(separator: ": ") }
}

/// A pointing-game dataset: a folder with `annotations.json` and the images it names.
///
/// ```json
/// {"images": [{"file": "a.png", "objects": [{"class": 281, "box": [x0, y0, x1, y1]}]}]}
/// ```
/// Boxes are in pixels of the image file (see `BoundingBox`), classes are the model's class indices.
/// Loading checks everything up front — the JSON's shape, that every file exists and is a PNG or JPEG,
/// that every box lies inside its image — so a long run never stops half-way on a typo.
public struct PointingDataset: Sendable, Equatable {
    /// The dataset folder.
    public var directory: URL
    /// The images, in the order of annotations.json.
    public var images: [PointingImage]

    /// The annotation file's name inside the folder.
    public static let annotationsFile = "annotations.json"
    /// annotations.json files larger than this are refused (a 40,000-image COCO-size list is far below it).
    public static let maximumAnnotationBytes = 64 << 20

    /// The classes that occur anywhere in the dataset, ascending.
    public var classes: [Int] { Array(Set(images.flatMap { $0.objects.map(\.classIndex) })).sorted() }

    /// Number of (image, class) pairs the game scores.
    public var pairCount: Int { images.reduce(0) { $0 + $1.classes.count } }

    /// Loads and checks `directory/annotations.json` and the image headers.
    /// - Parameter classCount: the model's number of classes; classes outside 0..<classCount are errors.
    public init(directory: URL, classCount: Int? = nil) throws(PointingDatasetError) {
        self.directory = directory
        let annotations = directory.appendingPathComponent(Self.annotationsFile)
        let json = try Self.readJSON(annotations)
        let path = annotations.path
        guard let root = json as? [String: Any] else {
            throw PointingDatasetError(file: path, field: nil, message: "expected a JSON object {\"images\": [...]}")
        }
        guard let list = root["images"] else {
            throw PointingDatasetError(file: path, field: "images", message: "missing; expected a list of images")
        }
        guard let entries = list as? [Any] else {
            throw PointingDatasetError(file: path, field: "images", message: "expected a list of images")
        }
        guard !entries.isEmpty else {
            throw PointingDatasetError(file: path, field: "images", message: "the list is empty; a dataset needs at least one image")
        }
        var images: [PointingImage] = []
        var seen: Set<String> = []
        for (index, entry) in entries.enumerated() {
            let image = try Self.parseImage(entry, field: "images[\(index)]", annotations: path, directory: directory,
                                            classCount: classCount)
            guard seen.insert(image.file).inserted else {
                throw PointingDatasetError(file: path, field: "images[\(index)].file",
                                           message: "'\(image.file)' is listed twice")
            }
            images.append(image)
        }
        self.images = images
    }

    private static func readJSON(_ url: URL) throws(PointingDatasetError) -> Any {
        let path = url.path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else {
            let folder = url.deletingLastPathComponent().path
            var folderExists: ObjCBool = false
            let message = FileManager.default.fileExists(atPath: folder, isDirectory: &folderExists) && folderExists.boolValue
                ? "no such file; a dataset folder holds annotations.json and the images"
                : "the dataset folder \(folder) does not exist"
            throw PointingDatasetError(file: path, field: nil, message: message)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= maximumAnnotationBytes else {
            throw PointingDatasetError(file: path, field: nil, message: "\(size) bytes is over the limit of \(maximumAnnotationBytes)")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw PointingDatasetError(file: path, field: nil, message: "cannot read: \(error.localizedDescription)")
        }
        guard !data.isEmpty else {
            throw PointingDatasetError(file: path, field: nil, message: "the file is empty; expected {\"images\": [...]}")
        }
        do {
            return try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw PointingDatasetError(file: path, field: nil, message: "not valid JSON (\(Self.reason(error)))")
        }
    }

    private static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        return (nsError.userInfo[NSDebugDescriptionErrorKey] as? String) ?? nsError.localizedDescription
    }

    private static func parseImage(
        _ entry: Any, field: String, annotations: String, directory: URL, classCount: Int?
    ) throws(PointingDatasetError) -> PointingImage {
        func fail(_ subfield: String?, _ message: String) -> PointingDatasetError {
            PointingDatasetError(file: annotations, field: subfield.map { field + $0 } ?? field, message: message)
        }
        guard let object = entry as? [String: Any] else { throw fail(nil, "expected an object {\"file\": ..., \"objects\": [...]}") }
        guard let file = object["file"] as? String, !file.isEmpty else {
            throw fail(".file", "missing or not a non-empty string")
        }
        // Image paths stay inside the dataset folder: no absolute paths, no "..".
        guard !file.hasPrefix("/"), !file.split(separator: "/").contains("..") else {
            throw fail(".file", "'\(file)' must be a path inside the dataset folder")
        }
        guard let objectList = object["objects"] as? [Any] else { throw fail(".objects", "missing or not a list") }
        guard !objectList.isEmpty else { throw fail(".objects", "the list is empty; give at least one object") }
        let url = directory.appendingPathComponent(file)
        let size: (width: Int, height: Int)
        do { size = try ImageFile.size(of: url) } catch {
            throw fail(".file", error.description)
        }
        guard size.width >= 1, size.height >= 1 else { throw fail(".file", "\(file) has an empty size \(size.width)×\(size.height)") }
        var objects: [PointingObject] = []
        for (index, item) in objectList.enumerated() {
            objects.append(try parseObject(item, field: "\(field).objects[\(index)]", annotations: annotations,
                                           file: file, width: size.width, height: size.height, classCount: classCount))
        }
        return PointingImage(file: file, url: url, width: size.width, height: size.height, objects: objects)
    }

    private static func parseObject(
        _ item: Any, field: String, annotations: String, file: String, width: Int, height: Int, classCount: Int?
    ) throws(PointingDatasetError) -> PointingObject {
        func fail(_ subfield: String, _ message: String) -> PointingDatasetError {
            PointingDatasetError(file: annotations, field: field + subfield, message: message)
        }
        guard let object = item as? [String: Any] else {
            throw PointingDatasetError(file: annotations, field: field, message: "expected an object {\"class\": ..., \"box\": [...]}")
        }
        guard let classNumber = object["class"] as? NSNumber, !isBoolean(classNumber),
              let classIndex = Int(exactly: classNumber.doubleValue) else {
            throw fail(".class", "missing or not a whole number (a class index of the model)")
        }
        if classIndex < 0 || classCount.map({ classIndex >= $0 }) == true {
            throw fail(".class", "\(classIndex) is not a class of the model (valid: 0..<\(classCount ?? Int.max))")
        }
        guard let numbers = object["box"] as? [Any], numbers.count == 4 else {
            throw fail(".box", "missing or not a list of four numbers [x0, y0, x1, y1]")
        }
        var edges: [Double] = []
        for value in numbers {
            guard let number = value as? NSNumber, !isBoolean(number), number.doubleValue.isFinite else {
                throw fail(".box", "\(numbers) must be four finite numbers [x0, y0, x1, y1]")
            }
            edges.append(number.doubleValue)
        }
        let box = BoundingBox(x0: edges[0], y0: edges[1], x1: edges[2], y1: edges[3])
        guard box.x0 < box.x1, box.y0 < box.y1 else {
            throw fail(".box", "\(box) is empty; need x0 < x1 and y0 < y1")
        }
        guard box.x0 >= 0, box.y0 >= 0, box.x1 <= Double(width), box.y1 <= Double(height) else {
            throw fail(".box", "\(box) lies outside the \(width)×\(height) image \(file)")
        }
        return PointingObject(classIndex: classIndex, box: box)
    }

    /// JSON true/false arrive as NSNumber too; a class or an edge must not be one.
    private static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }
}
