// A fake cuBLAS and cuBLASLt for Suanli's tests (built as libcublas.so.12 and, from the same
// file, libcublasLt.so.12): cublasGemmEx and cublasLtMatmul compute C = A·B on the host with a
// plain triple loop in double, reading and writing each cuBLAS data type (TF32 inputs with
// their low 13 mantissa bits cut, as tensor cores do). With FAKE_CUBLAS_WRONG set, element
// (2, 1) of C is off by 64 (some 20 times a typical element; the check of a 16-bit output
// allows its rounding, 2⁻⁸ of Σ|c| per row): the benchmark's check must catch it. Exports
// `suanli_fake_cublas_library`, so results made with it are labelled fake. No vendor header.
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int suanli_fake_cublas_library = 1;

enum { R_32F = 0, R_64F = 1, R_16F = 2, R_8I = 3, R_32I = 10, R_16BF = 14, R_8F_E4M3 = 28 };
enum { COMPUTE_32F_FAST_TF32 = 77 };

static double e4m3(uint8_t bits) {
  int sign = bits >> 7, exponent = (bits >> 3) & 15, mantissa = bits & 7;
  double value = exponent == 0 ? ldexp(mantissa / 8.0, -6) : ldexp(1 + mantissa / 8.0, exponent - 7);
  return sign ? -value : value;
}

static double load(const void *base, int type, size_t index, int tf32) {
  switch (type) {
    case R_64F: return ((const double *)base)[index];
    case R_32F: {
      float value = ((const float *)base)[index];
      if (tf32) {
        uint32_t bits;
        memcpy(&bits, &value, 4);
        bits &= ~(uint32_t)0x1FFF;
        memcpy(&value, &bits, 4);
      }
      return value;
    }
    case R_16F: return (double)((const _Float16 *)base)[index];
    case R_16BF: {
      uint32_t bits = (uint32_t)((const uint16_t *)base)[index] << 16;
      float value;
      memcpy(&value, &bits, 4);
      return value;
    }
    case R_8I: return ((const int8_t *)base)[index];
    case R_32I: return ((const int32_t *)base)[index];
    case R_8F_E4M3: return e4m3(((const uint8_t *)base)[index]);
    default: return NAN;
  }
}

static void store(void *base, int type, size_t index, double value) {
  switch (type) {
    case R_64F: ((double *)base)[index] = value; break;
    case R_32F: ((float *)base)[index] = (float)value; break;
    case R_16F: ((_Float16 *)base)[index] = (_Float16)value; break;
    case R_16BF: {
      float single = (float)value;
      uint32_t bits;
      memcpy(&bits, &single, 4);
      bits += 0x7FFF + ((bits >> 16) & 1);  // round to nearest even
      ((uint16_t *)base)[index] = (uint16_t)(bits >> 16);
      break;
    }
    case R_32I: ((int32_t *)base)[index] = (int32_t)value; break;
    default: break;
  }
}

// C (m×n, ldc) = op(A)·B; op(A) = A (m×k, lda) or Aᵀ with A k×m (lda).
static void multiply(int transa, int m, int n, int k, const void *a, int aType, int lda,
                     const void *b, int bType, int ldb, void *c, int cType, int ldc, int tf32) {
  for (int j = 0; j < n; j++)
    for (int i = 0; i < m; i++) {
      double sum = 0;
      for (int p = 0; p < k; p++) {
        size_t ai = transa ? (size_t)p + (size_t)i * lda : (size_t)i + (size_t)p * lda;
        sum += load(a, aType, ai, tf32) * load(b, bType, (size_t)p + (size_t)j * ldb, tf32);
      }
      store(c, cType, (size_t)i + (size_t)j * ldc, sum);
    }
  if (getenv("FAKE_CUBLAS_WRONG") && m > 2 && n > 1) {
    size_t index = 2 + (size_t)ldc;
    store(c, cType, index, load(c, cType, index, 0) + 64);
  }
}

// ---- cuBLAS ----
int cublasCreate_v2(void **handle) { *handle = malloc(16); return 0; }
int cublasDestroy_v2(void *handle) { free(handle); return 0; }
int cublasSetStream_v2(void *handle, void *stream) { (void)handle; (void)stream; return 0; }
int cublasSetWorkspace_v2(void *handle, void *workspace, size_t bytes) {
  (void)handle; (void)workspace; (void)bytes;
  return 0;
}
int cublasSetMathMode(void *handle, int mode) { (void)handle; (void)mode; return 0; }
int cublasGetMathMode(void *handle, int *mode) { (void)handle; *mode = 0; return 0; }
int cublasGetProperty(int type, int *value) {
  static const int version[3] = {12, 9, 0};
  *value = version[type];
  return 0;
}
const char *cublasGetStatusName(int status) {
  return status == 15 ? "CUBLAS_STATUS_NOT_SUPPORTED" : "CUBLAS_STATUS_INTERNAL_ERROR";
}
int cublasGemmEx(void *handle, int transa, int transb, int m, int n, int k, const void *alpha,
                 const void *a, int aType, int lda, const void *b, int bType, int ldb,
                 const void *beta, void *c, int cType, int ldc, int computeType, int algo) {
  (void)handle; (void)alpha; (void)beta; (void)algo;
  if (transb) return 15;
  multiply(transa, m, n, k, a, aType, lda, b, bType, ldb, c, cType, ldc,
           computeType == COMPUTE_32F_FAST_TF32);
  return 0;
}

// ---- cuBLASLt ----
struct desc { int computeType, transa, transb; };
struct layout { int type; uint64_t rows, columns; int64_t leading; };

int cublasLtCreate(void **handle) { *handle = malloc(16); return 0; }
int cublasLtDestroy(void *handle) { free(handle); return 0; }
int cublasLtMatmulDescCreate(void **d, int computeType, int scaleType) {
  (void)scaleType;
  struct desc *value = calloc(1, sizeof *value);
  value->computeType = computeType;
  *d = value;
  return 0;
}
int cublasLtMatmulDescDestroy(void *d) { free(d); return 0; }
int cublasLtMatmulDescSetAttribute(void *d, int attribute, const void *value, size_t bytes) {
  struct desc *target = d;
  if (bytes != 4) return 7;
  if (attribute == 3) memcpy(&target->transa, value, 4);
  if (attribute == 4) memcpy(&target->transb, value, 4);
  return 0;
}
int cublasLtMatrixLayoutCreate(void **l, int type, uint64_t rows, uint64_t columns, int64_t leading) {
  struct layout *value = malloc(sizeof *value);
  *value = (struct layout){type, rows, columns, leading};
  *l = value;
  return 0;
}
int cublasLtMatrixLayoutDestroy(void *l) { free(l); return 0; }
int cublasLtMatmulPreferenceCreate(void **p) { *p = malloc(16); return 0; }
int cublasLtMatmulPreferenceDestroy(void *p) { free(p); return 0; }
int cublasLtMatmulPreferenceSetAttribute(void *p, int attribute, const void *value, size_t bytes) {
  (void)p; (void)attribute; (void)value; (void)bytes;
  return 0;
}
// cublasLtMatmulHeuristicResult_t: 64 bytes of algorithm, size_t workspace, int state, ...
int cublasLtMatmulAlgoGetHeuristic(void *handle, void *d, void *al, void *bl, void *cl, void *dl,
                                   void *p, int requested, void *results, int *returned) {
  (void)handle; (void)d; (void)bl; (void)cl; (void)dl; (void)p;
  const struct desc *description = d;
  const struct layout *a = al;
  // The TN rule of FP8 and INT8 kernels: A must be transposed.
  if (!description->transa || description->transb) { *returned = 0; return 15; }
  (void)a;
  if (requested < 1) return 7;
  memset(results, 0, 96);
  *returned = 1;
  return 0;
}
int cublasLtMatmul(void *handle, void *d, const void *alpha, const void *a, void *al, const void *b,
                   void *bl, const void *beta, const void *c, void *cl, void *out, void *dl,
                   const void *algo, void *workspace, size_t workspaceBytes, void *stream) {
  (void)handle; (void)alpha; (void)beta; (void)c; (void)cl; (void)algo; (void)workspace;
  (void)workspaceBytes; (void)stream;
  const struct desc *description = d;
  const struct layout *la = al, *lb = bl, *ld = dl;
  int m = (int)ld->rows, n = (int)ld->columns;
  int k = description->transa ? (int)la->rows : (int)la->columns;
  multiply(description->transa, m, n, k, a, la->type, (int)la->leading, b, lb->type,
           (int)lb->leading, out, ld->type, (int)ld->leading, 0);
  return 0;
}
