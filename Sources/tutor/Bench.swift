import ArgumentParser
import Attribution
import Engine
import Foundation
import Models

extension TutorCommand {
    /// `tutor bench`: median warm milliseconds per forward pass or saliency call, and peak memory.
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time a forward pass or a saliency method (224×224, warm median) and report peak memory.")

        @OptionGroup var modelOptions: ModelOptions

        @Option(help: ArgumentHelp("forward, or a method: \(Method.validNames), \(PerturbationMethod.validNames).",
                                   valueName: "method"))
        var method: String

        @Option(help: ArgumentHelp("Saliency layer for the method (default: input; grad-cam: a late block; EBP: TorchRay's benchmark layer).",
                                   valueName: "path"))
        var layer: String?

        @Option(help: ArgumentHelp("Timed calls after one warm-up call (default 10; 3 for perturbation methods).", valueName: "n"))
        var `repeat`: Int?

        @OptionGroup(title: "Perturbation methods") var perturbationBench: BenchPerturbationOptions

        @OptionGroup(title: "Method settings (integrated-gradients, smoothgrad, contrastive EBP)")
        var methodSettings: MethodSettingsOptions

        /// --repeat, defaulting to 3 for the long-running perturbation methods.
        private var repeatCount: Int { `repeat` ?? (PerturbationMethod(name: method) != nil ? 3 : 10) }

        @Option(help: ArgumentHelp("Engine threads (default: OPENBLAS_NUM_THREADS, else all cores).", valueName: "n"))
        var threads: Int?

        @Flag(help: "Print one JSON object {model, method, median_ms, peak_rss_mb, threads}.")
        var json = false

        func validate() throws {
            try CLIError.exitingOnError {
                guard repeatCount >= 1 else { throw CLIError.invalid(argument: "--repeat", "must be at least 1, got \(repeatCount)") }
                if let threads, threads < 1 { throw CLIError.invalid(argument: "--threads", "must be at least 1, got \(threads)") }
                let arch = try modelOptions.architecture()
                if let perturbation = PerturbationMethod(name: method) {
                    try perturbationBench.validate(perturbation)
                    if let flag = methodSettings.firstGivenFlag {
                        throw CLIError.invalid(argument: flag, "does not apply to \(perturbation) in tutor bench")
                    }
                } else if method != "forward" {
                    let kind = try parsedMethod()
                    _ = try methodSettings.withBenchmarkContrastLayer(for: kind, arch).settings(for: kind, layer: layer)
                } else if let flag = methodSettings.firstGivenFlag {
                    throw CLIError.invalid(argument: flag, "does not apply to the forward pass")
                }
            }
        }

        func run() throws {
            try CLIError.exitingOnError {
                OpenBLASSetup.configureThreads(threads)
                let perturbation = PerturbationMethod(name: method)
                let kind: Method? = method == "forward" || perturbation != nil ? nil : try parsedMethod()
                let loaded = try modelOptions.load()
                let size = loaded.architecture.inputSize
                let input = BenchInput.make(height: size, width: size)
                var path = layer ?? (kind?.requiresLayer == true ? BenchInput.lateLayer(loaded.architecture) : nil)
                // (Contrastive) EBP: TorchRay's benchmark layers (VGG16 features.23 / classifier.4, ResNet50 layer3 / avgpool).
                let settings = try kind.map {
                    try methodSettings.withBenchmarkContrastLayer(for: $0, loaded.architecture).settings(for: $0, layer: layer)
                } ?? MethodSettings()
                if kind == .excitationBackprop || kind == .contrastiveExcitationBackprop {
                    path = path ?? loaded.architecture.excitationLayer.description
                }
                let call: () throws -> Void
                if let perturbation {
                    call = perturbationBench.call(perturbation, model: loaded, input: input)
                } else if let kind {
                    call = {
                        _ = try saliency(model: loaded, input: input, target: 281, method: kind,
                                         layer: path.map { LayerPath($0) }, settings: settings)
                    }
                } else {
                    call = { _ = loaded.module(input) }
                }
                let (times, cpu) = try BenchInput.time(repeat: repeatCount, call)
                let median = times.sorted()[times.count / 2]
                let rss = BenchInput.peakRSSMegabytes()
                let threadCount = OpenBLASSetup.threads
                if json {
                    let sizes = perturbation.map { perturbationBench.jsonFields($0) } ?? kind.map { Self.jsonFields($0, settings) } ?? ""
                    let line = String(format: "{\"model\": \"%@\", \"method\": \"%@\", %@\"median_ms\": %.2f, \"peak_rss_mb\": %.1f, \"threads\": %d}",
                                      loaded.architecture.rawValue, method, sizes, median, rss, threadCount)
                    print(line)
                } else {
                    let size = perturbation.map { perturbationBench.label($0) } ?? kind.map { Self.label($0, settings) } ?? ""
                    print("\(loaded.displayName) \(method)\(size)\(path.map { " @ \($0)" } ?? ""): median \(String(format: "%.2f", median)) ms over \(repeatCount) calls, "
                        + "CPU \(String(format: "%.1f", cpu)) ms per call, peak RSS \(String(format: "%.1f", rss)) MB, "
                        + "\(threadCount) engine threads")
                }
            }
        }

        /// The size fields of the JSON line for the multi-pass methods (`"steps": 50, `).
        static func jsonFields(_ method: Method, _ settings: MethodSettings) -> String {
            switch method {
            case .integratedGradients: "\"steps\": \(settings.steps), \"batch_size\": \(settings.batchSize), "
            case .smoothGrad: "\"samples\": \(settings.samples), \"batch_size\": \(settings.batchSize), "
            default: ""
            }
        }

        /// The size in words for the plain output (" (50 steps)").
        static func label(_ method: Method, _ settings: MethodSettings) -> String {
            switch method {
            case .integratedGradients: " (\(settings.steps) steps)"
            case .smoothGrad: " (\(settings.samples) samples)"
            default: ""
            }
        }

        private func parsedMethod() throws -> Method {
            do { return try Method(parsing: method) } catch {
                throw CLIError.invalid(argument: "--method", "unknown method '\(method)'; valid: forward, \(Method.validNames), "
                    + PerturbationMethod.validNames)
            }
        }
    }
}

/// Benchmark helpers: a deterministic input, timing, and peak memory.
enum BenchInput {
    /// A smooth deterministic 1×3×H×W input (values in about [−2, 2], like a normalised photo).
    static func make(height: Int, width: Int) -> Tensor {
        var scalars = [Float](repeating: 0, count: 3 * height * width)
        for c in 0..<3 {
            for y in 0..<height {
                for x in 0..<width {
                    scalars[(c * height + y) * width + x] = 2 * sin(Float(x * (c + 1)) * 0.05 + Float(y) * 0.031)
                }
            }
        }
        return Tensor(shape: [1, 3, height, width], scalars: scalars)
    }

    /// The Grad-CAM layer used when `--layer` is not given.
    static func lateLayer(_ arch: Architecture) -> String {
        switch arch {
        case .vgg16: "features.29"
        case .resnet50: "layer4"
        case .efficientnetLite0: "_blocks.15"
        default: arch.defaultLayers.last?.description ?? ""
        }
    }

    /// Wall milliseconds of each of `count` calls after one untimed warm-up call, and the process CPU
    /// milliseconds (user + system, all threads) per call — the latter shows the work done when other
    /// processes compete for the cores.
    static func time(repeat count: Int, _ body: () throws -> Void) throws -> (wall: [Double], cpuPerCall: Double) {
        try body()
        var times: [Double] = []
        let cpuStart = cpuMilliseconds()
        for _ in 0..<count {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return (times, (cpuMilliseconds() - cpuStart) / Double(count))
    }

    /// User + system CPU time of this process so far, in milliseconds.
    static func cpuMilliseconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let user = Double(usage.ru_utime.tv_sec) * 1e3 + Double(usage.ru_utime.tv_usec) / 1e3
        let system = Double(usage.ru_stime.tv_sec) * 1e3 + Double(usage.ru_stime.tv_usec) / 1e3
        return user + system
    }

    /// The process's peak resident set size (VmHWM, else getrusage's ru_maxrss), in MiB.
    static func peakRSSMegabytes() -> Double {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") {
            return kilobytes / 1024
        }
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
