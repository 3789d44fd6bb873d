// JNI entry points of the GEMM (dev.deepwell.gpu.gemm.GemmNatives): marshal the arguments into
// deepwell/gemm.h calls and map failures to Java exceptions. All argument checks happen in Java
// (GpuGemm) before these run; the C ABI checks again. A plan travels as the bytes of its
// dw_gemm_plan_info in a Java byte[] (a plain value per gemm.h), so no native memory is held.
//
// CMake defines DEEPWELL_HAVE_GEMM when deepwell-cuda is built with its GEMM family. Without it,
// every entry point but streamHandle throws DW_ERROR_LIBRARY_MISSING saying so: the library
// links and its other families work, and GpuGemm.create fails with that message.
#include <cstdio>
#include <cstring>

#include "deepwell/gemm.h"
#include "dev_deepwell_gpu_gemm_GemmNatives.h"
#include "jni_support.h"

using dwjni::failed;
using dwjni::from_handle;
using dwjni::guarded;
using dwjni::guarded_void;

#if defined(DEEPWELL_HAVE_GEMM)
namespace {

// Copies a Java byte[] that must hold exactly one dw_gemm_plan_info into *out.
bool read_plan(JNIEnv* env, jbyteArray array, dw_gemm_plan_info* out) {
  if (env->GetArrayLength(array) != static_cast<jsize>(sizeof *out)) {
    dwjni::throw_internal(env, "GEMM plan array has the wrong length (a plan from another library build?)");
    return false;
  }
  env->GetByteArrayRegion(array, 0, static_cast<jsize>(sizeof *out), reinterpret_cast<jbyte*>(out));
  return !env->ExceptionCheck();
}

}  // namespace
#endif

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
    if (env->GetArrayLength(plan_out) != static_cast<jsize>(sizeof(dw_gemm_plan_info)) ||
        env->GetArrayLength(info_out) < 4) {
      dwjni::throw_internal(env, "GEMM plan output arrays have the wrong length");
      return nullptr;
    }
    dw_gemm_desc desc;
    std::memset(&desc, 0, sizeof desc);
    desc.m = m;
    desc.n = n;
    desc.k = k;
    desc.input = static_cast<dw_gemm_input>(input);
    desc.output = static_cast<dw_gemm_output>(output);
    desc.activation = static_cast<dw_gemm_activation>(activation);
    desc.alpha = alpha;
    desc.out_scale = out_scale;
    desc.has_bias = has_bias ? 1 : 0;
    desc.has_residual = has_residual ? 1 : 0;
    dw_gemm_plan_info plan;
    std::memset(&plan, 0, sizeof plan);
    plan.swizzle = swizzle;  // 0: the planner's choice
    if (failed(env, dw_gemm_plan(device, &desc, static_cast<dw_gemm_backend>(backend), variant, &plan))) return nullptr;
    env->SetByteArrayRegion(plan_out, 0, static_cast<jsize>(sizeof plan), reinterpret_cast<const jbyte*>(&plan));
    const jlong info[4] = {static_cast<jlong>(plan.backend), static_cast<jlong>(plan.variant),
                           static_cast<jlong>(plan.swizzle), static_cast<jlong>(plan.workspace_bytes)};
    env->SetLongArrayRegion(info_out, 0, 4, info);
    if (env->ExceptionCheck()) return nullptr;
    char name[sizeof plan.name + 1];
    std::memcpy(name, plan.name, sizeof plan.name);
    name[sizeof plan.name] = '\0';
    return env->NewStringUTF(name);
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
    if (!read_plan(env, plan_array, &plan)) return;
    dw_gemm_desc desc = plan.planned;
    desc.alpha = alpha;
    desc.out_scale = out_scale;
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

namespace {
void throw_no_gemm(JNIEnv* env) {
  dw_error_info info;
  std::memset(&info, 0, sizeof info);
  info.status = DW_ERROR_LIBRARY_MISSING;
  info.operation = "GEMM";
  std::snprintf(info.detail, sizeof info.detail, "%s",
                "this libdeepwell.so was built without deepwell-cuda's GEMM family (src/gemm/sources.cmake)");
  dwjni::throw_error(env, info);
}
}  // namespace

JNIEXPORT jint JNICALL Java_dev_deepwell_gpu_gemm_GemmNatives_planInfoSize(JNIEnv* env, jclass) {
  throw_no_gemm(env);
  return 0;
}

JNIEXPORT jint JNICALL Java_dev_deepwell_gpu_gemm_GemmNatives_variantCount(JNIEnv* env, jclass, jint, jint) {
  throw_no_gemm(env);
  return 0;
}

JNIEXPORT jstring JNICALL Java_dev_deepwell_gpu_gemm_GemmNatives_plan(JNIEnv* env, jclass, jint, jlong, jlong, jlong,
                                                                     jint, jint, jint, jfloat, jfloat, jboolean,
                                                                     jboolean, jint, jint, jint, jbyteArray,
                                                                     jlongArray) {
  throw_no_gemm(env);
  return nullptr;
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_gemm_GemmNatives_run(JNIEnv* env, jclass, jlong, jbyteArray, jfloat,
                                                                 jfloat, jlong, jlong, jlong, jlong, jlong, jlong,
                                                                 jlong, jlong, jlong, jlong, jlong) {
  throw_no_gemm(env);
}

#endif  // DEEPWELL_HAVE_GEMM

}  // extern "C"
