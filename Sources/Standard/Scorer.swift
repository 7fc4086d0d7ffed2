import Foundation
import Measurement
import ReportFormat

/// Scores a center's figures against a standard. Pure: the same figures and standard give the
/// same block, byte for byte.
public enum Scorer {
  public static func score(
    _ figures: CenterFigures, standard: EvaluationStandard, profile requested: String? = nil
  ) -> ScoreBlock {
    let profile = requested ?? standard.defaultProfile
    let weights = standard.profiles[profile] ?? [:]
    let tier = standard.tier(
      hplRate: figures.values["hpl.fp64.rate"], accelerated: figures.accelerated)
    let skew = Scorer.skew(figures)
    let rules = !standard.runRules.isEmpty
    var derived: [String: Double] = [:]
    var estimates = figures.estimates
    var imported = figures.imported
    func inherit(_ key: String, from inputs: [String]) {
      let missed = Set(inputs.flatMap { figures.estimates[$0] ?? [] })
      if !missed.isEmpty { estimates[key] = missed.sorted() }
      let sources = Set(inputs.compactMap { figures.imported[$0] })
      if !sources.isEmpty { imported[key] = sources.sorted().joined(separator: ", ") }
    }
    if let index = skew.index {
      derived["derived.precisionBalance"] = pow(2, -abs(index))
      inherit(
        "derived.precisionBalance", from: ["gemm.fp64.rate", "gemm.fp16.rate", "gemm.bf16.rate"])
    }
    if let triad = figures.values["stream.triad.bandwidth"],
      let hpl = figures.values["hpl.fp64.rate"], hpl > 0
    {
      derived["derived.bytesPerFlop"] = triad / hpl
      inherit("derived.bytesPerFlop", from: ["stream.triad.bandwidth", "hpl.fp64.rate"])
    }
    // HPCG's rating over HPL's rate (both the center's): the TOP500's measure of balance.
    if let hpcg = figures.values["hpcg.rate"], let hpl = figures.values["hpl.fp64.rate"], hpl > 0 {
      derived["derived.hpcgToHPL"] = hpcg / hpl
      inherit("derived.hpcgToHPL", from: ["hpcg.rate", "hpl.fp64.rate"])
    }

    // 能效: flops per joule of HPL over a whole-node scope only (a BMC, a platform meter);
    // energy over a component (a CPU package) is listed, never scored.
    if let perJoule = figures.values["hpl.fp64.flopsPerJoule"] {
      derived["derived.flopsPerWatt"] = perJoule
      inherit("derived.flopsPerWatt", from: ["hpl.fp64.flopsPerJoule"])
    }
    let componentEnergy = figures.values.keys.filter {
      $0.hasPrefix("hpl.fp64.flopsPerJoule(")
    }.sorted().map { key in
      "\(key) = \(Humanize.format(figures.values[key]!, unit: .flopsPerJoule)): measured, not comparable (not a whole-node scope)"
    }

    let dimensions = standard.dimensions.map { dimension -> ScoreBlock.DimensionScore in
      var metrics: [ScoreBlock.MetricScore] = []
      var missing: [String] = []
      var logSum = 0.0
      var weightSum = 0.0
      for rule in dimension.metrics {
        let key = rule.key
        let value = rule.benchmark == "derived" ? derived[key] : figures.values[key]
        let reference = standard.reference(rule, tier: tier) ?? 0
        var score: Double? = nil
        if let value, value > 0, reference > 0 {
          let ratio = rule.higherIsBetter ? value / reference : reference / value
          let capped = min(standard.cap, 100 * ratio)
          score = capped
          logSum += rule.weight * log(capped)
          weightSum += rule.weight
        } else {
          missing.append(key)
        }
        metrics.append(
          .init(
            key: key, value: value, reference: reference, weight: rule.weight, score: score,
            missedRules: rules ? (value == nil ? [] : estimates[key] ?? []) : nil))
      }
      var scored = ScoreBlock.DimensionScore(
        id: dimension.id, name: dimension.name,
        score: weightSum > 0 ? exp(logSum / weightSum) : nil,
        complete: missing.isEmpty, missing: missing, metrics: metrics)
      if dimension.metrics.contains(where: { $0.key == "derived.flopsPerWatt" }),
        !componentEnergy.isEmpty
      {
        scored.notComparable = componentEnergy
      }
      return scored
    }

    var logSum = 0.0
    var weightSum = 0.0
    var complete = true
    for dimension in dimensions {
      guard let weight = weights[dimension.id], weight > 0 else { continue }
      complete = complete && dimension.complete
      if let score = dimension.score {
        logSum += weight * log(score)
        weightSum += weight
      }
    }
    let composite = weightSum > 0 ? exp(logSum / weightSum) : nil
    let hpc = dimensions.first { $0.id == "hpc" }?.score
    let ai = dimensions.first { $0.id == "ai" }?.score
    var classification: String
    switch ((hpc ?? 0) >= standard.strongScore, (ai ?? 0) >= standard.strongScore) {
    case (true, true): classification = "超智融合型 fusion"
    case (true, false): classification = "超算型 HPC"
    case (false, true): classification = "智算型 AI"
    case (false, false): classification = "通算型 general"
    }
    var grade = composite.map(standard.grade) ?? "-"
    var lacking: [String]? = nil
    var estimate: Bool? = nil
    if rules {
      // A composite missing a dimension the profile weighs is no grade and no class: it says
      // what it lacks instead (an optional dimension may be absent).
      let optional = Set(standard.dimensions.filter(\.optional).map(\.id))
      lacking = dimensions.filter { dimension in
        (weights[dimension.id] ?? 0) > 0 && dimension.score == nil
          && !optional.contains(dimension.id)
      }.map(\.name)
      if !(lacking ?? []).isEmpty {
        grade = "-"
        classification = "unclassified"
      } else if hpc == nil || ai == nil {
        classification = "unclassified"
      }
      estimate = dimensions.contains { (weights[$0.id] ?? 0) > 0 && $0.estimate }
    }
    var block = ScoreBlock(
      standard: .init(id: standard.id, version: standard.version, sha256: standard.sha256),
      profile: profile,
      tier: tier, nodes: figures.nodes, dimensions: dimensions, composite: composite,
      complete: complete,
      grade: grade, classification: classification, skew: skew)
    block.lacking = lacking
    block.estimate = estimate
    let scoredKeys = Set(dimensions.flatMap { $0.metrics.filter { $0.value != nil }.map(\.key) })
    let scoredImported = imported.filter { scoredKeys.contains($0.key) }
    block.imported = scoredImported.isEmpty ? nil : scoredImported
    return block
  }

  /// 算力偏科: FP64 : FP32 : FP16 GEMM rates against the 1 : 2 : 4 rule of thumb. The FP16 rate
  /// is the better of gemm.fp16 and gemm.bf16.
  public static func skew(_ figures: CenterFigures) -> ScoreBlock.Skew {
    let fp64 = figures.values["gemm.fp64.rate"]
    let fp32 = figures.values["gemm.fp32.rate"]
    let half = [figures.values["gemm.fp16.rate"], figures.values["gemm.bf16.rate"]].compactMap {
      $0
    }.max()
    guard let fp64, let half, fp64 > 0 else {
      return .init(
        index: nil, fp64: fp64, fp32: fp32, fp16: half,
        reading: "unknown: needs gemm.fp64 and gemm.fp16 or gemm.bf16")
    }
    let ratio = half / fp64
    let index = log2(ratio / 4)
    let times = ratio >= 10 ? String(Int(ratio.rounded())) : String(Double(Int(ratio * 10)) / 10)
    let reading: String
    if index > 1 {
      reading =
        "FP16 is \(times)× FP64: AI-skewed (算力偏科 toward low precision; the 1:2:4 rule expects 4×)"
    } else if index < -1 {
      reading =
        "FP16 is \(times)× FP64: FP64-skewed (low precision under-provisioned; the rule expects 4×)"
    } else {
      reading = "FP16 is \(times)× FP64: balanced (the 1:2:4 rule expects 4×)"
    }
    return .init(index: index, fp64: fp64, fp32: fp32, fp16: half, reading: reading)
  }
}
