// Launches of the runtime's own kernels (deepwell-cuda/src/kernels).
#include "dev_deepwell_gpu_Natives.h"
#include "jni_support.h"

using dwjni::failed;
using dwjni::from_handle;
using dwjni::guarded_void;

extern "C" {

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_copyKernel(JNIEnv* env, jclass, jlong stream, jlong dst,
                                                               jlong src, jlong bytes) {
  guarded_void(env, [&] {
    failed(env, dw_copy_kernel(from_handle<dw_stream>(stream), from_handle<void*>(dst), from_handle<const void*>(src),
                               static_cast<uint64_t>(bytes)));
  });
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_copyKernelTuned(JNIEnv* env, jclass, jlong stream, jlong dst,
                                                                    jlong src, jlong bytes, jint unroll,
                                                                    jint blocks) {
  guarded_void(env, [&] {
    failed(env, dw_copy_kernel_tuned(from_handle<dw_stream>(stream), from_handle<void*>(dst),
                                     from_handle<const void*>(src), static_cast<uint64_t>(bytes), unroll, blocks));
  });
}

// The launch-overhead path: one C ABI call, no allocation, no exception machinery unless it fails.
JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_addScalarF32(JNIEnv* env, jclass, jlong stream, jlong address,
                                                                 jlong count, jfloat value) {
  guarded_void(env, [&] {
    failed(env, dw_add_scalar_f32(from_handle<dw_stream>(stream), from_handle<float*>(address),
                                  static_cast<uint64_t>(count), value));
  });
}

}  // extern "C"
