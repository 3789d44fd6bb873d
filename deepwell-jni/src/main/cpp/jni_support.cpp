#include "jni_support.h"

#include <cstdio>
#include <cstring>

namespace dwjni {
namespace {

jclass g_errors = nullptr;     // dev.deepwell.gpu.CudaErrors
jmethodID g_create = nullptr;  // static RuntimeException create(int, String x4, boolean, long x3)
jclass g_illegal_state = nullptr;

jstring utf(JNIEnv* env, const char* s) { return env->NewStringUTF(s != nullptr ? s : ""); }

}  // namespace

bool init(JNIEnv* env) {
  jclass errors = env->FindClass("dev/deepwell/gpu/CudaErrors");
  if (errors == nullptr) return false;
  g_create = env->GetStaticMethodID(
      errors, "create",
      "(ILjava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;ZJJJ)Ljava/lang/RuntimeException;");
  if (g_create == nullptr) return false;
  g_errors = static_cast<jclass>(env->NewGlobalRef(errors));
  jclass ise = env->FindClass("java/lang/IllegalStateException");
  if (ise == nullptr) return false;
  g_illegal_state = static_cast<jclass>(env->NewGlobalRef(ise));
  return g_errors != nullptr && g_illegal_state != nullptr;
}

void throw_error(JNIEnv* env, const dw_error_info& info) {
  if (env->ExceptionCheck()) return;  // keep the first exception
  jstring name = utf(env, dw_status_name(info.status));
  jstring description = utf(env, dw_status_message(info.status));
  jstring operation = utf(env, info.operation);
  jstring detail = utf(env, info.detail);
  if (env->ExceptionCheck()) return;  // out of Java heap while making the strings
  auto ex = static_cast<jthrowable>(env->CallStaticObjectMethod(
      g_errors, g_create, static_cast<jint>(info.status), name, description, operation, detail,
      static_cast<jboolean>(dw_status_is_sticky(info.status) ? JNI_TRUE : JNI_FALSE),
      static_cast<jlong>(info.requested_bytes), static_cast<jlong>(info.free_bytes),
      static_cast<jlong>(info.total_bytes)));
  if (env->ExceptionCheck()) return;
  if (ex != nullptr) {
    env->Throw(ex);
  } else {
    env->ThrowNew(g_illegal_state, "CudaErrors.create returned null");
  }
}

void throw_status(JNIEnv* env, dw_status status) {
  dw_error_info info;
  dw_last_error(&info);
  if (info.status != status) {
    // The C ABI returned a failure without recording it: still report the code.
    std::memset(&info, 0, sizeof info);
    info.status = status;
    info.operation = "";
  }
  throw_error(env, info);
}

void throw_internal(JNIEnv* env, const char* what) {
  dw_error_info info;
  std::memset(&info, 0, sizeof info);
  info.status = DW_ERROR_INTERNAL;
  info.operation = "JNI";
  std::snprintf(info.detail, sizeof info.detail, "%s", what != nullptr ? what : "");
  throw_error(env, info);
}

}  // namespace dwjni

extern "C" JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM* vm, void*) {
  JNIEnv* env = nullptr;
  if (vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_8) != JNI_OK) return JNI_ERR;
  if (!dwjni::init(env)) return JNI_ERR;
  return JNI_VERSION_1_8;
}
