// Stream capture and CUDA graphs.
#include "dev_deepwell_gpu_Natives.h"
#include "jni_support.h"

using dwjni::failed;
using dwjni::from_handle;
using dwjni::guarded;
using dwjni::guarded_void;
using dwjni::to_handle;

extern "C" {

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_beginCapture(JNIEnv* env, jclass, jlong stream) {
  guarded_void(env, [&] { failed(env, dw_stream_begin_capture(from_handle<dw_stream>(stream))); });
}

JNIEXPORT jlong JNICALL Java_dev_deepwell_gpu_Natives_endCapture(JNIEnv* env, jclass, jlong stream) {
  return guarded(env, jlong{0}, [&]() -> jlong {
    dw_graph g = nullptr;
    if (failed(env, dw_stream_end_capture(from_handle<dw_stream>(stream), &g))) return 0;
    return to_handle(g);
  });
}

JNIEXPORT jlong JNICALL Java_dev_deepwell_gpu_Natives_graphNodeCount(JNIEnv* env, jclass, jlong graph) {
  return guarded(env, jlong{0}, [&]() -> jlong {
    uint64_t n = 0;
    if (failed(env, dw_graph_node_count(from_handle<dw_graph>(graph), &n))) return 0;
    return static_cast<jlong>(n);
  });
}

JNIEXPORT jlong JNICALL Java_dev_deepwell_gpu_Natives_graphInstantiate(JNIEnv* env, jclass, jlong graph) {
  return guarded(env, jlong{0}, [&]() -> jlong {
    dw_graph_exec e = nullptr;
    if (failed(env, dw_graph_instantiate(from_handle<dw_graph>(graph), &e))) return 0;
    return to_handle(e);
  });
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_graphLaunch(JNIEnv* env, jclass, jlong exec, jlong stream) {
  guarded_void(env, [&] {
    failed(env, dw_graph_launch(from_handle<dw_graph_exec>(exec), from_handle<dw_stream>(stream)));
  });
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_graphDestroy(JNIEnv* env, jclass, jlong graph) {
  guarded_void(env, [&] { failed(env, dw_graph_destroy(from_handle<dw_graph>(graph))); });
}

JNIEXPORT void JNICALL Java_dev_deepwell_gpu_Natives_graphExecDestroy(JNIEnv* env, jclass, jlong exec) {
  guarded_void(env, [&] { failed(env, dw_graph_exec_destroy(from_handle<dw_graph_exec>(exec))); });
}

}  // extern "C"
