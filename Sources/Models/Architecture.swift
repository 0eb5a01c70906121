import Engine
import Foundation

/// The architectures the course can build, by their torchvision (or package) names.
///
/// ```swift
/// let vgg = makeModel(.vgg16, initialization: .seeded(0))   // untrained
/// let lite0 = Model(.efficientnetLite0)                      // with its trained weights
/// ```
public enum Architecture: String, CaseIterable, Sendable {
    case efficientnetLite0 = "efficientnet-lite0"
    case alexnet, vgg11, vgg16, resnet18, resnet50
    case wideResnet101_2 = "wide_resnet101_2"
    case densenet121, densenet201
    case mobilenetV2 = "mobilenet_v2"

    /// How an image becomes the network's input.
    public enum Preprocessing: String, Sendable {
        /// ImageNet mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225) on [0, 1] RGB.
        case imagenet
        /// EfficientNet-Lite's (x − 127) / 128 on 0…255 RGB.
        case lite0
    }

    /// Parses a name ("vgg16", "efficientnet-lite0"); throws listing the valid names.
    public init(parsing name: String) throws {
        guard let arch = Architecture(rawValue: name) else {
            throw ModelError.unknownArchitecture(name, valid: Architecture.allCases.map(\.rawValue))
        }
        self = arch
    }

    /// Side of the square input the network was designed for.
    public var inputSize: Int { 224 }

    /// The normalisation its weights expect.
    public var preprocessing: Preprocessing { self == .efficientnetLite0 ? .lite0 : .imagenet }

    /// Useful saliency layers, earliest first; the last is the usual Grad-CAM layer (TorchRay's choices for
    /// VGG16 and ResNet50, the analogous last blocks elsewhere).
    public var defaultLayers: [LayerPath] {
        switch self {
        case .efficientnetLite0: ["_blocks.5", "_blocks.10", "_blocks.15", "_bn1"]
        case .alexnet: ["features.5", "features.11"]
        case .vgg11: ["features.10", "features.19"]
        case .vgg16: ["features.23", "features.29"]
        case .resnet18, .resnet50, .wideResnet101_2: ["layer2", "layer3", "layer4"]
        case .densenet121, .densenet201: ["features.denseblock3", "features.transition3", "features.norm5"]
        case .mobilenetV2: ["features.10", "features.14", "features.18"]
        }
    }

    /// The module tree with uninitialised parameters.
    func build() -> Module {
        switch self {
        case .efficientnetLite0: EfficientNetLite()
        case .alexnet: AlexNet()
        case .vgg11: VGG(configuration: VGG.vgg11Configuration)
        case .vgg16: VGG(configuration: VGG.vgg16Configuration)
        case .resnet18: ResNet(block: .basic, layers: [2, 2, 2, 2])
        case .resnet50: ResNet(block: .bottleneck, layers: [3, 4, 6, 3])
        case .wideResnet101_2: ResNet(block: .bottleneck, layers: [3, 4, 23, 3], baseWidth: 128)
        case .densenet121: DenseNet(blockConfiguration: [6, 12, 24, 16])
        case .densenet201: DenseNet(blockConfiguration: [6, 12, 48, 32])
        case .mobilenetV2: MobileNetV2()
        }
    }
}

/// Builds `arch` with every parameter and buffer filled by `initialization` (`.hashed` for the parity
/// fixtures, `.seeded(n)` for an untrained model).
///
/// ```swift
/// let alexnet = makeModel(.alexnet, initialization: .seeded(1))
/// let logits = alexnet(Tensor.zeros([1, 3, 224, 224]))
/// ```
public func makeModel(_ arch: Architecture, initialization: Initialization = .seeded(0)) -> Module {
    arch.build().initialize(initialization)
}

/// Builds `arch` with every parameter and buffer taken from `stateDict` (a strict load, so no initialisation is
/// computed only to be overwritten).
/// - Throws: `ModelError` when a key is missing or unexpected or a shape differs.
public func makeModel(_ arch: Architecture, loading stateDict: StateDict) throws -> Module {
    let model = arch.build()
    try model.load(stateDict, strict: true)
    return model
}

/// A network together with what it is and whether its weights are trained, for display.
///
/// ```swift
/// let model = Model(.efficientnetLite0)
/// let logits = model(example.input)
/// ```
public final class Model: @unchecked Sendable {
    /// The module tree (call it: `model.module(x)`).
    public let module: Module
    /// Which network this is.
    public let architecture: Architecture
    /// Whether pretrained weights were loaded (false for seeded or hashed initialisation).
    public private(set) var isPretrained: Bool
    /// Where the weights came from ("seeded initialisation", a file name).
    public private(set) var weightsSource: String

    /// An untrained model.
    public init(_ architecture: Architecture, initialization: Initialization = .seeded(0)) {
        self.architecture = architecture
        module = makeModel(architecture, initialization: initialization)
        isPretrained = false
        switch initialization {
        case .hashed: weightsSource = "hashed initialisation"
        case let .seeded(seed): weightsSource = "seeded initialisation (seed \(seed))"
        }
    }

    /// A model with weights from `url` (safetensors or PyTorch checkpoint), loaded strictly.
    public convenience init(_ architecture: Architecture, weights url: URL) throws {
        self.init(architecture)
        try loadWeights(from: url)
    }

    /// EfficientNet-Lite0 with the default ImageNet weights (`make weights` fetches them).
    public static func pretrainedLite0() throws -> Model {
        try Model(.efficientnetLite0, weights: try DefaultWeights.locateEfficientnetLite0())
    }

    /// Loads a weights file strictly; afterwards the model counts as pretrained.
    public func loadWeights(from url: URL) throws {
        try module.load(try loadStateDict(from: url), strict: true)
        isPretrained = true
        weightsSource = url.lastPathComponent
    }

    /// "vgg16 (untrained)" or "efficientnet-lite0".
    public var displayName: String {
        isPretrained ? architecture.rawValue : "\(architecture.rawValue) (untrained)"
    }

    /// Runs the network.
    public func callAsFunction(_ x: Tensor) -> Tensor { module(x) }
}
