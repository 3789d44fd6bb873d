// JNI entry points of the grouped GEMM (dev.deepwell.gpu.gemm.GroupedGemmNatives): marshal the
// arguments into deepwell/gemm_grouped.h calls and map failures to Java exceptions. All argument
// checks happen in Java (GroupedGemmValidator) before these run; the C ABI checks again. A plan
// travels as the bytes of its dw_gemm_grouped_plan_info in a Java byte[] (a plain value), so no
// native memory is held.
//
// The grouped GEMM is part of deepwell-cuda's GEMM family (src/gemm/sources.cmake), so it is
// there exactly when CMake defines DEEPWELL_HAVE_GEMM; without it every entry point throws
// DW_ERROR_LIBRARY_MISSING saying so, and the library still links.
#include <cstring>
#include <vector>

#include "deepwell/gemm_grouped.h"
#include "dev_deepwell_gpu_gemm_GroupedGemmNatives.h"
#include "gemm_jni_support.h"
#include "jni_support.h"

using dwjni::failed;
using dwjni::from_handle;
using dwjni::guarded;
using dwjni::guarded_void;

namespace {
constexpr char kFamily[] = "grouped GEMM";  // for messages
}  // namespace

extern "C" {

#if defined(DEEPWELL_HAVE_GEMM)

JNIEXPORT jint JNICALL Java_dev_deepwell_gpu_gemm_GroupedGemmNatives_planInfoSize(JNIEnv*, jclass) {
  return static_cast<jint>(sizeof(dw_gemm_grouped_plan_info));
}

JNIEXPORT jint JNICALL Java_dev_deepwell_gpu_gemm_GroupedGemmNatives_variantCount(JNIEnv* env, jclass, jint backend,
                                                                                 jint input) {
  return guarded(env, static_cast<jint>(0), [&]() -> jint {
    return dw_gemm_grouped_variant_count(static_cast<dw_gemm_backend>(backend), static_cast<dw_gemm_input>(input));
  });
}

JNIEXPORT jstring JNICALL Java_dev_deepwell_gpu_gemm_GroupedGemmNatives_plan(
    JNIEnv* env, jclass, jint device, jint groups, jlong max_total_m, jlong n, jlong k, jint input, jint output,
    jint activation, jfloat alpha, jfloat out_scale, jboolean has_bias, jint backend, jint variant, jint swizzle,
    jbyteArray plan_out, jlongArray info_out) {
  return guarded(env, static_cast<jstring>(nullptr), [&]() -> jstring {
    if (!dwjni::plan_arrays_fit<dw_gemm_grouped_plan_info>(env, plan_out, info_out, kFamily)) return nullptr;
    dw_gemm_grouped_desc desc;
    std::memset(&desc, 0, sizeof desc);
    desc.groups = groups;
    desc.max_total_m = max_total_m;
    dwjni::set_shared_desc_fields(&desc, n, k, input, output, activation, alpha, out_scale, has_bias);
    dw_gemm_grouped_plan_info plan;
    std::memset(&plan, 0, sizeof plan);
    plan.swizzle = swizzle;  // 0: the planner's choice
    if (failed(env, dw_gemm_grouped_plan(device, &desc, static_cast<dw_gemm_backend>(backend), variant, &plan)))
      return nullptr;
    return dwjni::publish_plan(env, plan, plan_out, info_out);
  });
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_gemm_GroupedGemmNatives_run(
    JNIEnv* env, jclass, jlong stream, jbyteArray plan_array, jfloat alpha, jfloat out_scale, jlong a, jlong b,
    jlong d, jlong scale_a, jlong scale_b, jlong bias, jlong device_sizes, jintArray host_sizes, jlong sizes_clamped,
    jlong workspace, jlong workspace_bytes) {
  guarded_void(env, [&] {
    dw_gemm_grouped_plan_info plan;
    if (!dwjni::read_plan(env, plan_array, &plan, kFamily)) return;
    dw_gemm_grouped_desc desc = dwjni::run_desc(plan, alpha, out_scale);
    // Host sizes are copied out of the Java array: the C ABI reads them during the call only
    // (they travel to the device inside kernel parameters).
    std::vector<int32_t> sizes;
    if (host_sizes != nullptr) {
      sizes.resize(static_cast<size_t>(env->GetArrayLength(host_sizes)));
      if (static_cast<int64_t>(sizes.size()) != desc.groups) {
        dwjni::throw_internal(env, "host group sizes do not match the plan's group count");
        return;
      }
      env->GetIntArrayRegion(host_sizes, 0, static_cast<jsize>(sizes.size()), reinterpret_cast<jint*>(sizes.data()));
      if (env->ExceptionCheck()) return;
    }
    dw_gemm_grouped_args args;
    std::memset(&args, 0, sizeof args);
    args.a = from_handle<const void*>(a);
    args.b = from_handle<const void*>(b);
    args.d = from_handle<void*>(d);
    args.scale_a = from_handle<const float*>(scale_a);
    args.scale_b = from_handle<const float*>(scale_b);
    args.bias = from_handle<const void*>(bias);
    args.group_m = from_handle<const int32_t*>(device_sizes);
    args.group_m_host = host_sizes != nullptr ? sizes.data() : nullptr;
    args.sizes_clamped = from_handle<int32_t*>(sizes_clamped);
    void* native_stream = dw_stream_native(from_handle<dw_stream>(stream));
    failed(env, dw_gemm_grouped_run(&desc, &args, &plan, from_handle<void*>(workspace),
                                    static_cast<uint64_t>(workspace_bytes), native_stream));
  });
}

#else  // no GEMM family in this build

JNIEXPORT jint JNICALL Java_dev_deepwell_gpu_gemm_GroupedGemmNatives_planInfoSize(JNIEnv* env, jclass) {
  dwjni::throw_gemm_family_missing(env, kFamily);
  return 0;
}

JNIEXPORT jint JNICALL Java_dev_deepwell_gpu_gemm_GroupedGemmNatives_variantCount(JNIEnv* env, jclass, jint, jint) {
  dwjni::throw_gemm_family_missing(env, kFamily);
  return 0;
}

JNIEXPORT jstring JNICALL Java_dev_deepwell_gpu_gemm_GroupedGemmNatives_plan(JNIEnv* env, jclass, jint, jint, jlong,
                                                                            jlong, jlong, jint, jint, jint, jfloat,
                                                                            jfloat, jboolean, jint, jint, jint,
                                                                            jbyteArray, jlongArray) {
  dwjni::throw_gemm_family_missing(env, kFamily);
  return nullptr;
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_gemm_GroupedGemmNatives_run(JNIEnv* env, jclass, jlong, jbyteArray,
                                                                        jfloat, jfloat, jlong, jlong, jlong, jlong,
                                                                        jlong, jlong, jlong, jintArray, jlong, jlong,
                                                                        jlong) {
  dwjni::throw_gemm_family_missing(env, kFamily);
}

#endif  // DEEPWELL_HAVE_GEMM

}  // extern "C"
