// Devices, streams and events.
#include "dev_deepwell_gpu_Natives.h"
#include "jni_support.h"

using dwjni::failed;
using dwjni::from_handle;
using dwjni::guarded;
using dwjni::guarded_void;
using dwjni::to_handle;

extern "C" {

JNIEXPORT jint JNICALL Java_dev_deepwell_gpu_Natives_deviceCount(JNIEnv* env, jclass) {
  return guarded(env, jint{0}, [&]() -> jint {
    int32_t n = 0;
    if (failed(env, dw_device_count(&n))) return 0;
    return n;
  });
}

JNIEXPORT jstring JNICALL Java_dev_deepwell_gpu_Natives_deviceProperties(JNIEnv* env, jclass, jint device,
                                                                          jlongArray out) {
  return guarded(env, static_cast<jstring>(nullptr), [&]() -> jstring {
    dw_device_props p;
    if (failed(env, dw_device_props_get(device, &p))) return nullptr;
    jlong v[12] = {p.cc_major,
                   p.cc_minor,
                   p.multiprocessors,
                   p.sm_clock_khz,
                   p.memory_clock_khz,
                   p.memory_bus_width_bits,
                   p.driver_version,
                   p.runtime_version,
                   static_cast<jlong>(p.total_memory_bytes),
                   static_cast<jlong>(p.free_memory_bytes),
                   static_cast<jlong>(p.l2_cache_bytes),
                   static_cast<jlong>(p.shared_mem_per_block_optin)};
    env->SetLongArrayRegion(out, 0, 12, v);
    return env->NewStringUTF(p.name);
  });
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_memoryInfo(JNIEnv* env, jclass, jint device, jlongArray out) {
  guarded_void(env, [&] {
    uint64_t free_bytes = 0, total = 0;
    if (failed(env, dw_device_mem_info(device, &free_bytes, &total))) return;
    jlong v[2] = {static_cast<jlong>(free_bytes), static_cast<jlong>(total)};
    env->SetLongArrayRegion(out, 0, 2, v);
  });
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_deviceSynchronize(JNIEnv* env, jclass, jint device) {
  guarded_void(env, [&] { failed(env, dw_device_synchronize(device)); });
}

JNIEXPORT jlong JNICALL Java_dev_deepwell_gpu_Natives_streamCreate(JNIEnv* env, jclass, jint device) {
  return guarded(env, jlong{0}, [&]() -> jlong {
    dw_stream s = nullptr;
    if (failed(env, dw_stream_create(device, &s))) return 0;
    return to_handle(s);
  });
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_streamDestroy(JNIEnv* env, jclass, jlong stream) {
  guarded_void(env, [&] { failed(env, dw_stream_destroy(from_handle<dw_stream>(stream))); });
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_streamSynchronize(JNIEnv* env, jclass, jlong stream) {
  guarded_void(env, [&] { failed(env, dw_stream_synchronize(from_handle<dw_stream>(stream))); });
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_streamWaitEvent(JNIEnv* env, jclass, jlong stream, jlong event) {
  guarded_void(env, [&] {
    failed(env, dw_stream_wait_event(from_handle<dw_stream>(stream), from_handle<dw_event>(event)));
  });
}

JNIEXPORT jlong JNICALL Java_dev_deepwell_gpu_Natives_eventCreate(JNIEnv* env, jclass, jint device, jboolean timing) {
  return guarded(env, jlong{0}, [&]() -> jlong {
    dw_event e = nullptr;
    if (failed(env, dw_event_create(device, timing ? 1 : 0, &e))) return 0;
    return to_handle(e);
  });
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_eventDestroy(JNIEnv* env, jclass, jlong event) {
  guarded_void(env, [&] { failed(env, dw_event_destroy(from_handle<dw_event>(event))); });
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_eventRecord(JNIEnv* env, jclass, jlong event, jlong stream) {
  guarded_void(env, [&] { failed(env, dw_event_record(from_handle<dw_event>(event), from_handle<dw_stream>(stream))); });
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_eventSynchronize(JNIEnv* env, jclass, jlong event) {
  guarded_void(env, [&] { failed(env, dw_event_synchronize(from_handle<dw_event>(event))); });
}

JNIEXPORT jfloat JNICALL Java_dev_deepwell_gpu_Natives_eventElapsedMillis(JNIEnv* env, jclass, jlong start,
                                                                          jlong end) {
  return guarded(env, jfloat{0}, [&]() -> jfloat {
    float ms = 0;
    if (failed(env, dw_event_elapsed_ms(from_handle<dw_event>(start), from_handle<dw_event>(end), &ms))) return 0;
    return ms;
  });
}

}  // extern "C"
