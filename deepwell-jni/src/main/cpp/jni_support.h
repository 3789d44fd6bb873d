// What every JNI entry point uses: handle conversion, the mapping of a failed dw_status to the
// Java exception (through dev.deepwell.gpu.CudaErrors.create), and the catch-all that keeps C++
// exceptions from crossing into the JVM. The entry points only marshal, map and validate what
// Java cannot see; the work is behind deepwell.h.
#pragma once

#include <jni.h>

#include <cstdint>
#include <exception>
#include <new>

#include "deepwell/deepwell.h"

namespace dwjni {

// Looks up and pins the Java classes and methods the glue calls. JNI_OnLoad fails without them.
bool init(JNIEnv* env);

// Throws the exception for `info` (a failure recorded by the C ABI, or made up by a test hook).
void throw_error(JNIEnv* env, const dw_error_info& info);

// Throws for the last failure recorded on this thread by the C ABI.
void throw_status(JNIEnv* env, dw_status status);

// Throws a CudaException with DW_ERROR_INTERNAL (a C++ exception or a broken invariant).
void throw_internal(JNIEnv* env, const char* what);

// true (with a pending Java exception) when `status` is a failure.
inline bool failed(JNIEnv* env, dw_status status) {
  if (status == DW_SUCCESS) return false;
  throw_status(env, status);
  return true;
}

// Runs `body`; turns any C++ exception into a pending Java exception and returns `fallback`.
template <typename R, typename F>
R guarded(JNIEnv* env, R fallback, F&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    throw_internal(env, "out of host memory in the native library (std::bad_alloc)");
  } catch (const std::exception& e) {
    throw_internal(env, e.what());
  } catch (...) {
    throw_internal(env, "unknown C++ exception in the native library");
  }
  return fallback;
}

template <typename F>
void guarded_void(JNIEnv* env, F&& body) noexcept {
  guarded(env, 0, [&]() -> int {
    body();
    return 0;
  });
}

template <typename T>
inline T from_handle(jlong h) {
  return reinterpret_cast<T>(static_cast<intptr_t>(h));
}

inline jlong to_handle(const void* p) { return static_cast<jlong>(reinterpret_cast<intptr_t>(p)); }

}  // namespace dwjni
