// cuBLASLt and NCCL are opened at run time: the library must load, and report what is missing,
// on a machine that has neither (a CPU-only CI host, a GPU host without NCCL).
#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <mutex>

#include "internal.h"

namespace {

struct LibrarySlot {
  std::once_flag once;
  void* handle = nullptr;
  dw_library_report report = {};
};

LibrarySlot g_cublaslt;
LibrarySlot g_nccl;

LibrarySlot* slot_for(dw_library which) {
  switch (which) {
    case DW_LIBRARY_CUBLASLT: return &g_cublaslt;
    case DW_LIBRARY_NCCL: return &g_nccl;
  }
  return nullptr;
}

void open_library(dw_library which, LibrarySlot& slot) {
  dw_library_report& r = slot.report;
  if (which == DW_LIBRARY_CUBLASLT) {
    std::snprintf(r.file, sizeof r.file, "libcublasLt.so.%d", CUDART_VERSION / 1000);
  } else {
    std::snprintf(r.file, sizeof r.file, "libnccl.so.2");
  }
  dlerror();
  slot.handle = dlopen(r.file, RTLD_NOW | RTLD_LOCAL);
  if (slot.handle == nullptr) {
    const char* why = dlerror();
    std::snprintf(r.detail, sizeof r.detail, "%s", why ? why : "not found");
    return;
  }
  r.available = 1;
  if (which == DW_LIBRARY_CUBLASLT) {
    using GetVersion = size_t (*)();
    auto fn = reinterpret_cast<GetVersion>(dlsym(slot.handle, "cublasLtGetVersion"));
    r.version = fn != nullptr ? static_cast<int32_t>(fn()) : 0;
  } else {
    using GetVersion = int (*)(int*);
    auto fn = reinterpret_cast<GetVersion>(dlsym(slot.handle, "ncclGetVersion"));
    int v = 0;
    if (fn != nullptr && fn(&v) == 0) r.version = v;
  }
  std::snprintf(r.detail, sizeof r.detail, "opened %s", r.file);
}

}  // namespace

namespace dw {

void* optional_library_handle(dw_library which) {
  LibrarySlot* slot = slot_for(which);
  if (slot == nullptr) return nullptr;
  std::call_once(slot->once, [&] { open_library(which, *slot); });
  return slot->handle;
}

void* tensor_map_encoder() {
  static void* const fn = [] {
    void* f = nullptr;
    cudaDriverEntryPointQueryResult found{};
    if (cudaGetDriverEntryPointByVersion("cuTensorMapEncodeTiled", &f, 12000, cudaEnableDefault, &found) != cudaSuccess ||
        found != cudaDriverEntryPointSuccess) {
      (void)cudaGetLastError();
      f = nullptr;
    }
    return f;
  }();
  return fn;
}

}  // namespace dw

extern "C" dw_status dw_optional_library(dw_library which, dw_library_report* out) {
  static const char* op = "dlopen";
  if (out == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "report is null");
  LibrarySlot* slot = slot_for(which);
  if (slot == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "unknown library %d", static_cast<int>(which));
  (void)dw::optional_library_handle(which);
  *out = slot->report;
  if (!out->available) return dw::fail(DW_ERROR_LIBRARY_MISSING, op, "%s: %s", out->file, out->detail);
  return DW_SUCCESS;
}
