// What the entry points of the dense GEMM (gemm_jni.cpp) and of the grouped GEMM
// (gemm_grouped_jni.cpp) do alike. Their C ABI plans (dw_gemm_plan_info,
// dw_gemm_grouped_plan_info) and problems (dw_gemm_desc, dw_gemm_grouped_desc) are separate
// structs with the same field names for what they share, so these are templates over the
// struct. `family` ("GEMM", "grouped GEMM") names the caller in messages.
#pragma once

#include <cstdio>
#include <cstring>
#include <string>

#include "deepwell/gemm.h"
#include "jni_support.h"

namespace dwjni {

// The fields both problems have: N, K, the formats and the epilogue. The caller sets the rest
// (M and the residual; the groups and their row bound).
template <typename Desc>
void set_shared_desc_fields(Desc* desc, jlong n, jlong k, jint input, jint output, jint activation, jfloat alpha,
                            jfloat out_scale, jboolean has_bias) {
  desc->n = n;
  desc->k = k;
  desc->input = static_cast<dw_gemm_input>(input);
  desc->output = static_cast<dw_gemm_output>(output);
  desc->activation = static_cast<dw_gemm_activation>(activation);
  desc->alpha = alpha;
  desc->out_scale = out_scale;
  desc->has_bias = has_bias ? 1 : 0;
}

// Whether plan_out can take one Plan and info_out what publish_plan writes; else throws.
template <typename Plan>
bool plan_arrays_fit(JNIEnv* env, jbyteArray plan_out, jlongArray info_out, const char* family) {
  if (env->GetArrayLength(plan_out) != static_cast<jsize>(sizeof(Plan)) || env->GetArrayLength(info_out) < 4) {
    throw_internal(env, (std::string(family) + " plan output arrays have the wrong length").c_str());
    return false;
  }
  return true;
}

// Hands a plan to Java: its bytes into plan_out, {backend, variant, swizzle, workspace_bytes}
// into info_out; returns its kernel name (null with an exception pending).
template <typename Plan>
jstring publish_plan(JNIEnv* env, const Plan& plan, jbyteArray plan_out, jlongArray info_out) {
  env->SetByteArrayRegion(plan_out, 0, static_cast<jsize>(sizeof plan), reinterpret_cast<const jbyte*>(&plan));
  const jlong info[4] = {static_cast<jlong>(plan.backend), static_cast<jlong>(plan.variant),
                         static_cast<jlong>(plan.swizzle), static_cast<jlong>(plan.workspace_bytes)};
  env->SetLongArrayRegion(info_out, 0, 4, info);
  if (env->ExceptionCheck()) return nullptr;
  char name[sizeof plan.name + 1];  // plan.name need not be terminated
  std::memcpy(name, plan.name, sizeof plan.name);
  name[sizeof plan.name] = '\0';
  return env->NewStringUTF(name);
}

// Copies a Java byte[] that must hold exactly one Plan into *out (another length: a plan from
// another library build).
template <typename Plan>
bool read_plan(JNIEnv* env, jbyteArray array, Plan* out, const char* family) {
  if (env->GetArrayLength(array) != static_cast<jsize>(sizeof *out)) {
    throw_internal(env, (std::string(family) +
                         " plan array has the wrong length (a plan from another library build?)").c_str());
    return false;
  }
  env->GetByteArrayRegion(array, 0, static_cast<jsize>(sizeof *out), reinterpret_cast<jbyte*>(out));
  return !env->ExceptionCheck();
}

// The problem a run executes: the planned one with this run's alpha and out_scale (a plan runs
// any of them).
template <typename Plan>
auto run_desc(const Plan& plan, jfloat alpha, jfloat out_scale) {
  auto desc = plan.planned;
  desc.alpha = alpha;
  desc.out_scale = out_scale;
  return desc;
}

// Throws DW_ERROR_LIBRARY_MISSING from a library built without deepwell-cuda's GEMM family
// (src/gemm/sources.cmake), which holds the grouped GEMM too. `family` must be static text.
inline void throw_gemm_family_missing(JNIEnv* env, const char* family) {
  dw_error_info info;
  std::memset(&info, 0, sizeof info);
  info.status = DW_ERROR_LIBRARY_MISSING;
  info.operation = family;
  std::snprintf(info.detail, sizeof info.detail, "%s",
                "this libdeepwell.so was built without deepwell-cuda's GEMM family (src/gemm/sources.cmake)");
  throw_error(env, info);
}

}  // namespace dwjni
