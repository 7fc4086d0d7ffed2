import ReportFormat

/// Theoretical peak per precision: cores x flops/cycle/core x clock.
///
/// flops/cycle/core = FMA pipes x lanes x 2 (an FMA is two flops), where lanes = the FMA
/// datapath width / the precision's bits. The datapath can be narrower than the widest register:
/// Zen 4 executes AVX-512 as two 256-bit halves, so it has 16 FP64 flop/cycle, not 32.
/// Sources: vendors' optimisation manuals (Intel 248966, AMD 56665/57647), Agner Fog's tables.
public struct PeakModel: Sendable, Equatable {
  public var fmaPipes: Int
  public var datapathBits: Int
  /// Why these numbers: the microarchitecture recognised, or "assumed" with the reason.
  public var basis: String

  public init(fmaPipes: Int, datapathBits: Int, basis: String) {
    self.fmaPipes = fmaPipes
    self.datapathBits = datapathBits
    self.basis = basis
  }

  /// Picks pipes and datapath width from the CPU's vendor, family, model and ISA.
  public static func forCPU(_ cpu: CPUIdentity, isa: ISAFeatures) -> PeakModel {
    let vector = isa.vectorBits
    switch (cpu.vendor, cpu.family) {
    case ("AuthenticAMD", 0x17?) where (cpu.model ?? 0) < 0x30:
      return PeakModel(fmaPipes: 2, datapathBits: 128, basis: "AMD Zen/Zen+: 2 x 128-bit FMA")
    case ("AuthenticAMD", 0x17?):
      return PeakModel(fmaPipes: 2, datapathBits: 256, basis: "AMD Zen 2: 2 x 256-bit FMA")
    case ("HygonGenuine", 0x18?):
      return PeakModel(fmaPipes: 2, datapathBits: 128, basis: "Hygon Dhyana (Zen): 2 x 128-bit FMA")
    case ("AuthenticAMD", 0x19?):
      return PeakModel(
        fmaPipes: 2, datapathBits: 256,
        basis: "AMD Zen 3/Zen 4: 2 x 256-bit FMA (AVX-512 runs as two 256-bit halves)")
    case ("AuthenticAMD", 0x1A?):
      return PeakModel(
        fmaPipes: 2, datapathBits: min(vector, 512), basis: "AMD Zen 5: 2 x 512-bit FMA")
    case ("GenuineIntel", _) where isa.has("avx512f"):
      return PeakModel(
        fmaPipes: 2, datapathBits: 512,
        basis: "Intel AVX-512 server core: 2 x 512-bit FMA (some SKUs have 1)")
    case ("GenuineIntel", _) where isa.has("fma"):
      return PeakModel(fmaPipes: 2, datapathBits: 256, basis: "Intel AVX2: 2 x 256-bit FMA")
    case ("GenuineIntel", _) where isa.has("avx"):
      return PeakModel(
        fmaPipes: 1, datapathBits: 256, basis: "Intel AVX without FMA: 1 add + 1 mul port")
    default:
      let pipes = 2
      let width = isa.hasFMA ? vector : 128
      return PeakModel(
        fmaPipes: pipes, datapathBits: width,
        basis:
          "assumed: \(pipes) x \(width)-bit FMA (\(cpu.vendor) family \(cpu.family.map(String.init) ?? "?") not in the table)"
      )
    }
  }

  /// FP64 and FP32 flops per cycle per core: pipes x lanes x 2.
  public func flopsPerCycle(bits: Int) -> Double {
    Double(fmaPipes * (datapathBits / bits) * 2)
  }

  /// The peak of every precision. FP16 and BF16 are "native" only where the ISA has arithmetic
  /// for them; otherwise they run as FP32 after conversion ("emulated"), at the FP32 peak.
  public func peaks(isa: ISAFeatures, cores: Int, clockHertz: Double) -> [PeakRecord] {
    let fp32 = flopsPerCycle(bits: 32)
    func record(_ precision: String, _ perCycle: Double, native: Bool, why: String)
      -> PeakRecord
    {
      let total = Double(cores) * perCycle * clockHertz
      let ghz = Humanized.ghz(clockHertz)
      return PeakRecord(
        precision: precision, flopsPerSecond: total, execution: native ? "native" : "emulated",
        flopsPerCyclePerCore: perCycle, cores: cores, clockHertz: clockHertz,
        formula:
          "\(cores) cores x \(Humanized.number(perCycle)) flop/cycle x \(ghz) GHz; \(why)")
    }
    let vectorWhy = "\(basis)"
    var fp16: PeakRecord
    if isa.has("amx_fp16") {
      fp16 = record(
        "fp16", 1024, native: true, why: "AMX-FP16 tile unit: 1024 flop/cycle (Intel 248966)")
    } else if isa.has("avx512_fp16") || isa.has("asimdhp") || isa.has("fphp") {
      fp16 = record(
        "fp16", fp32 * 2, native: true, why: "\(vectorWhy); native FP16 FMA, 2x FP32 lanes")
    } else {
      fp16 = record(
        "fp16", fp32, native: false,
        why: "\(vectorWhy); no FP16 arithmetic: converted to FP32 (F16C), FP32 rate")
    }
    var bf16: PeakRecord
    if isa.has("amx_bf16") {
      bf16 = record(
        "bf16", 1024, native: true, why: "AMX-BF16 tile unit: 1024 flop/cycle (Intel 248966)")
    } else if isa.has("avx512_bf16") || isa.has("bf16") {
      bf16 = record(
        "bf16", fp32 * 2, native: true,
        why: "\(vectorWhy); BF16 dot-product (VDPBF16PS/BFDOT): 2 products per FP32 lane")
    } else {
      bf16 = record(
        "bf16", fp32, native: false, why: "\(vectorWhy); no BF16 arithmetic: FP32 rate")
    }
    fp16.precision = "fp16"
    bf16.precision = "bf16"
    return [
      record("fp64", flopsPerCycle(bits: 64), native: true, why: vectorWhy),
      record("fp32", fp32, native: true, why: vectorWhy), fp16, bf16,
    ]
  }
}

enum Humanized {
  static func ghz(_ hertz: Double) -> String { number((hertz / 1e7).rounded() / 100) }
  static func number(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(value)
  }
}
