import CCUDA
import Foundation

/// cuBLAS and cuBLASLt (libcublas.so.N, libcublasLt.so.N, N the runtime's major), loaded at
/// run time: the one file that calls them. The legacy API's cublasGemmEx runs FP64, FP32, TF32,
/// FP16 and BF16; cuBLASLt's cublasLtMatmul runs FP8 (E4M3) and INT8, which need its layouts
/// ("TN": A transposed, as PyTorch's _scaled_mm and _int_mm call it).
final class CUBLAS: @unchecked Sendable {
  let library: DynamicLibrary
  let lt: DynamicLibrary
  /// "12.9.3" from cublasGetProperty.
  let version: String
  let isFake: Bool

  let create: suanli_cublasCreate_t
  let destroy: suanli_cublasDestroy_t
  let setStream: suanli_cublasSetStream_t
  let setWorkspace: suanli_cublasSetWorkspace_t
  let setMathMode: suanli_cublasSetMathMode_t
  let getMathMode: suanli_cublasGetMathMode_t?
  let gemmEx: suanli_cublasGemmEx_t
  let statusName: suanli_cublasGetStatusName_t?

  let ltCreate: suanli_cublasLtCreate_t
  let ltDestroy: suanli_cublasLtDestroy_t
  let descCreate: suanli_cublasLtMatmulDescCreate_t
  let descDestroy: suanli_cublasLtMatmulDescDestroy_t
  let descSet: suanli_cublasLtMatmulDescSetAttribute_t
  let layoutCreate: suanli_cublasLtMatrixLayoutCreate_t
  let layoutDestroy: suanli_cublasLtMatrixLayoutDestroy_t
  let preferenceCreate: suanli_cublasLtMatmulPreferenceCreate_t
  let preferenceDestroy: suanli_cublasLtMatmulPreferenceDestroy_t
  let preferenceSet: suanli_cublasLtMatmulPreferenceSetAttribute_t
  let heuristic: suanli_cublasLtMatmulAlgoGetHeuristic_t
  let matmul: suanli_cublasLtMatmul_t

  /// Opens cuBLAS and cuBLASLt of CUDA `major` from the same places as the runtime.
  static func load(major: Int, folder: String?, environment: [String: String]) throws(DeviceError)
    -> CUBLAS
  {
    let toolkit = [environment["CUDA_HOME"], environment["CUDA_PATH"]].compactMap { $0 }.map {
      $0 + "/lib64"
    }
    func open(_ soname: String) throws(DeviceError) -> DynamicLibrary {
      let (library, search) = DynamicLibrary.open(
        DynamicLibrary.candidates(
          [soname], folder: folder, fallbackFolders: toolkit + ["/usr/local/cuda/lib64"]))
      guard let library else { throw DeviceError.unavailable("\(soname) " + search.summary) }
      return library
    }
    let blas = try open("libcublas.so.\(major)")
    let lt = try open("libcublasLt.so.\(major)")
    blas.resolve(using: "cublasCreate_v2")
    lt.resolve(using: "cublasLtCreate")
    func need<T>(_ library: DynamicLibrary, _ name: String, _ type: T.Type) throws(DeviceError) -> T
    {
      try library.require(name, as: type)
    }
    var version = "?"
    if let property = blas.function("cublasGetProperty", as: suanli_cublasGetProperty_t.self) {
      var parts: [Int32] = [0, 0, 0]
      for (index, type) in [SUANLI_LIBRARY_MAJOR, SUANLI_LIBRARY_MINOR, SUANLI_LIBRARY_PATCH]
        .enumerated()
      {
        _ = property(Int32(type), &parts[index])
      }
      version = parts.map(String.init).joined(separator: ".")
    }
    return CUBLAS(
      library: blas, lt: lt, version: version,
      isFake: blas.address("suanli_fake_cublas_library") != nil,
      create: try need(blas, "cublasCreate_v2", suanli_cublasCreate_t.self),
      destroy: try need(blas, "cublasDestroy_v2", suanli_cublasDestroy_t.self),
      setStream: try need(blas, "cublasSetStream_v2", suanli_cublasSetStream_t.self),
      setWorkspace: try need(blas, "cublasSetWorkspace_v2", suanli_cublasSetWorkspace_t.self),
      setMathMode: try need(blas, "cublasSetMathMode", suanli_cublasSetMathMode_t.self),
      getMathMode: blas.function("cublasGetMathMode", as: suanli_cublasGetMathMode_t.self),
      gemmEx: try need(blas, "cublasGemmEx", suanli_cublasGemmEx_t.self),
      statusName: blas.function("cublasGetStatusName", as: suanli_cublasGetStatusName_t.self),
      ltCreate: try need(lt, "cublasLtCreate", suanli_cublasLtCreate_t.self),
      ltDestroy: try need(lt, "cublasLtDestroy", suanli_cublasLtDestroy_t.self),
      descCreate: try need(lt, "cublasLtMatmulDescCreate", suanli_cublasLtMatmulDescCreate_t.self),
      descDestroy: try need(
        lt, "cublasLtMatmulDescDestroy", suanli_cublasLtMatmulDescDestroy_t.self),
      descSet: try need(
        lt, "cublasLtMatmulDescSetAttribute", suanli_cublasLtMatmulDescSetAttribute_t.self),
      layoutCreate: try need(
        lt, "cublasLtMatrixLayoutCreate", suanli_cublasLtMatrixLayoutCreate_t.self),
      layoutDestroy: try need(
        lt, "cublasLtMatrixLayoutDestroy", suanli_cublasLtMatrixLayoutDestroy_t.self),
      preferenceCreate: try need(
        lt, "cublasLtMatmulPreferenceCreate", suanli_cublasLtMatmulPreferenceCreate_t.self),
      preferenceDestroy: try need(
        lt, "cublasLtMatmulPreferenceDestroy", suanli_cublasLtMatmulPreferenceDestroy_t.self),
      preferenceSet: try need(
        lt, "cublasLtMatmulPreferenceSetAttribute",
        suanli_cublasLtMatmulPreferenceSetAttribute_t.self),
      heuristic: try need(
        lt, "cublasLtMatmulAlgoGetHeuristic", suanli_cublasLtMatmulAlgoGetHeuristic_t.self),
      matmul: try need(lt, "cublasLtMatmul", suanli_cublasLtMatmul_t.self))
  }

  private init(
    library: DynamicLibrary, lt: DynamicLibrary, version: String, isFake: Bool,
    create: @escaping suanli_cublasCreate_t, destroy: @escaping suanli_cublasDestroy_t,
    setStream: @escaping suanli_cublasSetStream_t,
    setWorkspace: @escaping suanli_cublasSetWorkspace_t,
    setMathMode: @escaping suanli_cublasSetMathMode_t,
    getMathMode: suanli_cublasGetMathMode_t?, gemmEx: @escaping suanli_cublasGemmEx_t,
    statusName: suanli_cublasGetStatusName_t?, ltCreate: @escaping suanli_cublasLtCreate_t,
    ltDestroy: @escaping suanli_cublasLtDestroy_t,
    descCreate: @escaping suanli_cublasLtMatmulDescCreate_t,
    descDestroy: @escaping suanli_cublasLtMatmulDescDestroy_t,
    descSet: @escaping suanli_cublasLtMatmulDescSetAttribute_t,
    layoutCreate: @escaping suanli_cublasLtMatrixLayoutCreate_t,
    layoutDestroy: @escaping suanli_cublasLtMatrixLayoutDestroy_t,
    preferenceCreate: @escaping suanli_cublasLtMatmulPreferenceCreate_t,
    preferenceDestroy: @escaping suanli_cublasLtMatmulPreferenceDestroy_t,
    preferenceSet: @escaping suanli_cublasLtMatmulPreferenceSetAttribute_t,
    heuristic: @escaping suanli_cublasLtMatmulAlgoGetHeuristic_t,
    matmul: @escaping suanli_cublasLtMatmul_t
  ) {
    self.library = library
    self.lt = lt
    self.version = version
    self.isFake = isFake
    self.create = create
    self.destroy = destroy
    self.setStream = setStream
    self.setWorkspace = setWorkspace
    self.setMathMode = setMathMode
    self.getMathMode = getMathMode
    self.gemmEx = gemmEx
    self.statusName = statusName
    self.ltCreate = ltCreate
    self.ltDestroy = ltDestroy
    self.descCreate = descCreate
    self.descDestroy = descDestroy
    self.descSet = descSet
    self.layoutCreate = layoutCreate
    self.layoutDestroy = layoutDestroy
    self.preferenceCreate = preferenceCreate
    self.preferenceDestroy = preferenceDestroy
    self.preferenceSet = preferenceSet
    self.heuristic = heuristic
    self.matmul = matmul
  }

  /// `status` as a DeviceError when it is not CUBLAS_STATUS_SUCCESS.
  func check(_ call: String, _ status: Int32) throws(DeviceError) {
    guard status != 0 else { return }
    let name = statusName?(status).map { String(cString: $0) } ?? "cublasStatus \(status)"
    throw DeviceError.library(call: call, status: Int(status), name: name)
  }

  /// What one precision asks of cuBLAS: the data types, compute type and scale type.
  struct Types {
    var input: Int32
    var output: Int32
    var compute: Int32
    var computeName: String
    /// Through cuBLASLt with A transposed (FP8, INT8); cublasGemmEx otherwise.
    var lt: Bool
  }

  static func types(_ precision: DeviceGEMMPrecision) -> Types {
    switch precision {
    case .fp64:
      return Types(
        input: Int32(SUANLI_CUDA_R_64F), output: Int32(SUANLI_CUDA_R_64F),
        compute: Int32(SUANLI_CUBLAS_COMPUTE_64F), computeName: "CUBLAS_COMPUTE_64F", lt: false)
    case .fp32:
      return Types(
        input: Int32(SUANLI_CUDA_R_32F), output: Int32(SUANLI_CUDA_R_32F),
        compute: Int32(SUANLI_CUBLAS_COMPUTE_32F), computeName: "CUBLAS_COMPUTE_32F", lt: false)
    case .tf32:
      return Types(
        input: Int32(SUANLI_CUDA_R_32F), output: Int32(SUANLI_CUDA_R_32F),
        compute: Int32(SUANLI_CUBLAS_COMPUTE_32F_FAST_TF32),
        computeName: "CUBLAS_COMPUTE_32F_FAST_TF32", lt: false)
    case .fp16:
      return Types(
        input: Int32(SUANLI_CUDA_R_16F), output: Int32(SUANLI_CUDA_R_16F),
        compute: Int32(SUANLI_CUBLAS_COMPUTE_32F), computeName: "CUBLAS_COMPUTE_32F", lt: false)
    case .bf16:
      return Types(
        input: Int32(SUANLI_CUDA_R_16BF), output: Int32(SUANLI_CUDA_R_16BF),
        compute: Int32(SUANLI_CUBLAS_COMPUTE_32F), computeName: "CUBLAS_COMPUTE_32F", lt: false)
    case .fp8:
      return Types(
        input: Int32(SUANLI_CUDA_R_8F_E4M3), output: Int32(SUANLI_CUDA_R_16BF),
        compute: Int32(SUANLI_CUBLAS_COMPUTE_32F), computeName: "CUBLAS_COMPUTE_32F", lt: true)
    case .int8:
      return Types(
        input: Int32(SUANLI_CUDA_R_8I), output: Int32(SUANLI_CUDA_R_32I),
        compute: Int32(SUANLI_CUBLAS_COMPUTE_32I), computeName: "CUBLAS_COMPUTE_32I", lt: true)
    }
  }

  /// A prepared GEMM C = A·B on device buffers: `run()` enqueues one on the default stream.
  /// Legacy: column-major A m×k, B k×n, C m×n. cuBLASLt: A stored k×m (transposed).
  final class Plan {
    let blas: CUBLAS
    let run: () throws(DeviceError) -> Void
    let describe: String
    private let cleanup: () -> Void

    init(
      blas: CUBLAS, describe: String, run: @escaping () throws(DeviceError) -> Void,
      cleanup: @escaping () -> Void
    ) {
      self.blas = blas
      self.describe = describe
      self.run = run
      self.cleanup = cleanup
    }

    deinit { cleanup() }
  }

  /// Prepares the GEMM of `precision` on `a`, `b` into `c`, with `workspace` (bytes).
  func plan(
    _ precision: DeviceGEMMPrecision, m: Int, n: Int, k: Int, a: UnsafeRawPointer,
    b: UnsafeRawPointer, c: UnsafeMutableRawPointer, workspace: UnsafeMutableRawPointer,
    workspaceBytes: Int
  ) throws(DeviceError) -> Plan {
    let types = Self.types(precision)
    // Scale factors of the compute type: FP64 for 64F, int32 for 32I, FP32 otherwise.
    let scale = UnsafeMutableRawPointer.allocate(byteCount: 32, alignment: 16)
    switch precision {
    case .fp64:
      scale.storeBytes(of: 1.0, as: Double.self)
      scale.storeBytes(of: 0.0, toByteOffset: 16, as: Double.self)
    case .int8:
      scale.storeBytes(of: Int32(1), as: Int32.self)
      scale.storeBytes(of: Int32(0), toByteOffset: 16, as: Int32.self)
    default:
      scale.storeBytes(of: Float(1), as: Float.self)
      scale.storeBytes(of: Float(0), toByteOffset: 16, as: Float.self)
    }
    let alpha = UnsafeRawPointer(scale)
    let beta = UnsafeRawPointer(scale + 16)
    if !types.lt {
      var handle: UnsafeMutableRawPointer? = nil
      do throws(DeviceError) {
        try check("cublasCreate_v2", create(&handle))
      } catch {
        scale.deallocate()
        throw error
      }
      let cleanup = { [destroy] in
        _ = destroy(handle)
        scale.deallocate()
      }
      do throws(DeviceError) {
        try check("cublasSetStream_v2", setStream(handle, nil))
        try check("cublasSetWorkspace_v2", setWorkspace(handle, workspace, workspaceBytes))
        try check("cublasSetMathMode", setMathMode(handle, Int32(SUANLI_CUBLAS_DEFAULT_MATH)))
      } catch {
        cleanup()
        throw error
      }
      var mode: Int32 = -1
      _ = getMathMode?(handle, &mode)
      let gemm = gemmEx
      let m32 = Int32(m)
      let n32 = Int32(n)
      let k32 = Int32(k)
      let describe =
        "cuBLAS \(version) cublasGemmEx (N, N), \(types.computeName), math mode \(mode == 0 ? "CUBLAS_DEFAULT_MATH" : String(mode)), algorithm CUBLAS_GEMM_DEFAULT, workspace \(workspaceBytes >> 20) MiB"
      return Plan(
        blas: self, describe: describe,
        run: { () throws(DeviceError) in
          try self.check(
            "cublasGemmEx",
            gemm(
              handle, Int32(SUANLI_CUBLAS_OP_N), Int32(SUANLI_CUBLAS_OP_N), m32, n32, k32, alpha, a,
              types.input, m32, b, types.input, k32, beta, c, types.output, m32, types.compute,
              Int32(SUANLI_CUBLAS_GEMM_DEFAULT)))
        }, cleanup: cleanup)
    }
    // cuBLASLt: A (k×m, transposed), B (k×n), C = D (m×n), one heuristic algorithm.
    var handle: UnsafeMutableRawPointer? = nil
    var desc: UnsafeMutableRawPointer? = nil
    var layouts: [UnsafeMutableRawPointer?] = [nil, nil, nil]
    var preference: UnsafeMutableRawPointer? = nil
    let results = UnsafeMutablePointer<suanli_cublasLtMatmulHeuristicResult_t>.allocate(capacity: 1)
    let cleanup = { [ltDestroy, descDestroy, layoutDestroy, preferenceDestroy] in
      if let preference { _ = preferenceDestroy(preference) }
      for layout in layouts { if let layout { _ = layoutDestroy(layout) } }
      if let desc { _ = descDestroy(desc) }
      if let handle { _ = ltDestroy(handle) }
      results.deallocate()
      scale.deallocate()
    }
    do throws(DeviceError) {
      // The descriptors first (host-side, no GPU needed), then the handle and the heuristic.
      let scaleType = precision == .int8 ? Int32(SUANLI_CUDA_R_32I) : Int32(SUANLI_CUDA_R_32F)
      try check("cublasLtMatmulDescCreate", descCreate(&desc, types.compute, scaleType))
      var transposed = Int32(SUANLI_CUBLAS_OP_T)
      var plain = Int32(SUANLI_CUBLAS_OP_N)
      try check(
        "cublasLtMatmulDescSetAttribute(TRANSA)",
        descSet(desc, Int32(SUANLI_CUBLASLT_DESC_TRANSA), &transposed, 4))
      try check(
        "cublasLtMatmulDescSetAttribute(TRANSB)",
        descSet(desc, Int32(SUANLI_CUBLASLT_DESC_TRANSB), &plain, 4))
      try check(
        "cublasLtMatrixLayoutCreate(A)",
        layoutCreate(&layouts[0], types.input, UInt64(k), UInt64(m), Int64(k)))
      try check(
        "cublasLtMatrixLayoutCreate(B)",
        layoutCreate(&layouts[1], types.input, UInt64(k), UInt64(n), Int64(k)))
      try check(
        "cublasLtMatrixLayoutCreate(C)",
        layoutCreate(&layouts[2], types.output, UInt64(m), UInt64(n), Int64(m)))
      try check("cublasLtMatmulPreferenceCreate", preferenceCreate(&preference))
      var limit = UInt64(workspaceBytes)
      try check(
        "cublasLtMatmulPreferenceSetAttribute(MAX_WORKSPACE_BYTES)",
        preferenceSet(preference, Int32(SUANLI_CUBLASLT_PREF_MAX_WORKSPACE_BYTES), &limit, 8))
      try check("cublasLtCreate", ltCreate(&handle))
      var returned: Int32 = 0
      try check(
        "cublasLtMatmulAlgoGetHeuristic",
        heuristic(
          handle, desc, layouts[0], layouts[1], layouts[2], layouts[2], preference, 1, results,
          &returned))
      // No algorithm is a failure, never an untouched output that looks like a result.
      guard returned > 0, results.pointee.state == 0 else {
        throw DeviceError.library(
          call: "cublasLtMatmulAlgoGetHeuristic", status: Int(results.pointee.state),
          name: "no algorithm for \(precision.rawValue) m=\(m) n=\(n) k=\(k) (TN layout)")
      }
    } catch {
      cleanup()
      throw error
    }
    let matmul = self.matmul
    // The algorithm is the heuristic result's first field.
    let algorithm = UnsafeRawPointer(results).assumingMemoryBound(
      to: suanli_cublasLtMatmulAlgo_t.self)
    let (ha, hb, hc) = (layouts[0], layouts[1], layouts[2])
    let describe =
      "cuBLASLt \(version) cublasLtMatmul (A transposed: TN), \(types.computeName), scale type \(precision == .int8 ? "CUDA_R_32I" : "CUDA_R_32F"), output \(precision == .int8 ? "INT32" : "BF16"), first heuristic algorithm, workspace \(workspaceBytes >> 20) MiB"
        + (precision == .fp8 ? ", unit scales, FAST_ACCUM off (default)" : "")
    return Plan(
      blas: self, describe: describe,
      run: { () throws(DeviceError) in
        try self.check(
          "cublasLtMatmul",
          matmul(
            handle, desc, alpha, a, ha, b, hb, beta, c, hc, c, hc, algorithm, workspace,
            workspaceBytes, nil))
      }, cleanup: cleanup)
  }
}
