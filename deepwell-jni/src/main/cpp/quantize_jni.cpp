// JNI entry points of GPU quantization (dev.deepwell.gpu.quant.QuantNatives): marshal the
// arguments into deepwell/quantize.h calls and map failures to Java exceptions. All argument
// checks happen in Java (MicroscaleManager) before these run; the C ABI checks again.
#include "dev_deepwell_gpu_quant_QuantNatives.h"
#include "deepwell/quantize.h"
#include "jni_support.h"

using dwjni::failed;
using dwjni::from_handle;
using dwjni::guarded;
using dwjni::guarded_void;

namespace {

// {format, scaleRule, scaleLayout, fp8BlockShape, stochastic, hadamard16} + seed.
bool read_options(JNIEnv* env, jintArray array, jlong seed, dw_quant_options* o) {
  jint v[6];
  env->GetIntArrayRegion(array, 0, 6, v);
  if (env->ExceptionCheck()) return false;
  o->format = v[0];
  o->scale_rule = v[1];
  o->scale_layout = v[2];
  o->fp8_block_shape = v[3];
  o->stochastic_rounding = v[4];
  o->hadamard16 = v[5];
  o->seed = static_cast<uint64_t>(seed);
  return true;
}

}  // namespace

extern "C" {

// CudaStream keeps its handle behind a package-private accessor; JNI may call it, and doing so
// keeps the runtime's own closed-stream check (IllegalStateException) in force.
JNIEXPORT jlong JNICALL Java_dev_deepwell_gpu_quant_QuantNatives_streamHandle(JNIEnv* env, jclass, jobject stream) {
  return guarded(env, static_cast<jlong>(0), [&]() -> jlong {
    jclass cls = env->GetObjectClass(stream);
    if (cls == nullptr) return 0;
    jmethodID handle = env->GetMethodID(cls, "handle", "()J");
    if (handle == nullptr) return 0;  // NoSuchMethodError pending
    return env->CallLongMethod(stream, handle);
  });
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_quant_QuantNatives_quantize(
    JNIEnv* env, jclass, jlong stream, jintArray options, jlong seed, jlong x, jint rows, jint cols, jlong row_data,
    jlong row_scales, jlong row_tensor_scale, jlong col_data, jlong col_scales, jlong col_tensor_scale,
    jlong workspace) {
  guarded_void(env, [&] {
    dw_quant_options o;
    if (!read_options(env, options, seed, &o)) return;
    dw_quant_output row{from_handle<void*>(row_data), from_handle<void*>(row_scales),
                        from_handle<float*>(row_tensor_scale)};
    dw_quant_output col{from_handle<void*>(col_data), from_handle<void*>(col_scales),
                        from_handle<float*>(col_tensor_scale)};
    failed(env, dw_quantize(from_handle<dw_stream>(stream), &o, from_handle<const void*>(x), rows, cols,
                            row_data != 0 ? &row : nullptr, col_data != 0 ? &col : nullptr,
                            from_handle<void*>(workspace)));
  });
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_quant_QuantNatives_quantizeWithAmax(
    JNIEnv* env, jclass, jlong stream, jintArray options, jlong seed, jlong x, jint rows, jint cols, jlong row_data,
    jlong row_scales, jlong row_tensor_scale, jlong col_data, jlong col_scales, jlong col_tensor_scale, jlong amax) {
  guarded_void(env, [&] {
    dw_quant_options o;
    if (!read_options(env, options, seed, &o)) return;
    dw_quant_output row{from_handle<void*>(row_data), from_handle<void*>(row_scales),
                        from_handle<float*>(row_tensor_scale)};
    dw_quant_output col{from_handle<void*>(col_data), from_handle<void*>(col_scales),
                        from_handle<float*>(col_tensor_scale)};
    failed(env, dw_quantize_with_amax(from_handle<dw_stream>(stream), &o, from_handle<const void*>(x), rows, cols,
                                      row_data != 0 ? &row : nullptr, col_data != 0 ? &col : nullptr,
                                      from_handle<const float*>(amax)));
  });
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_quant_QuantNatives_dequantize(JNIEnv* env, jclass, jlong stream,
                                                                          jintArray options, jlong seed, jint rows,
                                                                          jint cols, jint axis, jlong data,
                                                                          jlong scales, jlong tensor_scale, jlong out,
                                                                          jint out_type) {
  guarded_void(env, [&] {
    dw_quant_options o;
    if (!read_options(env, options, seed, &o)) return;
    failed(env, dw_dequantize(from_handle<dw_stream>(stream), &o, rows, cols, axis, from_handle<const void*>(data),
                              from_handle<const void*>(scales), from_handle<const float*>(tensor_scale),
                              from_handle<void*>(out), out_type));
  });
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_quant_QuantNatives_amax(JNIEnv* env, jclass, jlong stream, jlong x,
                                                                    jlong count, jlong out) {
  guarded_void(env, [&] {
    failed(env, dw_quant_amax_bf16(from_handle<dw_stream>(stream), from_handle<const void*>(x),
                                   static_cast<uint64_t>(count), from_handle<float*>(out)));
  });
}

}  // extern "C"
