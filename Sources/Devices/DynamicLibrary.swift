import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A shared library opened at run time (dlopen, RTLD_NOW | RTLD_LOCAL), kept open for the
/// process's life: vendor libraries (CUDA, NVML, HIP) are never linked, so a build needs
/// none of them and a node without them still runs everything else.
final class DynamicLibrary: @unchecked Sendable {
  /// The file opened: the candidate, or the file the loader found for a bare soname once
  /// `resolve(using:)` has located one of its symbols.
  private(set) var path: String
  private let handle: UnsafeMutableRawPointer

  private init(path: String, handle: UnsafeMutableRawPointer) {
    self.path = path
    self.handle = handle
  }

  /// The address of `name`, or nil.
  func address(_ name: String) -> UnsafeMutableRawPointer? { dlsym(handle, name) }

  /// `name` as the C function type `T`; nil when the library lacks it.
  func function<T>(_ name: String, as type: T.Type) -> T? {
    address(name).map { unsafeBitCast($0, to: type) }
  }

  /// `name` as `T`, or the error that says which library lacks it.
  func require<T>(_ name: String, as type: T.Type) throws(DeviceError) -> T {
    guard let function = function(name, as: type) else {
      throw DeviceError.unavailable("\(path) lacks \(name)")
    }
    return function
  }

  /// Where a library was looked for, and what each place answered.
  struct Search: Sendable, Equatable {
    var tried: [String] = []
    var errors: [String] = []
    /// "libcudart.so.13 or .12: not found (looked in ...)".
    var summary: String {
      "not found (looked for " + tried.joined(separator: ", ") + ")"
    }
  }

  /// The first of `candidates` (paths, or bare sonames for the dynamic loader's own search)
  /// that opens.
  static func open(_ candidates: [String]) -> (library: DynamicLibrary?, search: Search) {
    var search = Search()
    for candidate in candidates {
      search.tried.append(candidate)
      if candidate.contains("/"), !FileManager.default.fileExists(atPath: candidate) { continue }
      if let handle = dlopen(candidate, RTLD_NOW | RTLD_LOCAL) {
        return (DynamicLibrary(path: candidate, handle: handle), search)
      }
      if let error = dlerror() { search.errors.append(String(cString: error)) }
    }
    return (nil, search)
  }

  /// Records the file that holds `symbol` as the library's path — for a bare soname, where
  /// the loader found it — from the process's own memory map (/proc/self/maps).
  func resolve(using symbol: String) {
    guard let address = address(symbol).map({ UInt(bitPattern: $0) }),
      let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8)
    else { return }
    for line in maps.split(separator: "\n") {
      let fields = line.split(separator: " ", omittingEmptySubsequences: true)
      guard fields.count >= 6, fields[5].hasPrefix("/") else { continue }
      let bounds = fields[0].split(separator: "-").compactMap { UInt($0, radix: 16) }
      if bounds.count == 2, bounds[0] <= address, address < bounds[1] {
        path = fields[5...].joined(separator: " ")
        return
      }
    }
  }

  /// Candidate files for `sonames`: in `folder` first (when given; several folders separated
  /// by colons, as the CUDA 12 wheels put each library in a folder of its own), then the bare
  /// sonames (LD_LIBRARY_PATH, the ldconfig cache), then each of `fallbackFolders`.
  static func candidates(_ sonames: [String], folder: String?, fallbackFolders: [String]) -> [String]
  {
    var list: [String] = []
    for part in (folder ?? "").split(separator: ":") where !part.isEmpty {
      list += sonames.map { part + "/" + $0 }
    }
    list += sonames
    for fallback in fallbackFolders where !fallback.isEmpty {
      list += sonames.map { fallback + "/" + $0 }
    }
    return list
  }
}
