// Small C helpers that Swift cannot express:
//  - what the compiler was told about the ISA (predefined macros such as __FMA__), so a binary
//    that silently lost FMA/AVX2 is caught at run time;
//  - the git commit the Makefile baked in (optional generated header);
//  - timing probes written with inline assembly / vector extensions so that the optimiser can
//    neither fold nor vectorise them away: a dependent-add chain (one add per cycle: the clock)
//    and independent FMA chains (the FMA throughput: measured peak).
#pragma once
#include <stdint.h>

/// Space-separated ISA features the compiler targeted, e.g. "avx2 fma f16c avx512f".
const char *suanli_build_isa(void);

/// The git commit baked in at build time, or "" when built without the Makefile.
const char *suanli_build_commit(void);

/// Runs `iterations` x 16 dependent integer additions; one addition retires per cycle, so
/// 16 * iterations / elapsed seconds is the core clock. Returns the final value (ignore it).
uint64_t suanli_dependent_adds(uint64_t iterations);

/// Runs `iterations` rounds of 12 independent FMA chains on the widest vector the build targets.
/// Returns flops performed; `*sink` receives a value derived from the chains (defeats DCE).
uint64_t suanli_fma_chains_f64(uint64_t iterations, double *sink);
uint64_t suanli_fma_chains_f32(uint64_t iterations, float *sink);

/// Vector width (bits) used by the FMA chains above.
int suanli_fma_vector_bits(void);

/// Loads and walks the hwloc XML file in a checker process (forked once, replaced after a crash
/// or a hang). Returns 0 when hwloc read it, 2-4 when hwloc refused it, 5 when it names a
/// processor or NUMA index >= 2^20 (or an infinite set), 128+signal when hwloc crashed on it,
/// -2 when it took longer than timeout_ms, -1 when no checker could be started. Thread-safe.
int suanli_hwloc_xml_check(const char *path, int timeout_ms);

/// 1 when this build has the native BF16 GEMM (compiled with AVX512-BF16) and the CPU runs it.
int suanli_bf16_gemm_native(void);

/// C = A·B, A m×k and B k×n in bfloat16 (bit patterns), C m×n in FP32, column-major, on
/// `threads` threads (columns of C split among them): VDPBF16PS, pairs of exact BF16 products
/// added into FP32. Returns 0, or -1 when not native or out of memory (C is then unspecified).
int suanli_bf16_gemm(int m, int n, int k, const uint16_t *a, const uint16_t *b, float *c,
                     int threads);

/// Runs `iterations` rounds of 12 independent VDPBF16PS chains (AVX512-BF16). Returns flops
/// performed (16 lanes x 2 products x 2 flops each), 0 when the build lacks AVX512-BF16.
uint64_t suanli_bf16_dot_chains(uint64_t iterations, float *sink);

/// The open(2) flag O_DIRECT of this platform (Swift's Glibc module does not export it).
int suanli_o_direct(void);

/// statfs(2)'s f_type (the filesystem's magic number) for `path`, or -1 with errno set.
long long suanli_statfs_type(const char *path);

/// Linux kernel AIO (io_setup / io_submit / io_getevents, the engine of fio's ioengine=libaio)
/// through its system calls, so no library is needed: requests of one thread kept `depth`
/// deep. Asynchronous for O_DIRECT files; buffered requests complete inside io_submit.
typedef struct suanli_aio suanli_aio;

/// A context for `depth` requests in flight (slots 0..<depth), or NULL with -errno in *error.
suanli_aio *suanli_aio_open(int depth, int *error);

/// Prepares slot `slot` as a read or write of `length` bytes at `offset` of `fd` from/into
/// `buffer`; it is submitted by the next suanli_aio_flush.
void suanli_aio_prepare(suanli_aio *aio, int slot, int fd, int write, void *buffer,
                        unsigned long length, long long offset);

/// Submits every prepared slot: 0, or -errno (the slots not submitted stay prepared).
int suanli_aio_flush(suanli_aio *aio);

/// Waits for at least `minimum` completions (at most `maximum`): their slots and results (bytes
/// done or -errno). Returns the number completed, or -errno.
int suanli_aio_reap(suanli_aio *aio, int minimum, int maximum, int *slots, long long *results);

/// Prepared slots not yet submitted (after a failed suanli_aio_flush: the ones it left).
int suanli_aio_pending(const suanli_aio *aio);

void suanli_aio_close(suanli_aio *aio);
