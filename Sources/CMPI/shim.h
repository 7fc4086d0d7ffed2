// Open MPI's predefined handles (MPI_COMM_WORLD, MPI_BYTE, MPI_SUM, MPI_STATUS_IGNORE...) are
// macros over the address of a global, which Swift does not import: these inline functions
// return them. Portable to MPICH, whose handles are plain integer constants.
// Only Interconnect's MPIWorld.swift imports this module.
#include <mpi.h>

static inline MPI_Comm shim_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype shim_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype shim_unsigned_char(void) { return MPI_UNSIGNED_CHAR; }
static inline MPI_Datatype shim_int32(void) { return MPI_INT32_T; }
static inline MPI_Datatype shim_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype shim_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype shim_double(void) { return MPI_DOUBLE; }
static inline MPI_Op shim_op_sum(void) { return MPI_SUM; }
static inline MPI_Op shim_op_max(void) { return MPI_MAX; }
static inline MPI_Op shim_op_min(void) { return MPI_MIN; }
static inline MPI_Info shim_info_null(void) { return MPI_INFO_NULL; }
static inline MPI_Status *shim_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline MPI_Status *shim_statuses_ignore(void) { return MPI_STATUSES_IGNORE; }
static inline MPI_Request shim_request_null(void) { return MPI_REQUEST_NULL; }
static inline int shim_comm_type_shared(void) { return MPI_COMM_TYPE_SHARED; }
