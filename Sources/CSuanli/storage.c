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
