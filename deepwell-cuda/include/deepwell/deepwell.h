/*
 * Deepwell native runtime: the C ABI between the CUDA code (deepwell-cuda) and its callers
 * (the JNI glue in deepwell-jni, C tests, other native code).
 *
 * Rules of this header: plain C, fixed-width integers, opaque handles, plain structs. Nothing
 * here allocates memory the caller must free with anything but the matching dw_*_destroy/free.
 *
 * Status codes (dw_status):
 *   0            DW_SUCCESS
 *   1 .. 9999    a CUDA runtime error, the cudaError_t value unchanged (2 = out of memory,
 *                700 = illegal address, ...); dw_status_name() gives "cudaErrorMemoryAllocation"
 *   >= 10000     Deepwell's own (DW_ERROR_*)
 * Every function that can fail returns a dw_status and, on failure, records on the calling
 * thread what failed (dw_last_error): the operation and a detail line with the arguments.
 *
 * Devices: functions that take a stream, event or graph work on that object's device; the
 * others take a device ordinal. The calling thread's current CUDA device may change.
 *
 * Debug mode: with the environment variable DEEPWELL_SYNC=1 every kernel launch is followed by
 * a stream synchronisation (except while the stream is being captured into a graph), so that an
 * asynchronous fault is reported by the launch of the kernel that caused it, with its name.
 */
#ifndef DEEPWELL_DEEPWELL_H
#define DEEPWELL_DEEPWELL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DW_ABI_VERSION 1

typedef int32_t dw_status;

#define DW_SUCCESS 0
#define DW_ERROR_INVALID_ARGUMENT 10001 /* a null handle, a zero size, ...: detail names it  */
#define DW_ERROR_NO_DRIVER 10002        /* libcuda.so.1 could not be opened                   */
#define DW_ERROR_DRIVER_TOO_OLD 10003   /* the driver's CUDA version is below the runtime's  */
#define DW_ERROR_NO_DEVICE 10004        /* a driver, but no CUDA device visible              */
#define DW_ERROR_LIBRARY_MISSING 10005  /* an optional library (cuBLASLt, NCCL) is missing   */
#define DW_ERROR_GEMM_UNSUPPORTED 10101 /* a valid GEMM this backend/variant cannot run   */
#define DW_ERROR_INTERNAL 10099         /* a C++ exception or broken invariant inside         */

/* Name ("cudaErrorMemoryAllocation", "DW_ERROR_NO_DRIVER") and one-line description of a
 * status. Both return static strings and work without a driver or a GPU. */
const char* dw_status_name(dw_status status);
const char* dw_status_message(dw_status status);

/* 1 when the status leaves the CUDA context unusable for the rest of the process (illegal
 * address, illegal instruction, launch failure, hardware ECC, ...), else 0. */
int dw_status_is_sticky(dw_status status);

typedef struct dw_error_info {
  dw_status status;           /* DW_SUCCESS when nothing failed on this thread yet          */
  const char* operation;      /* static text: "cudaMallocAsync", "kernel dw_copy16", ...    */
  char detail[512];           /* arguments and context of the failing call                  */
  uint64_t requested_bytes;   /* for out-of-memory: the allocation that failed (else 0)     */
  uint64_t free_bytes;        /* for out-of-memory: free device memory after trimming        */
  uint64_t total_bytes;       /* for out-of-memory: device memory size                       */
} dw_error_info;

/* The last failure recorded on the calling thread. */
void dw_last_error(dw_error_info* out);

/* ---- driver and devices ------------------------------------------------------------------ */

typedef struct dw_driver_report {
  int32_t driver_version;   /* cuDriverGetVersion, e.g. 13000; 0 when no driver          */
  int32_t runtime_version;  /* the CUDA runtime linked into this library, e.g. 13000     */
  int32_t device_count;     /* visible devices (0 on failure)                              */
  char detail[512];         /* on failure: why (dlerror text, versions, CUDA error)        */
} dw_driver_report;

/* Checks, without creating a CUDA context, that a driver can be loaded (libcuda_name, or
 * "libcuda.so.1" when NULL), that it is new enough for the linked runtime, and that it sees
 * devices. Returns DW_SUCCESS, DW_ERROR_NO_DRIVER, DW_ERROR_DRIVER_TOO_OLD, DW_ERROR_NO_DEVICE
 * or a CUDA error; fills *out in every case. */
dw_status dw_driver_check(const char* libcuda_name, dw_driver_report* out);

dw_status dw_device_count(int32_t* count);

typedef struct dw_device_props {
  char name[256];
  int32_t cc_major;
  int32_t cc_minor;
  int32_t multiprocessors;
  int32_t sm_clock_khz;
  int32_t memory_clock_khz;
  int32_t memory_bus_width_bits;
  int32_t driver_version;
  int32_t runtime_version;
  uint64_t total_memory_bytes;
  uint64_t free_memory_bytes;
  uint64_t l2_cache_bytes;
  uint64_t shared_mem_per_block_optin;
} dw_device_props;

dw_status dw_device_props_get(int32_t device, dw_device_props* out);
dw_status dw_device_mem_info(int32_t device, uint64_t* free_bytes, uint64_t* total_bytes);
dw_status dw_device_synchronize(int32_t device);

/* ---- streams and events ------------------------------------------------------------------- */

typedef struct dw_stream_s* dw_stream;
typedef struct dw_event_s* dw_event;

/* A non-blocking stream on `device`. */
dw_status dw_stream_create(int32_t device, dw_stream* out);
dw_status dw_stream_destroy(dw_stream stream);
dw_status dw_stream_synchronize(dw_stream stream);
dw_status dw_stream_wait_event(dw_stream stream, dw_event event);
int32_t dw_stream_device(dw_stream stream);
/* The cudaStream_t behind the handle, for native code that launches its own kernels. */
void* dw_stream_native(dw_stream stream);

/* timing != 0: the event can be used with dw_event_elapsed_ms (slower to record). */
dw_status dw_event_create(int32_t device, int32_t timing, dw_event* out);
dw_status dw_event_destroy(dw_event event);
dw_status dw_event_record(dw_event event, dw_stream stream);
dw_status dw_event_synchronize(dw_event event);
dw_status dw_event_elapsed_ms(dw_event start, dw_event end, float* ms);

/* ---- memory ------------------------------------------------------------------------------- */

/* Stream-ordered allocation from Deepwell's memory pool of the stream's device. The pool keeps
 * freed memory for reuse; when an allocation fails it synchronises the device, returns the
 * pool's unused memory to the driver and tries once more before reporting
 * cudaErrorMemoryAllocation (with requested/free/total bytes in dw_last_error). */
dw_status dw_malloc_async(dw_stream stream, uint64_t bytes, void** out);
dw_status dw_free_async(dw_stream stream, void* ptr);
/* Frees pool memory without a stream: waits for all work on the device first. */
dw_status dw_free_sync(int32_t device, void* ptr);
/* Returns unused pool memory above keep_bytes to the driver. */
dw_status dw_mempool_trim(int32_t device, uint64_t keep_bytes);

/* Page-locked (pinned) host memory, usable by every device for asynchronous copies. */
dw_status dw_host_alloc(uint64_t bytes, void** out);
dw_status dw_host_free(void* ptr);

typedef enum dw_copy_kind {
  DW_COPY_HOST_TO_DEVICE = 1,
  DW_COPY_DEVICE_TO_HOST = 2,
  DW_COPY_DEVICE_TO_DEVICE = 3
} dw_copy_kind;

/* cudaMemcpyAsync on the stream. */
dw_status dw_memcpy_async(dw_stream stream, void* dst, const void* src, uint64_t bytes, dw_copy_kind kind);

/* ---- kernels (src/kernels) ---------------------------------------------------------------- */

/* Device-to-device copy through Deepwell's own kernel: 16-byte vector loads and stores over a
 * persistent grid when dst and src share their alignment modulo 16, bytes otherwise. */
dw_status dw_copy_kernel(dw_stream stream, void* dst, const void* src, uint64_t bytes);
/* The same kernel with a chosen unroll (1, 2, 4 or 8 vectors in flight per thread) and grid
 * size (0: as many blocks as fit on the device at once). For tuning benchmarks. */
dw_status dw_copy_kernel_tuned(dw_stream stream, void* dst, const void* src, uint64_t bytes,
                               int32_t unroll, int32_t blocks);

/* x[i] += value for i < count: a tiny kernel, e.g. for measuring launch overhead. */
dw_status dw_add_scalar_f32(dw_stream stream, float* x, uint64_t count, float value);

/* ---- CUDA graphs ------------------------------------------------------------------------- */

typedef struct dw_graph_s* dw_graph;
typedef struct dw_graph_exec_s* dw_graph_exec;

/* Work enqueued on `stream` between begin and end is recorded, not run (capture mode: thread
 * local, so other threads may keep using CUDA). On failure of end, the capture is discarded. */
dw_status dw_stream_begin_capture(dw_stream stream);
dw_status dw_stream_end_capture(dw_stream stream, dw_graph* out);
dw_status dw_graph_node_count(dw_graph graph, uint64_t* count);
dw_status dw_graph_instantiate(dw_graph graph, dw_graph_exec* out);
dw_status dw_graph_launch(dw_graph_exec exec, dw_stream stream);
dw_status dw_graph_destroy(dw_graph graph);
dw_status dw_graph_exec_destroy(dw_graph_exec exec);

/* ---- optional libraries, opened at run time ---------------------------------------------- */

typedef enum dw_library {
  DW_LIBRARY_CUBLASLT = 1, /* libcublasLt.so.13 (or .so.12 for a CUDA 12 build) */
  DW_LIBRARY_NCCL = 2      /* libnccl.so.2 */
} dw_library;

typedef struct dw_library_report {
  int32_t available;  /* 1 when opened */
  int32_t version;    /* the library's own version number (cublasLtGetVersion, ncclGetVersion) */
  char file[128];     /* the file name that was opened or tried */
  char detail[512];   /* when missing: dlerror text */
} dw_library_report;

/* DW_SUCCESS when the library opened, DW_ERROR_LIBRARY_MISSING when not; *out says which file
 * and why. The library stays open for the life of the process. */
dw_status dw_optional_library(dw_library which, dw_library_report* out);

/* ---- debug mode and test hooks ----------------------------------------------------------- */

/* 1 when DEEPWELL_SYNC=1 was set when the library was first used. */
int32_t dw_sync_mode(void);

/* TEST ONLY: launches a kernel that writes far outside any allocation. It leaves the CUDA
 * context of the stream's device unusable (a sticky illegal-address error): call it only in a
 * process that is allowed to die with its CUDA context, such as a child JVM of a test. */
dw_status dw_test_launch_out_of_bounds(dw_stream stream);

#ifdef __cplusplus
}
#endif

#endif /* DEEPWELL_DEEPWELL_H */
