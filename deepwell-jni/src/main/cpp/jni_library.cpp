// Library-level entry points: ABI version, driver check, optional libraries, status names, and
// the test hooks.
#include <cstring>
#include <stdexcept>

#include "dev_deepwell_gpu_Natives.h"
#include "jni_support.h"

using dwjni::guarded;
using dwjni::guarded_void;

extern "C" {

JNIEXPORT jint JNICALL Java_dev_deepwell_gpu_Natives_abiVersion(JNIEnv*, jclass) { return DW_ABI_VERSION; }

JNIEXPORT jstring JNICALL Java_dev_deepwell_gpu_Natives_driverCheck(JNIEnv* env, jclass, jstring libcuda,
                                                                     jintArray out) {
  return guarded(env, static_cast<jstring>(nullptr), [&]() -> jstring {
    const char* name = libcuda != nullptr ? env->GetStringUTFChars(libcuda, nullptr) : nullptr;
    if (libcuda != nullptr && name == nullptr) return nullptr;  // OutOfMemoryError pending
    dw_driver_report report;
    dw_status s = dw_driver_check(name, &report);
    if (name != nullptr) env->ReleaseStringUTFChars(libcuda, name);
    jint values[4] = {s, report.driver_version, report.runtime_version, report.device_count};
    env->SetIntArrayRegion(out, 0, 4, values);
    return env->NewStringUTF(report.detail);
  });
}

JNIEXPORT jobjectArray JNICALL Java_dev_deepwell_gpu_Natives_optionalLibrary(JNIEnv* env, jclass, jint which,
                                                                             jintArray out) {
  return guarded(env, static_cast<jobjectArray>(nullptr), [&]() -> jobjectArray {
    dw_library_report report;
    std::memset(&report, 0, sizeof report);
    dw_status s = dw_optional_library(static_cast<dw_library>(which), &report);
    if (s != DW_SUCCESS && s != DW_ERROR_LIBRARY_MISSING) {
      dwjni::throw_status(env, s);
      return nullptr;
    }
    jint values[2] = {report.available, report.version};
    env->SetIntArrayRegion(out, 0, 2, values);
    jclass string_class = env->FindClass("java/lang/String");
    if (string_class == nullptr) return nullptr;
    jobjectArray result = env->NewObjectArray(2, string_class, nullptr);
    if (result == nullptr) return nullptr;
    env->SetObjectArrayElement(result, 0, env->NewStringUTF(report.file));
    env->SetObjectArrayElement(result, 1, env->NewStringUTF(report.detail));
    return result;
  });
}

JNIEXPORT jboolean JNICALL Java_dev_deepwell_gpu_Natives_syncMode(JNIEnv*, jclass) {
  return dw_sync_mode() ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT jstring JNICALL Java_dev_deepwell_gpu_Natives_statusName(JNIEnv* env, jclass, jint status) {
  return env->NewStringUTF(dw_status_name(status));
}

JNIEXPORT jboolean JNICALL Java_dev_deepwell_gpu_Natives_statusIsSticky(JNIEnv*, jclass, jint status) {
  return dw_status_is_sticky(status) ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_testLaunchOutOfBounds(JNIEnv* env, jclass, jlong stream) {
  guarded_void(env, [&] { dwjni::failed(env, dw_test_launch_out_of_bounds(dwjni::from_handle<dw_stream>(stream))); });
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_testThrowStatus(JNIEnv* env, jclass, jint status,
                                                                    jstring operation, jstring detail,
                                                                    jlong requested, jlong free_bytes,
                                                                    jlong total) {
  guarded_void(env, [&] {
    dw_error_info info;
    std::memset(&info, 0, sizeof info);
    info.status = status;
    const char* op = env->GetStringUTFChars(operation, nullptr);
    if (op == nullptr) return;
    const char* det = env->GetStringUTFChars(detail, nullptr);
    if (det == nullptr) {
      env->ReleaseStringUTFChars(operation, op);
      return;
    }
    info.operation = op;
    std::strncpy(info.detail, det, sizeof info.detail - 1);
    info.requested_bytes = static_cast<uint64_t>(requested);
    info.free_bytes = static_cast<uint64_t>(free_bytes);
    info.total_bytes = static_cast<uint64_t>(total);
    dwjni::throw_error(env, info);  // the strings are copied into Java before release
    env->ReleaseStringUTFChars(detail, det);
    env->ReleaseStringUTFChars(operation, op);
  });
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_testThrowCppException(JNIEnv* env, jclass, jint kind) {
  guarded_void(env, [&] {
    if (kind == 0) throw std::runtime_error("planted std::runtime_error");
    if (kind == 1) throw std::bad_alloc();
    throw 42;
  });
}

}  // extern "C"
