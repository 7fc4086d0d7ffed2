// hwloc 2.9's XML importer can crash (SIGSEGV, abort) on malformed files: found by Suanli's
// fuzz tests. A topology file may come from anyone, so it is first loaded and walked by a
// checker process; only a file the checker survives is loaded in this process.
//
// The checker is forked once and kept: a fork per file cost several ms (the parent's page tables),
// and hwloc unloads and reloads its plugins whenever its last topology is destroyed (~1.6 ms),
// so both sides keep one unloaded "anchor" topology alive. A checker that crashed or hung is
// replaced on the next check. It sits in its own process group (a terminal's Ctrl-C goes to
// the parent, which decides) and exits when the parent's end of the socket closes.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <hwloc.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "csuanli.h"

// No machine has a million processing units or NUMA nodes; a file that names such an index
// (hwloc allocates bitmaps up to it: 512 MB for 2^32, the "unknown" index) is refused.
#define SUANLI_MAX_INDEX (1 << 20)

// Everything the parent will do with the topology (Topology's HwlocTopology), done first here:
// every object of every kind (normal, memory, I/O, misc children), its type name both ways
// (hwloc_obj_type_snprintf asserts on some malformed objects), attributes, infos, PCI and OS
// devices, and an XML export.
static unsigned long visit(hwloc_obj_t o) {
  unsigned long sink = 0;
  char name[64];
  hwloc_obj_type_snprintf(name, sizeof name, o, 0);
  hwloc_obj_type_snprintf(name, sizeof name, o, 1);
  sink += (unsigned char)name[0];
  if (o->cpuset) sink += hwloc_bitmap_weight(o->cpuset);
  if (o->attr && hwloc_obj_type_is_cache(o->type)) sink += o->attr->cache.size + o->attr->cache.depth;
  if (o->attr && o->type == HWLOC_OBJ_NUMANODE) sink += o->attr->numanode.local_memory;
  if (o->attr && o->type == HWLOC_OBJ_PCI_DEVICE) sink += o->attr->pcidev.class_id;
  if (o->attr && o->type == HWLOC_OBJ_OS_DEVICE) sink += o->attr->osdev.type;
  for (unsigned k = 0; k < o->infos_count; k++) sink += o->infos[k].name != NULL;
  if (o->name) sink += (unsigned char)o->name[0];
  for (hwloc_obj_t c = o->first_child; c; c = c->next_sibling) sink += visit(c);
  for (hwloc_obj_t c = o->memory_first_child; c; c = c->next_sibling) sink += visit(c);
  for (hwloc_obj_t c = o->io_first_child; c; c = c->next_sibling) sink += visit(c);
  for (hwloc_obj_t c = o->misc_first_child; c; c = c->next_sibling) sink += visit(c);
  return sink;
}

static void walk(hwloc_topology_t topology) {
  volatile unsigned long sink = visit(hwloc_get_root_obj(topology));
  hwloc_obj_t p = NULL;
  while ((p = hwloc_get_next_pcidev(topology, p)) != NULL) sink += p->attr->pcidev.vendor_id;
  hwloc_obj_t os = NULL;
  while ((os = hwloc_get_next_osdev(topology, os)) != NULL) {
    sink += os->attr->osdev.type;
    if (os->parent) sink += os->parent->type;
  }
  int cores = hwloc_get_nbobjs_by_type(topology, HWLOC_OBJ_CORE);
  for (int i = 0; i + 1 < cores && i < 64; i++) {
    hwloc_obj_t a = hwloc_get_obj_by_type(topology, HWLOC_OBJ_CORE, i);
    hwloc_obj_t b = hwloc_get_obj_by_type(topology, HWLOC_OBJ_CORE, i + 1);
    if (a && b) sink += hwloc_get_common_ancestor_obj(topology, a, b) != NULL;
  }
  char *buffer = NULL;
  int length = 0;
  if (hwloc_topology_export_xmlbuffer(topology, &buffer, &length, 0) == 0) hwloc_free_xmlbuffer(topology, buffer);
  (void)sink;
}

// Bitmaps are read through hwloc_bitmap_nr_ulongs: hwloc_bitmap_last returns an int, so index
// 2^32-1 (what hwloc uses for "unknown") reads as -1, i.e. "empty".
static int plausible_set(hwloc_const_bitmap_t set) {
  if (set == NULL || hwloc_bitmap_iszero(set)) return 1;
  int words = hwloc_bitmap_nr_ulongs(set);  // -1 when infinite
  return words > 0 && (long)words * (long)(8 * sizeof(unsigned long)) <= SUANLI_MAX_INDEX;
}

// A processing unit is the one bit of its cpuset and a NUMA node a bit of its nodeset, as in
// every export hwloc writes; the checker's memory limit can make hwloc drop such a bit when
// the index is huge, and this catches that too.
static int plausible(hwloc_obj_t o) {
  if (!plausible_set(o->cpuset) || !plausible_set(o->complete_cpuset)) return 0;
  if (!plausible_set(o->nodeset) || !plausible_set(o->complete_nodeset)) return 0;
  if (o->type == HWLOC_OBJ_PU) {
    if (o->os_index >= SUANLI_MAX_INDEX || !o->cpuset || !hwloc_bitmap_isset(o->cpuset, o->os_index)) return 0;
  }
  if (o->type == HWLOC_OBJ_NUMANODE) {
    if (o->os_index >= SUANLI_MAX_INDEX || !o->nodeset || !hwloc_bitmap_isset(o->nodeset, o->os_index)) return 0;
  }
  for (hwloc_obj_t c = o->first_child; c; c = c->next_sibling) if (!plausible(c)) return 0;
  for (hwloc_obj_t c = o->memory_first_child; c; c = c->next_sibling) if (!plausible(c)) return 0;
  return 1;
}

// Same settings as HwlocTopology: I/O devices kept, instruction caches kept.
static unsigned char check_one(const char *path) {
  hwloc_topology_t topology;
  if (hwloc_topology_init(&topology) != 0) return 2;
  hwloc_topology_set_io_types_filter(topology, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
  hwloc_topology_set_icache_types_filter(topology, HWLOC_TYPE_FILTER_KEEP_ALL);
  unsigned char status = 0;
  if (hwloc_topology_set_xml(topology, path) != 0) {
    status = 3;
  } else if (hwloc_topology_load(topology) != 0) {
    status = 4;
  } else {
    if (!plausible(hwloc_get_root_obj(topology))) {
      status = 5;
    } else {
      walk(topology);
    }
  }
  hwloc_topology_destroy(topology);
  return status;
}

static ssize_t read_full(int fd, void *buffer, size_t count) {
  size_t done = 0;
  while (done < count) {
    ssize_t n = read(fd, (char *)buffer + done, count - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return (ssize_t)done;
    done += (size_t)n;
  }
  return (ssize_t)done;
}

// Bounds what a file can make hwloc allocate: the checker may grow by CHECKER_HEADROOM beyond
// what it inherited (a 2^32 index would otherwise cost 512 MB per bitmap, and 0.25 s).
#define CHECKER_HEADROOM (256L << 20)
static void limit_memory(void) {
  int fd = open("/proc/self/statm", O_RDONLY);
  if (fd < 0) return;
  char text[128];
  ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) return;
  text[n] = 0;
  long pages = strtol(text, NULL, 10);
  if (pages <= 0) return;
  struct rlimit limit;
  limit.rlim_cur = limit.rlim_max = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + CHECKER_HEADROOM;
  setrlimit(RLIMIT_AS, &limit);
}

// The checker: one request (length, path) at a time, one status byte back.
static void checker_main(int fd) {
  int signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGINT, SIGTERM, SIGPIPE};
  // Die at once on a crash: the parent's handlers (the Swift runtime's backtracer) would spend
  // ~0.1 s symbolicating here.
  for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) signal(signals[i], SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  pthread_sigmask(SIG_SETMASK, &none, NULL);
  setpgid(0, 0);
  // Hold none of the parent's files (a pipe a reader waits on must not stay open here).
  int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
  }
  if (dup2(fd, 3) != 3) _exit(6);
  close_range(4, ~0U, 0);
  limit_memory();
  setenv("HWLOC_HIDE_ERRORS", "2", 1);
  for (;;) {
    uint32_t length = 0;
    if (read_full(3, &length, sizeof length) != sizeof length) _exit(0);
    if (length == 0 || length > PATH_MAX) _exit(7);
    char path[PATH_MAX + 1];
    if (read_full(3, path, length) != (ssize_t)length) _exit(0);
    path[length] = 0;
    unsigned char status = check_one(path);
    if (send(3, &status, 1, MSG_NOSIGNAL) != 1) _exit(0);
  }
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static hwloc_topology_t anchor = NULL;  // never destroyed: keeps hwloc's plugins loaded
static pid_t checker = 0;
static int socket_fd = -1;
static unsigned long checks_by_checker = 0;

static void stop_checker(int how) {
  if (checker > 0) {
    if (how) kill(checker, how);
    waitpid(checker, NULL, 0);
  }
  if (socket_fd >= 0) close(socket_fd);
  checker = 0;
  socket_fd = -1;
}

static int start_checker(void) {
  if (anchor == NULL && hwloc_topology_init(&anchor) != 0) anchor = NULL;
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) return -1;
  pid_t pid = fork();
  if (pid < 0) {
    close(pair[0]);
    close(pair[1]);
    return -1;
  }
  if (pid == 0) checker_main(pair[1]);
  close(pair[1]);
  checker = pid;
  socket_fd = pair[0];
  checks_by_checker = 0;
  return 0;
}

// One check by the current checker (started if needed). Returns as suanli_hwloc_xml_check.
static int check_once(const char *path, uint32_t length, int timeout_ms) {
  if (checker > 0 && waitpid(checker, NULL, WNOHANG) != 0) {  // died (or was reaped) since
    checker = 0;
    stop_checker(0);
  }
  if (checker == 0 && start_checker() != 0) return -1;
  char request[sizeof length + PATH_MAX];
  memcpy(request, &length, sizeof length);
  memcpy(request + sizeof length, path, length);
  size_t total = sizeof length + length;
  if (send(socket_fd, request, total, MSG_NOSIGNAL) != (ssize_t)total) {
    stop_checker(SIGKILL);
    return -3;  // the checker was gone: try a fresh one
  }
  checks_by_checker++;
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    clock_gettime(CLOCK_MONOTONIC, &now);
    long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
    if (elapsed >= timeout_ms) {
      stop_checker(SIGKILL);
      return -2;
    }
    struct pollfd wait_for = {socket_fd, POLLIN, 0};
    int ready = poll(&wait_for, 1, (int)(timeout_ms - elapsed));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;  // the clock decides
    unsigned char status;
    ssize_t n = recv(socket_fd, &status, 1, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n == 1) return status;
    // The checker died on this file.
    int wait_status = 0;
    pid_t dead = checker;
    close(socket_fd);
    socket_fd = -1;
    checker = 0;
    if (waitpid(dead, &wait_status, 0) == dead && WIFSIGNALED(wait_status)) {
      return 128 + WTERMSIG(wait_status);
    }
    return -1;
  }
}

int suanli_hwloc_xml_check(const char *path, int timeout_ms) {
  size_t length = strlen(path);
  if (length == 0 || length > PATH_MAX) return 3;
  pthread_mutex_lock(&lock);
  unsigned long earlier = checks_by_checker;
  int result = check_once(path, (uint32_t)length, timeout_ms);
  // A checker that already read other files might have been damaged by one of them: a crash or
  // a lost checker counts only when a fresh checker fails on this file too.
  if (result == -3 || (earlier > 0 && (result >= 128 || result == -1))) {
    result = check_once(path, (uint32_t)length, timeout_ms);
    if (result == -3) result = -1;
  }
  pthread_mutex_unlock(&lock);
  return result;
}
