// swift-tools-version: 6.2
import PackageDescription

let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]
/// What each mem-* executable depends on.
let tool: [Target.Dependency] = [
    "MemKit", "MemCLI", .product(name: "ArgumentParser", package: "swift-argument-parser"),
]

let package = Package(
    name: "llm-user-memory",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mem-extract", targets: ["mem-extract"]),
        .executable(name: "mem-propose", targets: ["mem-propose"]),
        .executable(name: "mem-merge", targets: ["mem-merge"]),
        .executable(name: "mem-render", targets: ["mem-render"]),
        .executable(name: "mem-history", targets: ["mem-history"]),
        .executable(name: "mem-backfill", targets: ["mem-backfill"]),
        .library(name: "MemKit", targets: ["MemKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    // Our own targets treat every compiler warning as an error (two real gate bugs once
    // hid in warnings nobody read); dependencies are built as their authors ship them.
    targets: [
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "MemKit", dependencies: ["CSQLite"], swiftSettings: strict),
        // What the executables share that needs ArgumentParser (MemKit does not import
        // it): the common options (--error-file, --profile), the edge, the version.
        .target(name: "MemCLI", dependencies: [
            "MemKit", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),
        .executableTarget(name: "mem-extract", dependencies: tool, swiftSettings: strict),
        .executableTarget(name: "mem-propose", dependencies: tool, swiftSettings: strict),
        .executableTarget(name: "mem-merge", dependencies: tool, swiftSettings: strict),
        .executableTarget(name: "mem-render", dependencies: tool, swiftSettings: strict),
        .executableTarget(name: "mem-history", dependencies: tool, swiftSettings: strict),
        .executableTarget(name: "mem-backfill", dependencies: tool, swiftSettings: strict),
        // What both test targets share (a seeded random generator).
        .target(name: "TestKit", path: "Tests/TestKit", swiftSettings: strict),
        .testTarget(name: "MemKitTests", dependencies: ["MemKit", "TestKit"], swiftSettings: strict),
        .testTarget(name: "EndToEndTests", dependencies: [
            "MemKit", "MemCLI", "TestKit", "mem-extract", "mem-propose", "mem-merge", "mem-render", "mem-history",
            "mem-backfill",
        ], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
