// swift-tools-version: 6.1
import Foundation
import PackageDescription

// Kernels must be compiled for the CPU they run on: swiftc defaults to baseline x86-64, where
// `addingProduct` becomes one libm `fmaf` call per lane (200x slower, see the platform notes).
// `make` builds on the host that runs the suite, so `native` is the right default; set
// SUANLI_TARGET_CPU (e.g. `haswell`, `znver3`) to build for another machine.
let targetCPU = ProcessInfo.processInfo.environment["SUANLI_TARGET_CPU"] ?? "native"
let swiftCPU: [SwiftSetting] = [.unsafeFlags(["-target-cpu", targetCPU])]
let cCPU: [CSetting] = [.unsafeFlags(["-march=\(targetCPU)"])]

let package = Package(
  name: "suanli",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "suanli", targets: ["suanli"]),
    .library(name: "ReportFormat", targets: ["ReportFormat"]),
  ],
  traits: [
    .trait(
      name: "MPI",
      description: "Interconnect benchmarks over MPI (needs libopenmpi-dev; `make` enables it)"),
    .default(enabledTraits: []),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/onevcat/Rainbow", from: "4.2.2"),
  ],
  targets: [
    .systemLibrary(name: "CHwloc", pkgConfig: "hwloc", providers: [.apt(["libhwloc-dev"])]),
    .systemLibrary(
      name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
    .target(name: "CSuanli", dependencies: ["CHwloc"], cSettings: cCPU),
    // CUDA, NVML, HIP and ROCm SMI declarations for dlsym: nothing linked, nothing needed to build.
    .systemLibrary(name: "CCUDA"),
    .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
    .target(name: "Measurement"),
    .target(name: "Files"),
    .target(name: "ReportFormat", dependencies: ["Measurement"]),
    .target(
      name: "Topology", dependencies: ["CHwloc", "CSuanli", "Measurement", "ReportFormat"],
      swiftSettings: swiftCPU),
    .target(
      name: "Kernels", dependencies: ["Measurement", "CSuanli", "COpenBLAS"],
      swiftSettings: swiftCPU),
    .target(name: "Communication"),
    .target(name: "Devices", dependencies: ["CCUDA", "Measurement", "ReportFormat"]),
    .target(name: "Energy", dependencies: ["Measurement", "ReportFormat"]),
    .target(
      name: "Import",
      dependencies: [
        "Measurement", "ReportFormat", .product(name: "Crypto", package: "swift-crypto"),
      ]),
    .target(
      name: "Distributed", dependencies: ["Communication", "Kernels", "Measurement"],
      swiftSettings: swiftCPU),
    .target(
      name: "Interconnect",
      dependencies: [
        "Communication", "Measurement",
        .target(name: "CMPI", condition: .when(traits: ["MPI"])),
      ],
      swiftSettings: swiftCPU),
    .target(
      name: "Standard",
      dependencies: [
        "ReportFormat", "Measurement", "Files", .product(name: "Yams", package: "Yams"),
        .product(name: "Crypto", package: "swift-crypto"),
      ]),
    .target(
      name: "Comparison", dependencies: ["Measurement", "ReportFormat", "Standard"]),
    .target(
      name: "Visual", dependencies: ["Measurement", "ReportFormat", "Standard", "Comparison"]),
    .target(
      name: "Signing",
      dependencies: ["Files", .product(name: "Crypto", package: "swift-crypto")]),
    .target(
      name: "Benchmarks",
      dependencies: [
        "Measurement", "ReportFormat", "Topology", "Kernels", "Communication", "Interconnect",
        "Distributed", "Energy", "Devices",
      ],
      swiftSettings: swiftCPU),
    .target(
      name: "Reports",
      dependencies: [
        "Measurement", "ReportFormat", "Signing", "Standard", "Comparison", "Files",
        .product(name: "Crypto", package: "swift-crypto"),
      ]),
    .target(
      name: "Runner",
      dependencies: [
        "Benchmarks", "Reports", "Measurement", "ReportFormat", "Topology", "Signing",
        "Communication", "Interconnect", "Standard", "Files", "Energy",
        .product(name: "Yams", package: "Yams"),
        .product(name: "Crypto", package: "swift-crypto"),
      ]),
    .executableTarget(
      name: "suanli",
      dependencies: [
        "Runner", "Benchmarks", "Reports", "Topology", "ReportFormat", "Measurement", "Signing",
        "Standard", "Comparison", "Visual", "Files", "Energy", "Import", "Devices",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Rainbow", package: "Rainbow"),
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      swiftSettings: swiftCPU),
    .testTarget(name: "MeasurementTests", dependencies: ["Measurement"]),
    .testTarget(name: "FilesTests", dependencies: ["Files"]),
    .testTarget(name: "ReportFormatTests", dependencies: ["ReportFormat"]),
    .testTarget(
      name: "TopologyTests", dependencies: ["Topology"], resources: [.copy("Fixtures")]),
    .testTarget(name: "KernelsTests", dependencies: ["Kernels"], swiftSettings: swiftCPU),
    .testTarget(name: "CommunicationTests", dependencies: ["Communication"]),
    .testTarget(
      name: "EnergyTests", dependencies: ["Energy", "Measurement", "ReportFormat"]),
    .testTarget(
      name: "ImportTests", dependencies: ["Import", "Measurement", "ReportFormat"],
      resources: [.copy("Fixtures")]),
    .testTarget(
      name: "DistributedTests", dependencies: ["Distributed", "Communication", "Kernels"],
      swiftSettings: swiftCPU),
    .testTarget(
      name: "RunnerTests",
      dependencies: [
        "Runner", "Benchmarks", "Reports", "ReportFormat", "Topology", "Kernels", "Signing",
        "Interconnect", "Files", "Energy", "Communication",
      ]),
    .testTarget(name: "SigningTests", dependencies: ["Signing"]),
    .testTarget(
      name: "FuzzTests",
      dependencies: [
        "Runner", "Benchmarks", "Reports", "Signing", "Standard", "Topology", "Import",
      ]),
    .testTarget(name: "StandardTests", dependencies: ["Standard", "ReportFormat", "Measurement"]),
    .testTarget(
      name: "ComparisonTests",
      dependencies: ["Comparison", "Standard", "ReportFormat", "Measurement"],
      resources: [.copy("Golden")]),
    .testTarget(name: "DevicesTests", dependencies: ["Devices"], exclude: ["Fixtures"]),
    .testTarget(name: "InterconnectTests", dependencies: ["Interconnect", "Communication"]),
    .testTarget(name: "ArchitectureTests"),
    .testTarget(
      name: "VisualTests", dependencies: ["Visual", "ReportFormat", "Comparison", "Standard"],
      resources: [.copy("Golden")]),
  ]
)
