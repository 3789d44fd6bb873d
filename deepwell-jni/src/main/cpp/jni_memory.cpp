// Device and pinned host memory, copies.
#include "dev_deepwell_gpu_Natives.h"
#include "jni_support.h"

using dwjni::failed;
using dwjni::from_handle;
using dwjni::guarded;
using dwjni::guarded_void;
using dwjni::to_handle;

extern "C" {

JNIEXPORT jlong JNICALL Java_dev_deepwell_gpu_Natives_mallocAsync(JNIEnv* env, jclass, jlong stream, jlong bytes) {
  return guarded(env, jlong{0}, [&]() -> jlong {
    void* p = nullptr;
    if (failed(env, dw_malloc_async(from_handle<dw_stream>(stream), static_cast<uint64_t>(bytes), &p))) return 0;
    return to_handle(p);
  });
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_freeAsync(JNIEnv* env, jclass, jlong stream, jlong ptr) {
  guarded_void(env, [&] { failed(env, dw_free_async(from_handle<dw_stream>(stream), from_handle<void*>(ptr))); });
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_freeSync(JNIEnv* env, jclass, jint device, jlong ptr) {
  guarded_void(env, [&] { failed(env, dw_free_sync(device, from_handle<void*>(ptr))); });
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_memPoolTrim(JNIEnv* env, jclass, jint device, jlong keep) {
  guarded_void(env, [&] { failed(env, dw_mempool_trim(device, static_cast<uint64_t>(keep))); });
}

JNIEXPORT jlong JNICALL Java_dev_deepwell_gpu_Natives_hostAlloc(JNIEnv* env, jclass, jlong bytes) {
  return guarded(env, jlong{0}, [&]() -> jlong {
    void* p = nullptr;
    if (failed(env, dw_host_alloc(static_cast<uint64_t>(bytes), &p))) return 0;
    return to_handle(p);
  });
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_hostFree(JNIEnv* env, jclass, jlong ptr) {
  guarded_void(env, [&] { failed(env, dw_host_free(from_handle<void*>(ptr))); });
}

// Array regions copy straight between the Java array and native memory: no pinning of the
// array, no intermediate buffer.
JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_hostWrite(JNIEnv* env, jclass, jlong address, jbyteArray src,
                                                              jint offset, jint length) {
  env->GetByteArrayRegion(src, offset, length, from_handle<jbyte*>(address));
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_hostRead(JNIEnv* env, jclass, jlong address, jbyteArray dst,
                                                             jint offset, jint length) {
  env->SetByteArrayRegion(dst, offset, length, from_handle<const jbyte*>(address));
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_memcpyAsync(JNIEnv* env, jclass, jlong stream, jlong dst,
                                                                jlong src, jlong bytes, jint kind) {
  guarded_void(env, [&] {
    failed(env, dw_memcpy_async(from_handle<dw_stream>(stream), from_handle<void*>(dst), from_handle<const void*>(src),
                                static_cast<uint64_t>(bytes), static_cast<dw_copy_kind>(kind)));
  });
}

}  // extern "C"
