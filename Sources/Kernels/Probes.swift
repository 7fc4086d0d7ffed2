import CSuanli
import Measurement

/// What the binary was built for, from the C compiler's predefined macros (the one gateway to
/// the CSuanli target).
public enum BuildInfo {
  /// ISA features compiled in, e.g. ["sse2", "avx", "avx2", "fma", "f16c", "avx512f"].
  public static var isa: [String] {
    String(cString: suanli_build_isa()).split(separator: " ").map(String.init)
  }

  /// The git commit the Makefile baked in, or "unknown".
  public static var gitCommit: String {
    let commit = String(cString: suanli_build_commit())
    return commit.isEmpty ? "unknown" : commit
  }

  /// Features the host has but the binary does not use: a build for the wrong -target-cpu
  /// (kernels then run far slower). Empty when the build matches.
  public static func missing(hostFlags: Set<String>) -> [String] {
    let built = Set(isa)
    return ["avx2", "fma", "f16c", "avx512f"].filter {
      hostFlags.contains($0) && !built.contains($0)
    }
  }
}

/// Short measurements of the core itself: its clock and its FMA throughput.
public enum CoreProbe {
  /// The sustained clock, measured on every worker at once: a chain of dependent integer adds
  /// retires one add per cycle, so adds / seconds = Hz. Runs ~`seconds` after a warm-up of the
  /// same length (which lets the clock ramp). Returns the median over workers.
  public static func clockHertz(team: ThreadTeam, seconds: Double = 0.1) -> Double {
    let rates = perWorker(team: team, seconds: seconds) { iterations in
      (UInt64(16) * iterations, suanli_dependent_adds(iterations))
    }
    return rates.sorted()[rates.count / 2]
  }

  /// Measured FMA peak of the team in flop/s (sum over workers): 12 independent FMA chains on
  /// the widest vector the build targets.
  public static func fmaPeak(team: ThreadTeam, bits: Int, seconds: Double = 0.2) -> Double {
    let rates = perWorker(team: team, seconds: seconds) { iterations in
      if bits == 64 {
        var sink = 0.0
        let flops = suanli_fma_chains_f64(iterations, &sink)
        return (flops, UInt64(sink.bitPattern & 1))
      }
      var sink: Float = 0
      let flops = suanli_fma_chains_f32(iterations, &sink)
      return (flops, UInt64(sink.bitPattern & 1))
    }
    return rates.reduce(0, +)
  }

  /// Measured BF16 dot-product peak of the team in flop/s (12 VDPBF16PS chains per worker), or
  /// nil when the build or the CPU has no AVX512-BF16.
  public static func bf16DotPeak(team: ThreadTeam, seconds: Double = 0.2) -> Double? {
    guard suanli_bf16_gemm_native() == 1 else { return nil }
    let rates = perWorker(team: team, seconds: seconds) { iterations in
      var sink: Float = 0
      let flops = suanli_bf16_dot_chains(iterations, &sink)
      return (flops, UInt64(sink.bitPattern & 1))
    }
    return rates.reduce(0, +)
  }

  public static var fmaVectorBits: Int { Int(suanli_fma_vector_bits()) }

  /// Runs `work(iterations)` -> (operations, sink) on every worker, calibrating the iteration
  /// count so one run lasts about `seconds`; returns operations per second of each worker.
  private static func perWorker(
    team: ThreadTeam, seconds: Double, _ work: @escaping (UInt64) -> (UInt64, UInt64)
  ) -> [Double] {
    var rates = [Double](repeating: 0, count: team.size)
    rates.withUnsafeMutableBufferPointer { out in
      let results = UnsafeSendable(out)
      team.run { index in
        var iterations: UInt64 = 1 << 12
        var elapsed = 0.0
        var operations: UInt64 = 0
        // Calibrate (and warm up): double until one run takes >= seconds / 4.
        while elapsed < seconds / 4 {
          iterations *= 2
          elapsed = time { operations = work(iterations).0 }
        }
        let target = UInt64(Double(iterations) * seconds / elapsed)
        elapsed = time { operations = work(max(target, 1)).0 }
        results.value[index] = Double(operations) / elapsed
      }
    }
    return rates
  }

  private static func time(_ body: () -> Void) -> Double { MonotonicClock.time(body) }
}

/// Wraps a value that is shared across the team's workers under the team's own synchronisation
/// (each worker touches its own part; `run` orders everything before and after).
public struct UnsafeSendable<Value>: @unchecked Sendable {
  public var value: Value
  public init(_ value: Value) { self.value = value }
}
