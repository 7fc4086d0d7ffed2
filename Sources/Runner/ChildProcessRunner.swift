import Benchmarks
import Energy
import Foundation
import ReportFormat
import Synchronization

/// Runs one benchmark entry in a child process (`suanli run-one`), so that a crash, a runaway
/// allocation or a hang takes down the child only: the parent records `crashed` (with the
/// signal) or `timedOut` and goes on with the suite.
public final class ChildProcessRunner: Sendable {
  let executable: String
  let clockHertz: Double?
  let energy: EnergySettings
  private let current = Mutex<Process?>(nil)
  private let interrupted = Atomic<Bool>(false)

  public init(executable: String, clockHertz: Double?, energy: EnergySettings = EnergySettings()) {
    self.executable = executable
    self.clockHertz = clockHertz
    self.energy = energy
  }

  /// Stops the running child (interruption): its entry is then recorded as not run.
  public func interrupt() {
    interrupted.store(true, ordering: .sequentiallyConsistent)
    current.withLock { $0?.terminate() }
  }

  /// Whether `interrupt()` was called.
  public var wasInterrupted: Bool { interrupted.load(ordering: .sequentiallyConsistent) }

  public func run(_ entry: SuiteEntry, timeLimit: Double?) -> [BenchmarkResult] {
    let ids = entry.descriptor.produces
    func notRun(_ status: ResultStatus, _ reason: String) -> [BenchmarkResult] {
      ids.map { .notRun(id: $0, status: status, parameters: entry.values.values, reason: reason) }
    }
    let resultPath = NSTemporaryDirectory() + "suanli-result-\(getpid())-\(UUID().uuidString).json"
    defer { unlink(resultPath) }
    let parameters: String
    let energy: String
    do {
      parameters = String(decoding: try JSONEncoder().encode(entry.values.values), as: UTF8.self)
      energy = String(decoding: try JSONEncoder().encode(self.energy), as: UTF8.self)
    } catch {
      return notRun(.failed, "could not pass the parameters to the child: \(error)")
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments =
      [
        "run-one", "--id", entry.id, "--parameters", parameters, "--result", resultPath,
        "--energy", energy,
      ]
      + (clockHertz.map { ["--clock-hz", String($0)] } ?? [])
    process.standardOutput = FileHandle.nullDevice
    let finished = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in finished.signal() }
    do { try process.run() } catch {
      return notRun(.failed, "could not start \(executable): \(error)")
    }
    current.withLock { $0 = process }
    defer { current.withLock { $0 = nil } }
    let pid = process.processIdentifier
    var normal = false
    defer {
      if !normal { entry.descriptor.afterAbnormalEnd?(entry.values, pid) }
    }
    if let timeLimit, finished.wait(timeout: .now() + timeLimit) == .timedOut {
      process.terminate()
      if finished.wait(timeout: .now() + 2) == .timedOut {
        kill(process.processIdentifier, SIGKILL)
        finished.wait()
      }
      return notRun(.timedOut, "stopped at its time limit of \(timeLimit) s")
    } else if timeLimit == nil {
      finished.wait()
    }
    if interrupted.load(ordering: .sequentiallyConsistent) {
      return notRun(.skipped, "interrupted (SIGINT/SIGTERM) before it finished")
    }
    if process.terminationReason == .uncaughtSignal {
      let signal = process.terminationStatus
      // We send SIGKILL only past a time limit (handled above): someone else killed it, most
      // often the kernel when memory ran out (the child volunteers for that: IsolatedRun).
      let who = signal == SIGKILL ? ", most likely by the out-of-memory killer" : ""
      return notRun(
        .crashed,
        "its process died with signal \(signal) (\(String(cString: strsignal(signal)))\(who))")
    }
    guard process.terminationStatus == 0 else {
      return notRun(.failed, "its process exited with status \(process.terminationStatus)")
    }
    normal = true
    guard let data = FileManager.default.contents(atPath: resultPath),
      let results = try? JSONDecoder().decode([BenchmarkResult].self, from: data)
    else { return notRun(.failed, "its process wrote no readable result") }
    return results
  }
}
