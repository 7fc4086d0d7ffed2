import Foundation
import ReportFormat

/// Benchmarks that exist only for Suanli's own tests of isolation, time limits and
/// interruption: registered when SUANLI_TEST_BENCHMARKS=1, never in the default registry.
enum TestBenchmarks {
  static var enabled: Bool { ProcessInfo.processInfo.environment["SUANLI_TEST_BENCHMARKS"] == "1" }

  static func descriptors() -> [BenchmarkDescriptor] {
    guard enabled else { return [] }
    return [
      stall(), die(), hog(), cpus(),
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

  /// Reports how many CPUs the benchmark's process may run on (its binding): a node
  /// benchmark must see the whole node even when a launcher bound `suanli run` to one core.
  static func cpus() -> BenchmarkDescriptor {
    BenchmarkDescriptor(
      id: "test.cpus", summary: "counts the CPUs its process may use (tests unbinding)",
      validity: "none", parameters: [], preflight: { _, _ in },
      run: { context, values in
        let count = context.node.topology.processBindingSize() ?? 0
        return [
          BenchmarkResult(
            id: "test.cpus", status: .ok, parameters: values.values, samples: [Double(count)],
            sampleUnit: .ratio, warmupSamples: [], metrics: [],
            validation: Validation(
              check: "counted", passed: true, value: nil, bound: nil, detail: "\(count) CPUs"))
        ]
      })
  }

  /// Allocates and touches memory until there is none: a runaway benchmark. It caps its own
  /// address space 256 MB above what it has (so the test never strains the machine); past the
  /// cap, allocation fails and the process dies.
  static func hog() -> BenchmarkDescriptor {
    BenchmarkDescriptor(
      id: "test.hog", summary: "allocates until memory runs out (tests isolation)",
      validity: "none", parameters: [], preflight: { _, _ in },
      run: { _, _ in
        let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
        let pages = Int(statm.split(separator: " ").first ?? "") ?? 0
        var limit = rlimit()
        limit.rlim_cur = rlim_t(pages * Int(sysconf(Int32(_SC_PAGESIZE))) + (256 << 20))
        limit.rlim_max = limit.rlim_cur
        setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit)
        var kept: [UnsafeMutableRawPointer] = []
        while true {
          // malloc returns nil at the cap: then die the way a Swift allocation does.
          guard let block = malloc(16 << 20) else { fatalError("test.hog: out of memory") }
          memset(block, 1, 16 << 20)
          kept.append(block)
        }
      })
  }

  /// A collective benchmark one of whose ranks hangs — it sleeps, or stops itself (SIGSTOP) —
  /// while the others wait for it in a barrier: exercises the MPI watchdog, the report rank 0
  /// writes (naming the rank, from the job's heartbeats), and the job's abort.
  static func stall() -> BenchmarkDescriptor {
    var descriptor = BenchmarkDescriptor(
      id: "test.mpi.stall", summary: "a rank hangs in a collective (tests the MPI watchdog)",
      validity: "none",
      parameters: [
        ParameterSpec(
          name: "seconds", kind: .number(0...3600), defaultValue: .double(60),
          help: "how long the rank sleeps"),
        ParameterSpec(
          name: "timeoutSeconds", kind: .number(1...3600), defaultValue: .double(2),
          help: "the watchdog"),
        ParameterSpec(
          name: "rank", kind: .integer(-1...1_000_000), defaultValue: .int(1),
          help: "the rank that hangs (-1: the last)"),
        ParameterSpec(
          name: "stop", kind: .flag, defaultValue: .bool(false),
          help: "stop the process (SIGSTOP) instead of sleeping"),
      ],
      preflight: { _, _ in },
      run: { context, values in
        guard let comm = context.communicator, comm.size >= 2 else {
          return [
            .notRun(
              id: "test.mpi.stall", status: .skipped, parameters: values.values,
              reason: "needs 2 MPI ranks")
          ]
        }
        let chosen = values.int("rank")
        let hanging = chosen < 0 ? comm.size - 1 : chosen
        try InterconnectBenchmarks.guarded(
          "test.mpi.stall", comm, context: context, seconds: values.double("timeoutSeconds")
        ) {
          if comm.rank == hanging {
            if values["stop"] == .bool(true) { raise(SIGSTOP) }
            Thread.sleep(forTimeInterval: values.double("seconds"))
          }
          try comm.barrier()
        }
        return [
          BenchmarkResult(
            id: "test.mpi.stall", status: .ok, parameters: values.values, samples: [0],
            sampleUnit: .seconds, warmupSamples: [], metrics: [],
            validation: Validation(
              check: "no stall", passed: true, value: nil, bound: nil, detail: ""))
        ]
      })
    descriptor.usesMPI = true
    return descriptor
  }

  /// The last rank of the job kills itself (SIGKILL) while the others wait in a collective: the
  /// launcher then stops the job, and rank 0 must leave a partial report naming the lost rank.
  static func die() -> BenchmarkDescriptor {
    var descriptor = BenchmarkDescriptor(
      id: "test.mpi.die",
      summary: "the last rank kills itself in a collective (tests cluster mode)",
      validity: "none",
      parameters: [
        ParameterSpec(
          name: "afterSeconds", kind: .number(0...3600), defaultValue: .double(0.5),
          help: "when the last rank dies")
      ],
      preflight: { _, _ in },
      run: { context, values in
        guard let comm = context.communicator, comm.size >= 2 else {
          return [
            .notRun(
              id: "test.mpi.die", status: .skipped, parameters: values.values,
              reason: "needs 2 MPI ranks")
          ]
        }
        if comm.rank == comm.size - 1 {
          Thread.sleep(forTimeInterval: values.double("afterSeconds"))
          kill(getpid(), SIGKILL)
        }
        try comm.barrier()
        return []
      })
    descriptor.usesMPI = true
    return descriptor
  }
}
