import Models

extension Architecture {
    /// The smallest input height/width the network can run on (its pooling stages need at least one
    /// pixel each): VGG's five 2×2 pools need 32, AlexNet's strided stem and three 3×3/2 pools need 63,
    /// DenseNet's stem and three 2×2 transitions need 29; the others pad every strided stage.
    public var minimumInputSide: Int {
        switch self {
        case .vgg11, .vgg16: 32
        case .alexnet: 63
        case .densenet121, .densenet201: 29
        case .efficientnetLite0, .resnet18, .resnet50, .wideResnet101_2, .mobilenetV2: 1
        }
    }
}
