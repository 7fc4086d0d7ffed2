// O_DIRECT is a GNU extension of <fcntl.h> that Swift's Glibc module does not export; its
// value differs between architectures (x86-64 0x4000, arm64 0x10000), so it comes from C.
#define _GNU_SOURCE
#include <fcntl.h>
#include "csuanli.h"

int suanli_o_direct(void) { return O_DIRECT; }

#include <sys/vfs.h>

long long suanli_statfs_type(const char *path) {
  struct statfs s;
  if (statfs(path, &s) != 0) return -1;
  return (long long)s.f_type;
}

#include <errno.h>
#include <linux/aio_abi.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct suanli_aio {
  aio_context_t context;
  int depth;
  int pending;               // prepared, not yet submitted
  struct iocb *blocks;       // one per slot
  struct iocb **queue;       // the prepared ones, in order
  struct io_event *events;
};

suanli_aio *suanli_aio_open(int depth, int *error) {
  suanli_aio *aio = calloc(1, sizeof *aio);
  if (aio == NULL) { *error = -ENOMEM; return NULL; }
  aio->depth = depth;
  aio->blocks = calloc((size_t)depth, sizeof *aio->blocks);
  aio->queue = calloc((size_t)depth, sizeof *aio->queue);
  aio->events = calloc((size_t)depth, sizeof *aio->events);
  if (aio->blocks == NULL || aio->queue == NULL || aio->events == NULL) {
    *error = -ENOMEM;
    suanli_aio_close(aio);
    return NULL;
  }
  if (syscall(SYS_io_setup, (unsigned)depth, &aio->context) != 0) {
    *error = -errno;
    aio->context = 0;
    suanli_aio_close(aio);
    return NULL;
  }
  *error = 0;
  return aio;
}

void suanli_aio_prepare(suanli_aio *aio, int slot, int fd, int write, void *buffer,
                        unsigned long length, long long offset) {
  struct iocb *block = &aio->blocks[slot];
  memset(block, 0, sizeof *block);
  block->aio_data = (__u64)slot;
  block->aio_lio_opcode = write ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD;
  block->aio_fildes = (__u32)fd;
  block->aio_buf = (__u64)(unsigned long)buffer;
  block->aio_nbytes = length;
  block->aio_offset = offset;
  aio->queue[aio->pending++] = block;
}

int suanli_aio_flush(suanli_aio *aio) {
  int done = 0;
  while (done < aio->pending) {
    long n = syscall(SYS_io_submit, aio->context, (long)(aio->pending - done), aio->queue + done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int code = -errno;
      memmove(aio->queue, aio->queue + done, (size_t)(aio->pending - done) * sizeof *aio->queue);
      aio->pending -= done;
      return code;
    }
    done += (int)n;
  }
  aio->pending = 0;
  return 0;
}

int suanli_aio_reap(suanli_aio *aio, int minimum, int maximum, int *slots, long long *results) {
  if (maximum > aio->depth) maximum = aio->depth;
  long n;
  do {
    n = syscall(SYS_io_getevents, aio->context, (long)minimum, (long)maximum, aio->events, NULL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return -errno;
  for (long i = 0; i < n; i++) {
    slots[i] = (int)aio->events[i].data;
    results[i] = (long long)aio->events[i].res;
  }
  return (int)n;
}

void suanli_aio_close(suanli_aio *aio) {
  if (aio == NULL) return;
  if (aio->context != 0) syscall(SYS_io_destroy, aio->context);
  free(aio->blocks);
  free(aio->queue);
  free(aio->events);
  free(aio);
}

int suanli_aio_pending(const suanli_aio *aio) { return aio->pending; }
