// JNI entry points of the GEMM (dev.deepwell.gpu.gemm.GemmNatives): marshal the arguments into
// deepwell/gemm.h calls and map failures to Java exceptions. All argument checks happen in Java
// (GpuGemm) before these run; the C ABI checks again. A plan travels as the bytes of its
// dw_gemm_plan_info in a Java byte[] (a plain value per gemm.h), so no native memory is held.
//
// CMake defines DEEPWELL_HAVE_GEMM when deepwell-cuda is built with its GEMM family. Without it,
// every entry point but streamHandle throws DW_ERROR_LIBRARY_MISSING saying so: the library
// links and its other families work, and GpuGemm.create fails with that message.
#include <cstring>

#include "deepwell/gemm.h"
#include "dev_deepwell_gpu_gemm_GemmNatives.h"
#include "gemm_jni_support.h"
#include "jni_support.h"

using dwjni::failed;
using dwjni::from_handle;
using dwjni::guarded;
using dwjni::guarded_void;

namespace {
constexpr char kFamily[] = "GEMM";  // for messages
}  // namespace

extern "C" {

// CudaStream keeps its handle behind a package-private accessor; JNI may call it, and doing so
// keeps the runtime's own closed-stream check (IllegalStateException) in force.
JNIEXPORT jlong JNICALL Java_dev_deepwell_gpu_gemm_GemmNatives_streamHandle(JNIEnv* env, jclass, jobject stream) {
  return guarded(env, static_cast<jlong>(0), [&]() -> jlong {
    jclass cls = env->GetObjectClass(stream);
    if (cls == nullptr) return 0;
    jmethodID handle = env->GetMethodID(cls, "handle", "()J");
    if (handle == nullptr) return 0;  // NoSuchMethodError pending
    return env->CallLongMethod(stream, handle);
  });
}

#if defined(DEEPWELL_HAVE_GEMM)

JNIEXPORT jint JNICALL Java_dev_deepwell_gpu_gemm_GemmNatives_planInfoSize(JNIEnv*, jclass) {
  return static_cast<jint>(sizeof(dw_gemm_plan_info));
}

JNIEXPORT jint JNICALL Java_dev_deepwell_gpu_gemm_GemmNatives_variantCount(JNIEnv* env, jclass, jint backend,
                                                                          jint input) {
  return guarded(env, static_cast<jint>(0), [&]() -> jint {
    return dw_gemm_variant_count(static_cast<dw_gemm_backend>(backend), static_cast<dw_gemm_input>(input));
  });
}

JNIEXPORT jstring JNICALL Java_dev_deepwell_gpu_gemm_GemmNatives_plan(
    JNIEnv* env, jclass, jint device, jlong m, jlong n, jlong k, jint input, jint output, jint activation,
    jfloat alpha, jfloat out_scale, jboolean has_bias, jboolean has_residual, jint backend, jint variant, jint swizzle,
    jbyteArray plan_out, jlongArray info_out) {
  return guarded(env, static_cast<jstring>(nullptr), [&]() -> jstring {
    if (!dwjni::plan_arrays_fit<dw_gemm_plan_info>(env, plan_out, info_out, kFamily)) return nullptr;
    dw_gemm_desc desc;
    std::memset(&desc, 0, sizeof desc);
    desc.m = m;
    dwjni::set_shared_desc_fields(&desc, n, k, input, output, activation, alpha, out_scale, has_bias);
    desc.has_residual = has_residual ? 1 : 0;
    dw_gemm_plan_info plan;
    std::memset(&plan, 0, sizeof plan);
    plan.swizzle = swizzle;  // 0: the planner's choice
    if (failed(env, dw_gemm_plan(device, &desc, static_cast<dw_gemm_backend>(backend), variant, &plan))) return nullptr;
    return dwjni::publish_plan(env, plan, plan_out, info_out);
  });
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_gemm_GemmNatives_run(JNIEnv* env, jclass, jlong stream,
                                                                 jbyteArray plan_array, jfloat alpha,
                                                                 jfloat out_scale, jlong a, jlong b, jlong d,
                                                                 jlong scale_a, jlong scale_b, jlong tensor_scale_a,
                                                                 jlong tensor_scale_b, jlong bias, jlong residual,
                                                                 jlong workspace, jlong workspace_bytes) {
  guarded_void(env, [&] {
    dw_gemm_plan_info plan;
    if (!dwjni::read_plan(env, plan_array, &plan, kFamily)) return;
    dw_gemm_desc desc = dwjni::run_desc(plan, alpha, out_scale);
    dw_gemm_args args;
    args.a = from_handle<const void*>(a);
    args.b = from_handle<const void*>(b);
    args.d = from_handle<void*>(d);
    args.scale_a = from_handle<const void*>(scale_a);
    args.scale_b = from_handle<const void*>(scale_b);
    args.tensor_scale_a = from_handle<const float*>(tensor_scale_a);
    args.tensor_scale_b = from_handle<const float*>(tensor_scale_b);
    args.bias = from_handle<const void*>(bias);
    args.residual = from_handle<const void*>(residual);
    void* native_stream = dw_stream_native(from_handle<dw_stream>(stream));
    failed(env, dw_gemm_run(&desc, &args, &plan, from_handle<void*>(workspace),
                            static_cast<uint64_t>(workspace_bytes), native_stream));
  });
}

#else  // no GEMM family in this build

JNIEXPORT jint JNICALL Java_dev_deepwell_gpu_gemm_GemmNatives_planInfoSize(JNIEnv* env, jclass) {
  dwjni::throw_gemm_family_missing(env, kFamily);
  return 0;
}

JNIEXPORT jint JNICALL Java_dev_deepwell_gpu_gemm_GemmNatives_variantCount(JNIEnv* env, jclass, jint, jint) {
  dwjni::throw_gemm_family_missing(env, kFamily);
  return 0;
}

JNIEXPORT jstring JNICALL Java_dev_deepwell_gpu_gemm_GemmNatives_plan(JNIEnv* env, jclass, jint, jlong, jlong, jlong,
                                                                     jint, jint, jint, jfloat, jfloat, jboolean,
                                                                     jboolean, jint, jint, jint, jbyteArray,
                                                                     jlongArray) {
  dwjni::throw_gemm_family_missing(env, kFamily);
  return nullptr;
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_gemm_GemmNatives_run(JNIEnv* env, jclass, jlong, jbyteArray, jfloat,
                                                                 jfloat, jlong, jlong, jlong, jlong, jlong, jlong,
                                                                 jlong, jlong, jlong, jlong, jlong) {
  dwjni::throw_gemm_family_missing(env, kFamily);
}

#endif  // DEEPWELL_HAVE_GEMM

}  // extern "C"
