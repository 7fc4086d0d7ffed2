import Foundation
import Measurement
import ReportFormat

/// nccl-tests' JSON output (`-J FILE`, the file layout version 2 of nccl-tests' util.cu): the
/// same table as the text output — each size's out-of-place and in-place time, algbw, busbw
/// and wrong-element count —, the devices (one record per rank), the out-of-bounds count. The
/// same checks as the text (NCCLLog.table), at the JSON's six printed decimals; the average
/// bus bandwidth is never imported.
enum NCCLJSONLog: LogFormat {
  static let id = "nccl-tests-json"
  static let version = 1
  static let summary =
    "nccl-tests JSON output (-J FILE, layout version 2): → nccl.<collective> as the text output, the same checks at the JSON's 6 decimals"

  static func detect(_ log: LogText) -> Bool {
    let head = log.text.prefix(4096)
    return head.drop(while: { $0.isWhitespace }).first == "{" && head.contains("\"nccl_version\"")
  }

  static func parse(_ log: LogText) throws(ImportError) -> ParsedLog {
    let document: [String: Any]
    do {
      guard
        let object = try JSONSerialization.jsonObject(with: Data(log.text.utf8)) as? [String: Any]
      else { throw log.error(nil, "expected a JSON object at the top") }
      document = object
    } catch let error as ImportError {
      throw error
    } catch {
      throw log.error(nil, "not valid JSON: \(error.localizedDescription)")
    }
    guard let layout = integer(document["version"]), (1...2).contains(layout) else {
      throw log.error(nil, "version: expected nccl-tests' JSON layout 1 or 2")
    }
    // The collective: the program's name (args[0], ".../all_reduce_perf"), else the test's own
    // name in the rows ("AllReduce").
    let program = (document["args"] as? [Any])?.first as? String
    let rows = document["results"] as? [Any]
    var collective: String?
    if let program {
      let name = URL(fileURLWithPath: program).lastPathComponent
      if name.hasSuffix("_perf") { collective = String(name.dropLast(5)) }
    }
    if collective == nil, let first = rows?.first as? [String: Any],
      let experiment = first["experiment_name"] as? String
    {
      collective = NCCLLog.collectives.keys.first {
        $0.replacingOccurrences(of: "_", with: "") == experiment.lowercased()
      }
    }
    guard let name = collective, let known = NCCLLog.collectives[name] else {
      throw log.error(
        nil,
        "args[0]: the program (\(program ?? "missing")) is not one of \(NCCLLog.collectives.keys.sorted().map { "\($0)_perf" }.joined(separator: ", "))"
      )
    }
    let config = document["config"] as? [String: Any]
    let devices = config?["devices"] as? [Any] ?? []
    guard let rows, !rows.isEmpty else { throw log.error(nil, "results: expected a list of rows") }
    var entries: [NCCLLog.Entry] = []
    for (index, item) in rows.enumerated() {
      let place = "results[\(index)]"
      guard let row = item as? [String: Any] else {
        throw log.error(nil, "\(place): expected an object")
      }
      guard let size = integer(row["size"]), size >= 0 else {
        throw log.error(nil, "\(place).size: expected a byte count")
      }
      func block(_ key: String) throws(ImportError) -> (
        time: Double, algbw: Double, busbw: Double, wrong: Double?
      ) {
        guard let block = row[key] as? [String: Any] else {
          throw log.error(nil, "\(place).\(key): expected an object (time, alg_bw, bus_bw, nwrong)")
        }
        guard let time = number(block["time"] ?? block["cpu_time"]), time > 0,
          let algbw = number(block["alg_bw"]), algbw >= 0,
          let busbw = number(block["bus_bw"]), busbw >= 0
        else {
          throw log.error(
            nil, "\(place).\(key): expected a positive time and non-negative alg_bw and bus_bw")
        }
        let wrong: Double?
        if block["nwrong"] == nil || block["nwrong"] is NSNull {
          wrong = nil
        } else if let count = number(block["nwrong"]) {
          wrong = count
        } else {
          throw log.error(nil, "\(place).\(key).nwrong: expected a count or null")
        }
        return (time, algbw, busbw, wrong)
      }
      let outOfPlace = try block("out_of_place")
      let inPlace = try block("in_place")
      entries.append(
        NCCLLog.Entry(
          place: "[\(index)]", size: size, time: outOfPlace.time, algbw: outOfPlace.algbw,
          busbw: outOfPlace.busbw, wrong: outOfPlace.wrong, timeInPlace: inPlace.time,
          busbwInPlace: inPlace.busbw, wrongInPlace: inPlace.wrong, timeRounding: 5e-7))
    }
    let outOfBounds: (ok: Bool, line: Int?, text: String)
    if let bounds = document["out_of_bounds"] as? [String: Any], let count = integer(bounds["count"])
    {
      let okay = flag(bounds["okay"])
      outOfBounds = (
        count == 0 && okay == true, nil, "out_of_bounds: count \(count), okay \(okay.map(String.init) ?? "missing")"
      )
    } else {
      outOfBounds = (false, nil, "no out_of_bounds record: the file is cut")
    }
    var result = NCCLLog.table(
      collective: name, factor: known.factor, id: known.id, ranks: devices.count,
      entries: entries, places: "results", bandwidthRounding: 5e-7, outOfBounds: outOfBounds,
      devices: "config.devices")
    if let code = integer(document["nccl_version"]), code > 0 {
      result.parameters["ncclVersion"] = .int(code)
    }
    result.parameters["layout"] = .int(layout)
    return ParsedLog(tool: "nccl-tests", toolVersion: nil, results: [result])
  }

  /// A JSON number (a whole one for `integer`); nccl-tests writes NaN as the string "nan".
  static func number(_ value: Any?) -> Double? {
    // JSON's true and false come back as a boolean NSNumber subclass: not numbers here. (An
    // `is Bool` test cannot tell them apart: every NSNumber of 0 or 1 bridges to Bool.)
    guard let number = value as? NSNumber, !String(describing: type(of: number)).contains("Boolean")
    else { return nil }
    let double = number.doubleValue
    return double.isFinite ? double : nil
  }

  static func integer(_ value: Any?) -> Int? {
    guard let double = number(value), double == double.rounded(), abs(double) < 1e15 else {
      return nil
    }
    return Int(double)
  }

  /// nccl-tests writes its booleans as the strings "true" and "false".
  static func flag(_ value: Any?) -> Bool? {
    if let text = value as? String { return text == "true" ? true : text == "false" ? false : nil }
    return value as? Bool
  }
}
