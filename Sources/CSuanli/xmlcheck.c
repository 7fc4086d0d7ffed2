// hwloc 2.9's XML importer can crash (SIGSEGV) on malformed files: found by Suanli's fuzz
// tests. A topology file may come from anyone, so it is first loaded and walked in a forked
// child; only a file the child survives is loaded in the process. glibc makes malloc safe to
// use in the child of a multi-threaded process, and the child only calls hwloc and _exit.
#include <hwloc.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "csuanli.h"

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

int suanli_hwloc_xml_check(const char *path, int timeout_ms) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    // Die at once on a crash: the parent's handlers (the Swift runtime's backtracer) would
    // spend ~0.1 s symbolicating in the child.
    int signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP};
    for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) signal(signals[i], SIG_DFL);
    setenv("HWLOC_HIDE_ERRORS", "2", 1);
    hwloc_topology_t topology;
    if (hwloc_topology_init(&topology) != 0) _exit(2);
    hwloc_topology_set_io_types_filter(topology, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
    hwloc_topology_set_icache_types_filter(topology, HWLOC_TYPE_FILTER_KEEP_ALL);
    if (hwloc_topology_set_xml(topology, path) != 0) _exit(3);
    if (hwloc_topology_load(topology) != 0) _exit(4);
    walk(topology);
    hwloc_topology_destroy(topology);
    _exit(0);
  }
  struct timespec pause = {0, 200000};  // 0.2 ms
  for (long waited = 0; waited < (long)timeout_ms * 5; waited++) {
    int status = 0;
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    if (done < 0) return -1;
    nanosleep(&pause, NULL);
  }
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  return -2;
}
