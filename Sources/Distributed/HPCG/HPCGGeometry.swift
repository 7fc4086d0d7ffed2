/// Where a rank's box sits in HPCG's global grid: a 3-D process grid npx × npy × npz (HPCG's
/// ComputeOptimalShapeXYZ), rank r at (r mod npx, (r / npx) mod npy, r / (npx·npy)), each rank
/// an nx × ny × nz box.
public struct HPCGGeometry: Sendable, Equatable {
  public let npx: Int
  public let npy: Int
  public let npz: Int
  public let nx: Int
  public let ny: Int
  public let nz: Int
  public let rank: Int

  public var ipx: Int { rank % npx }
  public var ipy: Int { (rank / npx) % npy }
  public var ipz: Int { rank / (npx * npy) }
  public var gnx: Int { npx * nx }
  public var gny: Int { npy * ny }
  public var gnz: Int { npz * nz }
  public var ranks: Int { npx * npy * npz }

  public init(ranks: Int, rank: Int, nx: Int, ny: Int, nz: Int) {
    let shape = Self.optimalShape(ranks)
    self.init(npx: shape.x, npy: shape.y, npz: shape.z, rank: rank, nx: nx, ny: ny, nz: nz)
  }

  public init(npx: Int, npy: Int, npz: Int, rank: Int, nx: Int, ny: Int, nz: Int) {
    (self.npx, self.npy, self.npz, self.rank) = (npx, npy, npz, rank)
    (self.nx, self.ny, self.nz) = (nx, ny, nz)
  }

  /// The rank owning process-grid cell (px, py, pz).
  public func rank(px: Int, py: Int, pz: Int) -> Int { px + npx * (py + npy * pz) }

  /// The same process grid with every box halved (the next multigrid level).
  public var coarser: HPCGGeometry {
    HPCGGeometry(npx: npx, npy: npy, npz: npz, rank: rank, nx: nx / 2, ny: ny / 2, nz: nz / 2)
  }

  /// HPCG's ComputeOptimalShapeXYZ: from the prime factors of `ranks` (ascending), one prime
  /// power split three ways; two distinct single primes as p × q × 1; three factors with one
  /// repeated as p × q × (the repeated one); three distinct single primes one each; otherwise the
  /// split of the factors with the least surface x·y + y·z + x·z, the first found in the
  /// reference's counting order.
  public static func optimalShape(_ ranks: Int) -> (x: Int, y: Int, z: Int) {
    var factors: [(prime: Int, count: Int)] = []
    var n = ranks
    var d = 2
    while d * d <= n {
      while n % d == 0 {
        if factors.last?.prime == d { factors[factors.count - 1].count += 1 } else { factors.append((d, 1)) }
        n /= d
      }
      d += d == 2 ? 1 : 2
    }
    if n > 1 || factors.isEmpty { factors.append((n, 1)) }
    func power(_ base: Int, _ exponent: Int) -> Int {
      (0..<exponent).reduce(1) { value, _ in value * base }
    }
    if factors.count == 1 {
      let (p, c) = factors[0]
      return (power(p, c / 3 + (c % 3 >= 1 ? 1 : 0)), power(p, c / 3 + (c % 3 >= 2 ? 1 : 0)), power(p, c / 3))
    }
    if factors.count == 2 && factors[0].count == 1 && factors[1].count == 1 {
      return (factors[0].prime, factors[1].prime, 1)
    }
    if factors.count == 2 && factors[0].count + factors[1].count == 3 {
      return (factors[0].prime, factors[1].prime, factors[0].count == 2 ? factors[0].prime : factors[1].prime)
    }
    if factors.count == 3 && factors.allSatisfy({ $0.count == 1 }) {
      return (factors[0].prime, factors[1].prime, factors[2].prime)
    }
    // Odometers over the factor counts, least significant digit the smallest prime.
    func next(_ digits: inout [Int], _ limits: [Int]) {
      for i in digits.indices {
        digits[i] += 1
        if digits[i] > limits[i] { digits[i] = 0; continue }
        break
      }
    }
    func product(_ digits: [Int]) -> Int {
      zip(digits, factors).reduce(1) { $0 * power($1.1.prime, $1.0) }
    }
    let counts = factors.map(\.count)
    var best = (x: ranks, y: 1, z: 1)
    var least = 2.0 * Double(ranks) + 1
    var first = [Int](repeating: 0, count: counts.count)
    next(&first, counts)
    while first.contains(where: { $0 != 0 }) {
      let remaining = zip(counts, first).map { $0 - $1 }
      var second = [Int](repeating: 0, count: counts.count)
      next(&second, remaining)
      while second.contains(where: { $0 != 0 }) {
        let (a, b) = (product(first), product(second))
        let c = ranks / a / b
        let area = Double(a) * Double(b) + Double(b) * Double(c) + Double(a) * Double(c)
        if area < least {
          least = area
          best = (a, b, c)
        }
        next(&second, remaining)
      }
      next(&first, counts)
    }
    return best
  }
}
