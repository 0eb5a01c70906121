// swift-tools-version:6.1
import PackageDescription

// Lesson programs are compiled with swiftc -swift-version 5; the libraries themselves use Swift 6.
let package = Package(
    name: "SaliencyTutor",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tutor", targets: ["tutor"]),
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "Imaging", targets: ["Imaging"]),
        .library(name: "Models", targets: ["Models"]),
        .library(name: "Attribution", targets: ["Attribution"]),
        .library(name: "Course", targets: ["Course"]),
        .library(name: "LessonRuntime", targets: ["LessonRuntime"]),
        .library(name: "Tutor", targets: ["Tutor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CCmark", pkgConfig: "libcmark", providers: [.apt(["libcmark-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg62-turbo-dev"])]),
        // libjpeg reports fatal errors by longjmp; this C target catches them so Swift sees return codes.
        .target(name: "CJPEGShim", dependencies: ["CJPEG"], linkerSettings: [.linkedLibrary("jpeg")]),
        .target(name: "Engine", dependencies: ["CBLAS"]),
        // Row-by-row PNG reading: libpng's classic API needs setjmp, so a few lines of C wrap it.
        .target(name: "CPNGRows", dependencies: ["CPNG"], linkerSettings: [.linkedLibrary("png16")]),
        .target(name: "Imaging", dependencies: ["Engine", "CPNG", "CPNGRows", "CJPEGShim"]),
        .target(
            name: "Models",
            dependencies: ["Engine", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            resources: [.copy("Resources/imagenet-classes.txt")]
        ),
        .target(name: "Attribution", dependencies: ["Engine", "Models", "Imaging"]),
        .target(name: "Course", dependencies: ["Engine", "Imaging", "Models", "Attribution"]),
        // Linked into lesson programs: tells the runner which files the program opened (for the cache key).
        .target(name: "CReadTrace", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "LessonRuntime", dependencies: ["Engine", "Imaging", "Models", "Attribution", "Course", "CReadTrace"]),
        .target(name: "Tutor", dependencies: ["CCmark"]),
        .executableTarget(
            name: "tutor",
            dependencies: [
                "Tutor", "Engine", "Imaging", "Models", "Attribution",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Fuzzing harness: libFuzzer with -sanitize=fuzzer -DFUZZING (scripts/untrusted/libfuzzer.sh), else a replayer.
        .executableTarget(name: "tutor-fuzz", dependencies: ["Engine", "Imaging", "Models", "Tutor"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ModelsTests", dependencies: ["Models"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AttributionTests", dependencies: ["Attribution", "Models", "Imaging"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TutorTests", dependencies: ["Tutor"], resources: [.copy("Lessons")]),
        .testTarget(name: "CourseTests", dependencies: ["Course", "Attribution"]),
    ]
)
