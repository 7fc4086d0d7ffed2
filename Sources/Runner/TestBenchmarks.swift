import Foundation
import ReportFormat

/// Benchmarks that exist only for Suanli's own tests of isolation, time limits and
/// interruption: registered when SUANLI_TEST_BENCHMARKS=1, never in the default registry.
enum TestBenchmarks {
  static var enabled: Bool { ProcessInfo.processInfo.environment["SUANLI_TEST_BENCHMARKS"] == "1" }

  static func descriptors() -> [BenchmarkDescriptor] {
    guard enabled else { return [] }
    return [
      BenchmarkDescriptor(
        id: "test.sleep", summary: "sleeps (tests time limits and interruption)", validity: "none",
        parameters: [
          ParameterSpec(
            name: "seconds", kind: .number(0...3600), defaultValue: .double(1), help: "how long")
        ],
        preflight: { _, _ in },
        run: { _, values in
          Thread.sleep(forTimeInterval: values.double("seconds"))
          return [
            BenchmarkResult(
              id: "test.sleep", status: .ok, parameters: values.values,
              samples: [values.double("seconds")],
              sampleUnit: .seconds, warmupSamples: [], metrics: [],
              validation: Validation(
                check: "slept", passed: true, value: nil, bound: nil, detail: ""))
          ]
        }),
      BenchmarkDescriptor(
        id: "test.crash", summary: "crashes its process with SIGSEGV (tests isolation)",
        validity: "none",
        parameters: [], preflight: { _, _ in },
        run: { _, _ in
          // A store through a null-page pointer: SIGSEGV in this thread, now.
          UnsafeMutablePointer<Int>(bitPattern: 8)!.pointee = 1
          return []
        }),
    ]
  }
}
