// hwloc imports into Swift as it is: its static inline helpers (hwloc_get_nbobjs_by_type,
// hwloc_get_next_pcidev, ...) compile through the Clang importer. Only Topology's
// HwlocGateway.swift imports this module.
#include <hwloc.h>
