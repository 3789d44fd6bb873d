// Streams, events and CUDA graphs behind opaque handles.
#include <new>

#include "internal.h"

extern "C" {

dw_status dw_stream_create(int32_t device, dw_stream* out) {
  static const char* op = "cudaStreamCreateWithFlags";
  if (out == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "output handle is null");
  *out = nullptr;
  dw_status s = dw::use_device(device, op);
  if (s != DW_SUCCESS) return s;
  auto* h = new (std::nothrow) dw_stream_s{nullptr, device};
  if (h == nullptr) return dw::fail(DW_ERROR_INTERNAL, op, "out of host memory");
  // Non-blocking: no implicit synchronisation with the legacy default stream.
  s = dw::check(cudaStreamCreateWithFlags(&h->stream, cudaStreamNonBlocking), op, "device %d", device);
  if (s != DW_SUCCESS) {
    delete h;
    return s;
  }
  *out = h;
  return DW_SUCCESS;
}

dw_status dw_stream_destroy(dw_stream stream) {
  if (stream == nullptr) return DW_SUCCESS;
  dw_status s = dw::use_device(stream->device, "cudaStreamDestroy");
  if (s == DW_SUCCESS) s = dw::check(cudaStreamDestroy(stream->stream), "cudaStreamDestroy", "device %d", stream->device);
  delete stream;
  return s;
}

dw_status dw_stream_synchronize(dw_stream stream) {
  static const char* op = "cudaStreamSynchronize";
  if (stream == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "stream is null");
  return dw::check(cudaStreamSynchronize(stream->stream), op, "device %d", stream->device);
}

dw_status dw_stream_wait_event(dw_stream stream, dw_event event) {
  static const char* op = "cudaStreamWaitEvent";
  if (stream == nullptr || event == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "stream or event is null");
  dw_status s = dw::use_device(stream->device, op);
  if (s != DW_SUCCESS) return s;
  return dw::check(cudaStreamWaitEvent(stream->stream, event->event, 0), op, "stream on device %d, event on device %d",
                   stream->device, event->device);
}

int32_t dw_stream_device(dw_stream stream) { return stream == nullptr ? -1 : stream->device; }

void* dw_stream_native(dw_stream stream) { return stream == nullptr ? nullptr : static_cast<void*>(stream->stream); }

dw_status dw_event_create(int32_t device, int32_t timing, dw_event* out) {
  static const char* op = "cudaEventCreateWithFlags";
  if (out == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "output handle is null");
  *out = nullptr;
  dw_status s = dw::use_device(device, op);
  if (s != DW_SUCCESS) return s;
  auto* h = new (std::nothrow) dw_event_s{nullptr, device};
  if (h == nullptr) return dw::fail(DW_ERROR_INTERNAL, op, "out of host memory");
  unsigned flags = timing ? cudaEventDefault : cudaEventDisableTiming;
  s = dw::check(cudaEventCreateWithFlags(&h->event, flags), op, "device %d", device);
  if (s != DW_SUCCESS) {
    delete h;
    return s;
  }
  *out = h;
  return DW_SUCCESS;
}

dw_status dw_event_destroy(dw_event event) {
  if (event == nullptr) return DW_SUCCESS;
  dw_status s = dw::use_device(event->device, "cudaEventDestroy");
  if (s == DW_SUCCESS) s = dw::check(cudaEventDestroy(event->event), "cudaEventDestroy", "device %d", event->device);
  delete event;
  return s;
}

dw_status dw_event_record(dw_event event, dw_stream stream) {
  static const char* op = "cudaEventRecord";
  if (stream == nullptr || event == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "stream or event is null");
  if (stream->device != event->device) {
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "event of device %d recorded on a stream of device %d",
                    event->device, stream->device);
  }
  dw_status s = dw::use_device(stream->device, op);
  if (s != DW_SUCCESS) return s;
  return dw::check(cudaEventRecord(event->event, stream->stream), op, "device %d", stream->device);
}

dw_status dw_event_synchronize(dw_event event) {
  static const char* op = "cudaEventSynchronize";
  if (event == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "event is null");
  return dw::check(cudaEventSynchronize(event->event), op, "device %d", event->device);
}

dw_status dw_event_elapsed_ms(dw_event start, dw_event end, float* ms) {
  static const char* op = "cudaEventElapsedTime";
  if (start == nullptr || end == nullptr || ms == nullptr) {
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "null event or output");
  }
  *ms = 0.0f;
  return dw::check(cudaEventElapsedTime(ms, start->event, end->event), op, "device %d", start->device);
}

dw_status dw_stream_begin_capture(dw_stream stream) {
  static const char* op = "cudaStreamBeginCapture";
  if (stream == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "stream is null");
  dw_status s = dw::use_device(stream->device, op);
  if (s != DW_SUCCESS) return s;
  return dw::check(cudaStreamBeginCapture(stream->stream, cudaStreamCaptureModeThreadLocal), op, "device %d",
                   stream->device);
}

dw_status dw_stream_end_capture(dw_stream stream, dw_graph* out) {
  static const char* op = "cudaStreamEndCapture";
  if (stream == nullptr || out == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "stream or output is null");
  *out = nullptr;
  dw_status s = dw::use_device(stream->device, op);
  if (s != DW_SUCCESS) return s;
  cudaGraph_t graph = nullptr;
  s = dw::check(cudaStreamEndCapture(stream->stream, &graph), op, "device %d", stream->device);
  if (s != DW_SUCCESS) {
    if (graph != nullptr) (void)cudaGraphDestroy(graph);
    return s;
  }
  auto* h = new (std::nothrow) dw_graph_s{graph, stream->device};
  if (h == nullptr) {
    (void)cudaGraphDestroy(graph);
    return dw::fail(DW_ERROR_INTERNAL, op, "out of host memory");
  }
  *out = h;
  return DW_SUCCESS;
}

dw_status dw_graph_node_count(dw_graph graph, uint64_t* count) {
  static const char* op = "cudaGraphGetNodes";
  if (graph == nullptr || count == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "graph or output is null");
  size_t n = 0;
  dw_status s = dw::check(cudaGraphGetNodes(graph->graph, nullptr, &n), op, "counting nodes");
  *count = n;
  return s;
}

dw_status dw_graph_instantiate(dw_graph graph, dw_graph_exec* out) {
  static const char* op = "cudaGraphInstantiate";
  if (graph == nullptr || out == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "graph or output is null");
  *out = nullptr;
  dw_status s = dw::use_device(graph->device, op);
  if (s != DW_SUCCESS) return s;
  cudaGraphExec_t exec = nullptr;
  s = dw::check(cudaGraphInstantiate(&exec, graph->graph, 0), op, "device %d", graph->device);
  if (s != DW_SUCCESS) return s;
  auto* h = new (std::nothrow) dw_graph_exec_s{exec, graph->device};
  if (h == nullptr) {
    (void)cudaGraphExecDestroy(exec);
    return dw::fail(DW_ERROR_INTERNAL, op, "out of host memory");
  }
  *out = h;
  return DW_SUCCESS;
}

dw_status dw_graph_launch(dw_graph_exec exec, dw_stream stream) {
  static const char* op = "cudaGraphLaunch";
  if (exec == nullptr || stream == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "graph or stream is null");
  if (exec->device != stream->device) {
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "graph of device %d launched on a stream of device %d",
                    exec->device, stream->device);
  }
  dw_status s = dw::use_device(stream->device, op);
  if (s != DW_SUCCESS) return s;
  s = dw::check(cudaGraphLaunch(exec->exec, stream->stream), op, "device %d", stream->device);
  if (s != DW_SUCCESS || !dw::sync_mode()) return s;
  return dw::check(cudaStreamSynchronize(stream->stream), op, "DEEPWELL_SYNC=1: the graph failed on device %d",
                   stream->device);
}

dw_status dw_graph_destroy(dw_graph graph) {
  if (graph == nullptr) return DW_SUCCESS;
  dw_status s = dw::check(cudaGraphDestroy(graph->graph), "cudaGraphDestroy", "device %d", graph->device);
  delete graph;
  return s;
}

dw_status dw_graph_exec_destroy(dw_graph_exec exec) {
  if (exec == nullptr) return DW_SUCCESS;
  dw_status s = dw::check(cudaGraphExecDestroy(exec->exec), "cudaGraphExecDestroy", "device %d", exec->device);
  delete exec;
  return s;
}

}  // extern "C"
