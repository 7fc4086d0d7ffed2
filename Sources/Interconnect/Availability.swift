/// Whether this build can talk MPI (the package trait `MPI`, which `make` enables when Open MPI
/// is installed).
public enum MPIAvailability {
  public static var compiled: Bool {
    #if MPI
      return true
    #else
      return false
    #endif
  }
}
