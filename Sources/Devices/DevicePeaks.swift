import ReportFormat

/// A GPU's theoretical peak per precision, **dense** (datasheet figures marked with an
/// asterisk are 2:4-sparse, twice these): SMs × flops per clock per SM for the architecture ×
/// the clock the vendor's own table uses, with the formula stated. The report's record of it.
public typealias DevicePeak = AcceleratorPeak

/// Dense flops (int8: operations) per clock per SM, by compute capability, FMA = 2; from the
/// vendors' whitepapers as tabulated in shared/research/gpu-backend.md §4 (Volta, Ampere
/// A100, Ada, Hopper). Architectures not listed get no peak, with the reason.
public enum DevicePeaks {
  struct Architecture {
    var name: String
    var perSM: [String: Double]
    var note: String? = nil
  }

  static let table: [String: Architecture] = [
    "sm_70": Architecture(
      name: "Volta", perSM: ["fp64": 64, "fp32": 128, "fp16": 1024]),
    "sm_80": Architecture(
      name: "Ampere (A100)",
      perSM: [
        "fp64": 64, "fp64-tensor": 128, "fp32": 128, "tf32": 1024, "fp16": 2048, "bf16": 2048,
        "int8": 4096,
      ]),
    // GA10x (A10, A16, A40, RTX A6000): the datasheets' dense rates — A10 72 SMs × 1695 MHz:
    // FP32 31.2, TF32 62.5, FP16/BF16 125, INT8 250 TOPS; A40 84 × 1740: FP16 149.7.
    // GeForce RTX 30 parts run TF32 and 16-bit with FP32 accumulation at half these
    // ("sm_86-geforce"; RTX 3090 82 × 1695: FP16 with FP32 accumulate 71, INT8 284).
    "sm_86": Architecture(
      name: "Ampere (GA10x)",
      perSM: ["fp64": 4, "fp32": 256, "tf32": 512, "fp16": 1024, "bf16": 1024, "int8": 2048]),
    "sm_86-geforce": Architecture(
      name: "Ampere (GA10x, GeForce)",
      perSM: ["fp64": 4, "fp32": 256, "tf32": 256, "fp16": 512, "bf16": 512, "int8": 2048],
      note: "GeForce rates: TF32 and 16-bit inputs with FP32 accumulation at half the professional parts' rate"),
    "sm_89": Architecture(
      name: "Ada",
      perSM: [
        "fp64": 4, "fp32": 256, "tf32": 256, "fp16": 512, "bf16": 512, "fp8": 2048, "int8": 2048,
      ],
      note:
        "GeForce Ada rates (16-bit with FP32 accumulation at half the FP16-accumulate rate); professional Ada parts not checked"
    ),
    "sm_90": Architecture(
      name: "Hopper",
      perSM: [
        "fp64": 128, "fp64-tensor": 256, "fp32": 256, "tf32": 2048, "fp16": 4096, "bf16": 4096,
        "fp8": 8192, "int8": 8192,
      ]),
  ]

  /// Tensor-core precisions: on Hopper the vendor's table rates them at a lower boost clock
  /// than FP64 and FP32.
  static let tensor: Set<String> = ["tf32", "fp16", "bf16", "fp8", "int8"]

  /// Hopper's tensor-core boost clock by the part's maximum SM clock (Hopper whitepaper,
  /// table 3): SXM 1980 → 1830 MHz, PCIe 1755 → 1620 MHz.
  static let hopperTensorClock: [Int: Int] = [1980: 1830, 1755: 1620]

  /// The peaks of a device, or the reason there are none.
  public static func peaks(architecture: String, sms: Int, clockMHz: Int, name: String = "") -> (
    peaks: [DevicePeak], reason: String?
  ) {
    // A GeForce part of an architecture whose GeForce rates differ has its own row.
    let geforce = name.localizedCaseInsensitiveContains("geforce")
    guard let entry = (geforce ? table[architecture + "-geforce"] : nil) ?? table[architecture]
    else {
      let known = table.keys.filter { !$0.contains("-") }.sorted().joined(separator: ", ")
      return ([], "no peak table for \(architecture) yet (\(known) are known)")
    }
    guard sms > 0, clockMHz > 0 else { return ([], "SM count or clock not known") }
    let order = ["fp64", "fp64-tensor", "fp32", "tf32", "fp16", "bf16", "fp8", "int8"]
    let peaks = order.compactMap { precision -> DevicePeak? in
      guard let perClock = entry.perSM[precision] else { return nil }
      var clock = clockMHz
      var basis = "the device's maximum SM clock"
      if architecture == "sm_90", tensor.contains(precision) {
        if let tensorClock = hopperTensorClock[clockMHz] {
          clock = tensorClock
          basis = "Hopper's tensor-core boost clock for this part (whitepaper table 3)"
        } else {
          basis = "the maximum SM clock (this part's tensor-core clock is not in the table: an upper bound)"
        }
      }
      let unit = precision == "int8" ? "op" : "flop"
      return DevicePeak(
        precision: precision, flopsPerSecond: Double(sms) * perClock * Double(clock) * 1e6,
        formula:
          "\(sms) SMs × \(Int(perClock)) \(unit)/clock/SM (\(entry.name), dense) × \(clock) MHz (\(basis))"
          + (entry.note.map { "; \($0)" } ?? ""))
    }
    return (peaks, nil)
  }
}
