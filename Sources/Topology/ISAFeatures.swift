/// The instruction-set features that decide a core's peak per precision.
public struct ISAFeatures: Sendable, Equatable {
  /// Normalised lower-case names as /proc/cpuinfo spells them ("avx2", "fma", "avx512_bf16").
  public var flags: Set<String>

  public init(flags: Set<String>) { self.flags = flags }

  /// The flags that matter for compute, in a stable order, for reports and `topo`.
  public static let relevant = [
    "sse2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512_fp16", "avx512_bf16", "amx_tile",
    "amx_bf16", "amx_fp16", "asimd", "asimdhp", "fphp", "bf16", "sve", "sve2", "sme",
  ]

  public var relevantFlags: [String] { ISAFeatures.relevant.filter(flags.contains) }

  public func has(_ flag: String) -> Bool { flags.contains(flag) }

  /// Widest SIMD register (bits) with FMA: 512 (AVX-512), 256 (AVX/AVX2), 128 (SSE2/NEON).
  public var vectorBits: Int {
    if has("avx512f") { return 512 }
    if has("avx") { return 256 }
    return has("sse2") || has("asimd") ? 128 : 64
  }

  public var hasFMA: Bool { has("fma") || has("asimd") }

  /// Parses the `flags` (x86) or `Features` (Arm) line of /proc/cpuinfo.
  public static func parse(cpuinfo: String) -> ISAFeatures {
    for line in cpuinfo.split(separator: "\n") {
      let parts = line.split(separator: ":", maxSplits: 1)
      guard parts.count == 2 else { continue }
      let key = parts[0].trimmingWhitespace()
      if key == "flags" || key == "Features" {
        return ISAFeatures(flags: Set(parts[1].split(separator: " ").map { $0.lowercased() }))
      }
    }
    return ISAFeatures(flags: [])
  }
}

extension Substring {
  func trimmingWhitespace() -> String {
    String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
  }
}
