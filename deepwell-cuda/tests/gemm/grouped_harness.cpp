// Standalone correctness and timing harness for the grouped GEMMs of deepwell/gemm_grouped.h.
//
//   grouped_harness --check            correctness suite (exit status 1 on any failure)
//   grouped_harness --bench            TFLOP/s on mixture-of-experts shapes
//   grouped_harness --check --bench --out DIR   both; JSON lines in DIR/grouped_results.jsonl
//   --quick: one benchmark shape
//
// Correctness: operands drawn with fixed seeds and quantized on the host (BF16, or FP8 E4M3 with
// 1x128 / 128x128 block scales in gemm_grouped.h's per-group layouts); every result is compared
// with an FP64 product of the *dequantized* operands, group by group with each group's own
// expert. D is poisoned (0xFF bytes, NaN in BF16 and FP32) before each run: an unwritten row
// fails, and the rows past sum M_g must still hold the poison afterwards (nothing writes there).
// Group sizes are ragged, include 0, and come from device memory (as MoE routing leaves them)
// or from the host. Also checked: sizes the device must clamp, a CUDA graph replayed after the
// device sizes changed, and argument errors.
//
// Timing: CUDA-graph replays of many calls, all contenders of a shape interleaved over 7
// shuffled rounds, median. Contenders: the grouped kernels, the same work as G dense GEMMs
// through dw_gemm_run (one per non-empty group), and one dense GEMM of all the rows (the upper
// bound: one large problem, no group boundaries). Benchmark group sizes are multiples of 4 so
// that every dense FP8 block128 GEMM of a group can run on CUTLASS (gemm.h needs M % 4 there).
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "deepwell/gemm.h"
#include "deepwell/gemm_grouped.h"
#include "harness_fp64.h"
#include "harness_support.h"
#include "host_formats.h"

using namespace dwtest;

namespace {

const char* input_name(dw_gemm_input in) { return in == DW_GEMM_IN_BF16 ? "bf16" : "fp8_block128"; }
const char* backend_name(dw_gemm_backend b) {
  static const char* names[] = {"auto", "cutlass_sm90", "cublaslt", "reference"};
  return names[b];
}
int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// ---------------------------------------------------------------------------------------------
// A grouped problem on the host: packed A, per-expert B, scales in gemm_grouped.h's layouts,
// and the dequantized values the kernels must multiply
// ---------------------------------------------------------------------------------------------

struct GroupedHost {
  dw_gemm_input input = DW_GEMM_IN_BF16;
  int groups = 0;
  int64_t n = 0, k = 0, total = 0;
  std::vector<int32_t> sizes;    // the effective M_g
  std::vector<int64_t> offsets;  // first row of each group
  std::vector<uint8_t> a, b;     // bytes as the device reads them
  std::vector<float> sa, sb;     // FP8 block128 scales (gemm_grouped.h layouts)
  std::vector<double> deq_a;     // [total, k]
  std::vector<double> deq_b;     // [groups, n, k]
};

double block_amax(const std::vector<float>& v, int64_t k, int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
  double m = 0;
  for (int64_t r = r0; r < r1; ++r)
    for (int64_t c = c0; c < c1; ++c) m = std::max(m, std::fabs(static_cast<double>(v[r * k + c])));
  return m;
}

GroupedHost make_grouped(dw_gemm_input in, const std::vector<int32_t>& sizes, int64_t n, int64_t k, uint64_t seed) {
  GroupedHost h;
  h.input = in;
  h.groups = static_cast<int>(sizes.size());
  h.n = n;
  h.k = k;
  h.sizes = sizes;
  h.offsets.resize(sizes.size());
  for (size_t g = 0; g < sizes.size(); ++g) {
    h.offsets[g] = h.total;
    h.total += sizes[g];
  }
  const std::vector<float> va = random_values(h.total, k, seed * 2 + 1);
  const std::vector<float> vb = random_values(h.groups * n, k, seed * 2 + 2);
  const int64_t ra = h.total * k, rb = h.groups * n * k;
  h.deq_a.resize(static_cast<size_t>(ra));
  h.deq_b.resize(static_cast<size_t>(rb));
  if (in == DW_GEMM_IN_BF16) {
    h.a.resize(static_cast<size_t>(ra * 2));
    h.b.resize(static_cast<size_t>(rb * 2));
    auto* pa = reinterpret_cast<uint16_t*>(h.a.data());
    auto* pb = reinterpret_cast<uint16_t*>(h.b.data());
    for (int64_t i = 0; i < ra; ++i) h.deq_a[i] = bf16_to_float(pa[i] = bf16_from_float(va[i]));
    for (int64_t i = 0; i < rb; ++i) h.deq_b[i] = bf16_to_float(pb[i] = bf16_from_float(vb[i]));
    return h;
  }
  const int64_t kb = ceil_div(k, 128), nb = ceil_div(n, 128);
  h.a.resize(static_cast<size_t>(ra));
  h.b.resize(static_cast<size_t>(rb));
  h.sa.resize(static_cast<size_t>(kb * h.total));
  h.sb.resize(static_cast<size_t>(h.groups * nb * kb));
  // A: one scale per row and 128 columns, stored in each group's [kb, M_g] block.
  for (int g = 0; g < h.groups; ++g) {
    const int64_t off = h.offsets[g], m = sizes[g];
    parallel_for(m, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i)
        for (int64_t bk = 0; bk < kb; ++bk) {
          const int64_t r = off + i, c0 = bk * 128, c1 = std::min(k, c0 + 128);
          const double am = block_amax(va, k, r, r + 1, c0, c1);
          const float s = static_cast<float>(am > 0 ? am / 448.0 : 1.0);
          h.sa[kb * off + bk * m + i] = s;
          for (int64_t c = c0; c < c1; ++c) {
            h.a[r * k + c] = e4m3_encode(va[r * k + c] / static_cast<double>(s));
            h.deq_a[r * k + c] = e4m3_decode(h.a[r * k + c]) * static_cast<double>(s);
          }
        }
    });
  }
  // B: one scale per 128x128 block of each expert.
  parallel_for(h.groups * nb, [&](int64_t lo, int64_t hi) {
    for (int64_t t = lo; t < hi; ++t) {
      const int64_t g = t / nb, bn = t % nb;
      for (int64_t bk = 0; bk < kb; ++bk) {
        const int64_t r0 = g * n + bn * 128, r1 = g * n + std::min(n, bn * 128 + 128);
        const int64_t c0 = bk * 128, c1 = std::min(k, c0 + 128);
        const double am = block_amax(vb, k, r0, r1, c0, c1);
        const float s = static_cast<float>(am > 0 ? am / 448.0 : 1.0);
        h.sb[(g * nb + bn) * kb + bk] = s;
        for (int64_t r = r0; r < r1; ++r)
          for (int64_t c = c0; c < c1; ++c) {
            h.b[r * k + c] = e4m3_encode(vb[r * k + c] / static_cast<double>(s));
            h.deq_b[r * k + c] = e4m3_decode(h.b[r * k + c]) * static_cast<double>(s);
          }
      }
    }
  });
  return h;
}

// The group of packed row `row` (< total): the last group starting at or before it (empty groups
// that start at the same row come before the one holding it).
int group_of(const GroupedHost& h, int64_t row) {
  return static_cast<int>(std::upper_bound(h.offsets.begin(), h.offsets.end(), row) - h.offsets.begin()) - 1;
}

// FP64 sums over k of deqA[row] * deqB[group of row][j] for the listed packed rows: acc[i * n + j].
std::vector<double> fp64_product(const GroupedHost& h, const std::vector<int64_t>& rows) {
  const int64_t n = h.n, k = h.k;
  std::vector<double> acc(rows.size() * static_cast<size_t>(n));
  parallel_for(static_cast<int64_t>(rows.size()) * n, [&](int64_t lo, int64_t hi) {
    for (int64_t t = lo; t < hi; ++t) {
      const int64_t i = t / n, j = t % n;
      const int64_t g = group_of(h, rows[i]);
      const double* pa = &h.deq_a[rows[i] * k];
      const double* pb = &h.deq_b[(g * n + j) * k];
      acc[t] = fp64_dot(pa, pb, k);
    }
  });
  return acc;
}

std::vector<int64_t> all_rows(const GroupedHost& h) {
  std::vector<int64_t> r(static_cast<size_t>(h.total));
  for (int64_t i = 0; i < h.total; ++i) r[i] = i;
  return r;
}

// ---------------------------------------------------------------------------------------------
// Epilogues, tolerances, comparison
// ---------------------------------------------------------------------------------------------

struct Epilogue {
  const char* label;
  dw_gemm_activation act;
  float alpha, out_scale;
  bool bias;
};

const Epilogue kPlain{"plain", DW_GEMM_ACT_NONE, 1.0f, 1.0f, false};
const Epilogue kBiasGelu{"alpha=0.5,bias,gelu,scale=1.25", DW_GEMM_ACT_GELU, 0.5f, 1.25f, true};
const Epilogue kBiasSilu{"bias,silu,scale=-2", DW_GEMM_ACT_SILU, 1.0f, -2.0f, true};

// As gemm_harness.cpp: BF16 output ~1.5e-3 RMS from the final rounding alone; FP32 output with
// BF16 tensor-core products a few 1e-6; FP8 with its 128-deep chunks summed in the tensor core's
// narrower accumulator before promotion ~1e-5..1e-4; the reference kernel's FP32 FMAs ~1e-6.
double tolerance(dw_gemm_input in, dw_gemm_output out, dw_gemm_backend backend) {
  if (out == DW_GEMM_OUT_BF16) return 4e-3;
  if (backend == DW_GEMM_BACKEND_REFERENCE) return 2e-5;
  return in == DW_GEMM_IN_BF16 ? 1e-4 : 1e-3;
}

// Bias [G, N] of the output type: bytes and the values they hold.
struct Bias {
  std::vector<uint8_t> bytes;
  std::vector<double> values;
};

Bias make_bias(dw_gemm_output out, size_t count, uint64_t seed) {
  Bias b;
  output_typed_random(out, count, seed, b.bytes, b.values);
  return b;
}

// Expected D of every row from the FP64 accumulators.
std::vector<double> expected(const GroupedHost& h, const std::vector<double>& acc, const Epilogue& e, const Bias* bias) {
  std::vector<double> ref(acc.size());
  parallel_for(h.total, [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const int64_t g = group_of(h, r);
      for (int64_t j = 0; j < h.n; ++j) {
        double y = static_cast<double>(e.alpha) * acc[r * h.n + j];
        if (e.bias) y += bias->values[g * h.n + j];
        ref[r * h.n + j] = static_cast<double>(e.out_scale) * activate(y, e.act);
      }
    }
  });
  return ref;
}

// ---------------------------------------------------------------------------------------------
// One grouped problem on the device
// ---------------------------------------------------------------------------------------------

struct GroupedDevice {
  DevPtr a, b, sa, sb, sizes;
};

// Buffers of at least `rows` rows of A (and its scales), so that other sizes of the same total
// can be copied in later (graph_replay).
GroupedDevice to_device(const GroupedHost& h, int64_t rows = 0) {
  GroupedDevice d;
  const size_t esz = h.input == DW_GEMM_IN_BF16 ? 2 : 1;
  const int64_t kb = ceil_div(h.k, 128);
  d.a = dev_alloc(std::max(h.a.size(), static_cast<size_t>(rows * h.k) * esz));
  if (!h.a.empty()) CK(cudaMemcpy(d.a.get(), h.a.data(), h.a.size(), cudaMemcpyHostToDevice));
  d.b = upload(h.b.data(), h.b.size());
  if (h.input == DW_GEMM_IN_FP8_BLOCK128) {  // scales are required even when every group is empty
    d.sa = dev_alloc(std::max(h.sa.size(), static_cast<size_t>(rows * kb)) * 4);
    if (!h.sa.empty()) CK(cudaMemcpy(d.sa.get(), h.sa.data(), h.sa.size() * 4, cudaMemcpyHostToDevice));
    d.sb = upload(h.sb.data(), h.sb.size() * 4);
  }
  d.sizes = upload(h.sizes.data(), h.sizes.size() * 4);
  return d;
}

enum class SizeSource { kDevice, kHost };

struct RunResult {
  dw_status status = DW_SUCCESS;
  std::string message, kernel;
  Compare cmp;
  bool tail_untouched = true;  // rows past sum M_g still hold the poison
  int32_t clamped = -1;        // the run's sizes_clamped flag
};

dw_gemm_grouped_desc make_desc(const GroupedHost& h, int64_t max_total_m, const Epilogue& e, dw_gemm_output out) {
  dw_gemm_grouped_desc d{};
  d.groups = h.groups;
  d.has_bias = e.bias;
  d.max_total_m = max_total_m;
  d.n = h.n;
  d.k = h.k;
  d.input = h.input;
  d.output = out;
  d.activation = e.act;
  d.alpha = e.alpha;
  d.out_scale = e.out_scale;
  return d;
}

// Plans, runs once with D poisoned, and compares every row (and the untouched tail).
// `device_sizes` overrides the sizes the device reads (for the clamping test).
RunResult run_and_compare(const GroupedHost& h, const GroupedDevice& dd, int64_t max_total_m, dw_gemm_backend backend,
                          int variant, const Epilogue& e, dw_gemm_output out, SizeSource src,
                          const std::vector<double>& ref, const Bias* bias, const void* device_sizes = nullptr) {
  RunResult r;
  const dw_gemm_grouped_desc desc = make_desc(h, max_total_m, e, out);
  dw_gemm_grouped_plan_info plan{};
  r.status = dw_gemm_grouped_plan(0, &desc, backend, variant, &plan);
  if (r.status != DW_SUCCESS) {
    r.message = last_error();
    return r;
  }
  r.kernel = plan.name;
  DevPtr ws = dev_alloc(plan.workspace_bytes);
  const size_t esz = out == DW_GEMM_OUT_F32 ? 4 : 2;
  const size_t d_bytes = static_cast<size_t>(std::max<int64_t>(max_total_m, 1) * h.n) * esz;
  DevPtr d = dev_alloc(d_bytes);
  CK(cudaMemset(d.get(), 0xFF, d_bytes));
  DevPtr dbias = bias ? upload(bias->bytes.data(), bias->bytes.size()) : nullptr;
  DevPtr flag = dev_alloc(4);
  CK(cudaMemset(flag.get(), 0x55, 4));  // neither 0 nor 1: the run must write it
  dw_gemm_grouped_args args{};
  args.a = dd.a.get();
  args.b = dd.b.get();
  args.d = d.get();
  args.scale_a = static_cast<const float*>(dd.sa.get());
  args.scale_b = static_cast<const float*>(dd.sb.get());
  args.bias = e.bias ? dbias.get() : nullptr;
  if (src == SizeSource::kDevice)
    args.group_m = static_cast<const int32_t*>(device_sizes ? device_sizes : dd.sizes.get());
  else
    args.group_m_host = h.sizes.data();
  args.sizes_clamped = static_cast<int32_t*>(flag.get());
  r.status = dw_gemm_grouped_run(&desc, &args, &plan, ws.get(), plan.workspace_bytes, nullptr);
  if (r.status != DW_SUCCESS) {
    r.message = last_error();
    return r;
  }
  const cudaError_t sync = cudaDeviceSynchronize();
  if (sync != cudaSuccess) {
    r.status = static_cast<dw_status>(sync);
    r.message = std::string("after the run: ") + cudaGetErrorString(sync);
    return r;
  }
  std::vector<uint8_t> raw(d_bytes);
  CK(cudaMemcpy(raw.data(), d.get(), d_bytes, cudaMemcpyDeviceToHost));
  CK(cudaMemcpy(&r.clamped, flag.get(), 4, cudaMemcpyDeviceToHost));
  const size_t written = static_cast<size_t>(h.total * h.n);
  r.cmp = compare(to_doubles(raw.data(), out, written), ref);
  for (size_t i = written * esz; i < static_cast<size_t>(max_total_m * h.n) * esz; ++i)
    if (raw[i] != 0xFF) {
      r.tail_untouched = false;
      break;
    }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Correctness suite
// ---------------------------------------------------------------------------------------------

struct Tally {
  int pass = 0, fail = 0, unsupported = 0;
  std::vector<std::string> failures;
};

bool cutlass_must_support(bool sm90, dw_gemm_input in, int64_t n, int64_t k, dw_gemm_output out) {
  if (!sm90) return false;
  const int64_t align_ab = in == DW_GEMM_IN_BF16 ? 8 : 16, align_d = out == DW_GEMM_OUT_F32 ? 4 : 8;
  return k % align_ab == 0 && n % align_d == 0;
}

void record(Tally& t, const GroupedHost& h, const char* label, int64_t max_total_m, dw_gemm_backend b, int variant,
            const Epilogue& e, dw_gemm_output out, SizeSource src, const RunResult& r, bool must,
            int32_t want_clamped) {
  const double tol = tolerance(h.input, out, b);
  const char* outn = out == DW_GEMM_OUT_F32 ? "f32" : "bf16";
  const char* verdict;
  std::string why;
  if (r.status == DW_SUCCESS) {
    const bool values = r.cmp.bad == 0 && r.cmp.rel <= tol;
    if (!values) why = "values";
    if (!r.tail_untouched) why += " wrote-past-sum-M";
    if (r.clamped != want_clamped) why += " flag=" + std::to_string(r.clamped);
    verdict = why.empty() ? "PASS" : "FAIL";
  } else if (r.status == DW_ERROR_GEMM_UNSUPPORTED && !must) {
    verdict = "unsupported";
  } else {
    verdict = "FAIL";
    why = r.message;
  }
  if (std::strcmp(verdict, "PASS") == 0) ++t.pass;
  else if (std::strcmp(verdict, "FAIL") == 0) ++t.fail;
  else ++t.unsupported;
  char line[640];
  std::snprintf(line, sizeof line,
                "%-11s %-12s %-18s G=%-3d total=%-5" PRId64 " (max %-5" PRId64 ") N=%-4" PRId64 " K=%-4" PRId64
                " %-4s %-30s %-12s v%-2d %-6s %-52s rel=%.2e tol=%.0e bad=%" PRId64 " %s",
                verdict, input_name(h.input), label, h.groups, h.total, max_total_m, h.n, h.k, outn, e.label,
                backend_name(b), variant, src == SizeSource::kDevice ? "dev" : "host", r.kernel.c_str(), r.cmp.rel,
                tol, r.cmp.bad, why.c_str());
  std::printf("%s\n", line);
  if (std::strcmp(verdict, "FAIL") == 0) t.failures.push_back(line);
  json("{\"kind\":\"grouped_check\",\"verdict\":\"%s\",\"input\":\"%s\",\"case\":\"%s\",\"groups\":%d,\"total_m\":%" PRId64
       ",\"max_total_m\":%" PRId64 ",\"n\":%" PRId64 ",\"k\":%" PRId64 ",\"out\":\"%s\",\"epilogue\":\"%s\","
       "\"backend\":\"%s\",\"variant\":%d,\"sizes\":\"%s\",\"kernel\":\"%s\",\"rel\":%.3e,\"tol\":%.1e,\"bad\":%" PRId64
       ",\"status\":\"%s\"}",
       verdict, input_name(h.input), label, h.groups, h.total, max_total_m, h.n, h.k, outn, e.label, backend_name(b),
       variant, src == SizeSource::kDevice ? "device" : "host", r.kernel.c_str(), r.cmp.rel, tol, r.cmp.bad,
       status_name(r.status));
}

struct BackendVariant {
  dw_gemm_backend backend;
  int variant;
};

std::vector<BackendVariant> backends_for(dw_gemm_input in) {
  std::vector<BackendVariant> v;
  const int n = dw_gemm_grouped_variant_count(DW_GEMM_BACKEND_CUTLASS_SM90, in);
  for (int i = 0; i < n; ++i) v.push_back({DW_GEMM_BACKEND_CUTLASS_SM90, i});
  v.push_back({DW_GEMM_BACKEND_REFERENCE, -1});
  v.push_back({DW_GEMM_BACKEND_AUTO, -1});
  return v;
}

// Ragged sizes in [0, max_m] with about a quarter of the groups empty.
std::vector<int32_t> random_sizes(int groups, int max_m, uint64_t seed) {
  Rng rng(seed);
  std::vector<int32_t> s(static_cast<size_t>(groups));
  for (auto& v : s) v = rng.next() % 4 == 0 ? 0 : static_cast<int32_t>(1 + rng.next() % static_cast<uint64_t>(max_m));
  return s;
}

// API misuse must be refused with INVALID_ARGUMENT and a message naming the field.
void check_argument_validation(Tally& t, bool sm90) {
  auto expect = [&](const char* what, dw_status got, dw_status want, const char* needle) {
    const std::string msg = last_error();
    const bool ok = got == want && msg.find(needle) != std::string::npos;
    std::printf("%-11s api: %-48s -> %s \"%s\"\n", ok ? "PASS" : "FAIL", what, status_name(got), msg.c_str());
    ok ? ++t.pass : ++t.fail;
    if (!ok) t.failures.push_back(std::string("api: ") + what);
    json("{\"kind\":\"grouped_check\",\"verdict\":\"%s\",\"case\":\"api: %s\"}", ok ? "PASS" : "FAIL", what);
  };
  dw_gemm_grouped_desc d{};
  d.groups = 4;
  d.max_total_m = 64;
  d.n = 64;
  d.k = 64;
  d.alpha = 1;
  d.out_scale = 1;
  dw_gemm_grouped_plan_info plan{};
  dw_gemm_grouped_desc bad = d;
  bad.groups = 0;
  expect("groups = 0", dw_gemm_grouped_plan(0, &bad, DW_GEMM_BACKEND_AUTO, -1, &plan), DW_ERROR_INVALID_ARGUMENT,
         "desc.groups");
  bad = d;
  bad.k = 0;
  expect("k = 0", dw_gemm_grouped_plan(0, &bad, DW_GEMM_BACKEND_AUTO, -1, &plan), DW_ERROR_INVALID_ARGUMENT,
         "desc.k");
  bad = d;
  bad.max_total_m = -1;
  expect("max_total_m = -1", dw_gemm_grouped_plan(0, &bad, DW_GEMM_BACKEND_AUTO, -1, &plan),
         DW_ERROR_INVALID_ARGUMENT, "desc.max_total_m");
  bad = d;
  bad.input = DW_GEMM_IN_MXFP8;
  expect("input = MXFP8", dw_gemm_grouped_plan(0, &bad, DW_GEMM_BACKEND_AUTO, -1, &plan), DW_ERROR_INVALID_ARGUMENT,
         "desc.input");
  expect("cuBLASLt backend", dw_gemm_grouped_plan(0, &d, DW_GEMM_BACKEND_CUBLASLT, -1, &plan),
         DW_ERROR_GEMM_UNSUPPORTED, "no grouped GEMM");
  expect("null desc", dw_gemm_grouped_plan(0, nullptr, DW_GEMM_BACKEND_AUTO, -1, &plan), DW_ERROR_INVALID_ARGUMENT,
         "desc");
  plan = dw_gemm_grouped_plan_info{};
  if (dw_gemm_grouped_plan(0, &d, DW_GEMM_BACKEND_REFERENCE, -1, &plan) != DW_SUCCESS) {
    expect("reference plan", DW_ERROR_INTERNAL, DW_SUCCESS, "");
    return;
  }
  DevPtr buf = dev_alloc(64 * 64 * 4 * 4);
  DevPtr ws = dev_alloc(plan.workspace_bytes);
  DevPtr dsizes = dev_alloc(16);
  const int32_t host_sizes[4] = {10, 0, 20, 30};
  dw_gemm_grouped_args args{};
  args.a = buf.get();
  args.b = buf.get();
  args.d = buf.get();
  expect("no group sizes", dw_gemm_grouped_run(&d, &args, &plan, ws.get(), plan.workspace_bytes, nullptr),
         DW_ERROR_INVALID_ARGUMENT, "neither");
  args.group_m = static_cast<const int32_t*>(dsizes.get());
  args.group_m_host = host_sizes;
  expect("both group sizes", dw_gemm_grouped_run(&d, &args, &plan, ws.get(), plan.workspace_bytes, nullptr),
         DW_ERROR_INVALID_ARGUMENT, "both");
  args.group_m = nullptr;
  const int32_t negative[4] = {10, -1, 20, 30};
  args.group_m_host = negative;
  expect("negative host size", dw_gemm_grouped_run(&d, &args, &plan, ws.get(), plan.workspace_bytes, nullptr),
         DW_ERROR_INVALID_ARGUMENT, "group_m_host[1]");
  const int32_t too_many[4] = {10, 40, 20, 30};
  args.group_m_host = too_many;
  expect("host sizes above max_total_m", dw_gemm_grouped_run(&d, &args, &plan, ws.get(), plan.workspace_bytes, nullptr),
         DW_ERROR_INVALID_ARGUMENT, "max_total_m");
  args.group_m_host = host_sizes;
  args.a = nullptr;
  expect("null args.a", dw_gemm_grouped_run(&d, &args, &plan, ws.get(), plan.workspace_bytes, nullptr),
         DW_ERROR_INVALID_ARGUMENT, "args.a");
  args.a = static_cast<const char*>(buf.get()) + 8;
  expect("misaligned args.a", dw_gemm_grouped_run(&d, &args, &plan, ws.get(), plan.workspace_bytes, nullptr),
         DW_ERROR_INVALID_ARGUMENT, "16-byte");
  args.a = buf.get();
  expect("workspace too small", dw_gemm_grouped_run(&d, &args, &plan, ws.get(), plan.workspace_bytes - 1, nullptr),
         DW_ERROR_INVALID_ARGUMENT, "workspace_bytes");
  dw_gemm_grouped_desc other = d;
  other.groups = 5;
  expect("plan of another problem", dw_gemm_grouped_run(&other, &args, &plan, ws.get(), plan.workspace_bytes, nullptr),
         DW_ERROR_INVALID_ARGUMENT, "another problem");
  dw_gemm_grouped_desc with_bias = d;
  with_bias.has_bias = 1;
  expect("has_bias, plan without", dw_gemm_grouped_run(&with_bias, &args, &plan, ws.get(), plan.workspace_bytes,
                                                        nullptr),
         DW_ERROR_INVALID_ARGUMENT, "another problem");
  dw_gemm_grouped_plan_info bias_plan{};
  if (dw_gemm_grouped_plan(0, &with_bias, DW_GEMM_BACKEND_REFERENCE, -1, &bias_plan) == DW_SUCCESS)
    expect("has_bias without bias", dw_gemm_grouped_run(&with_bias, &args, &bias_plan, ws.get(), plan.workspace_bytes,
                                                        nullptr),
           DW_ERROR_INVALID_ARGUMENT, "args.bias");
  args.bias = buf.get();
  expect("bias without has_bias", dw_gemm_grouped_run(&d, &args, &plan, ws.get(), plan.workspace_bytes, nullptr),
         DW_ERROR_INVALID_ARGUMENT, "args.bias");
  args.bias = nullptr;
  args.scale_a = static_cast<const float*>(buf.get());
  expect("scales with BF16", dw_gemm_grouped_run(&d, &args, &plan, ws.get(), plan.workspace_bytes, nullptr),
         DW_ERROR_INVALID_ARGUMENT, "args.scale_a");
  args.scale_a = nullptr;
  dw_gemm_grouped_desc fp8 = d;
  fp8.input = DW_GEMM_IN_FP8_BLOCK128;
  dw_gemm_grouped_plan_info fp8_plan{};
  if (dw_gemm_grouped_plan(0, &fp8, DW_GEMM_BACKEND_REFERENCE, -1, &fp8_plan) == DW_SUCCESS)
    expect("FP8 without scales", dw_gemm_grouped_run(&fp8, &args, &fp8_plan, ws.get(), plan.workspace_bytes, nullptr),
           DW_ERROR_INVALID_ARGUMENT, "args.scale_a");
  if (sm90) {
    dw_gemm_grouped_desc k100 = d;
    k100.k = 100;  // 200-byte rows: TMA cannot read them
    expect("cutlass k % 8 != 0", dw_gemm_grouped_plan(0, &k100, DW_GEMM_BACKEND_CUTLASS_SM90, -1, &plan),
           DW_ERROR_GEMM_UNSUPPORTED, "k=100");
    expect("cutlass variant out of range", dw_gemm_grouped_plan(0, &d, DW_GEMM_BACKEND_CUTLASS_SM90, 9, &plan),
           DW_ERROR_INVALID_ARGUMENT, "variant=9");
  }
}

// A CUDA graph captured with device sizes S1 and replayed after the device sizes (and the
// operands for them) were overwritten with S2: the device-side setup must pick up S2.
RunResult graph_replay(dw_gemm_input in, dw_gemm_backend backend, uint64_t seed) {
  RunResult r;
  const int64_t n = 264, k = 384, max_total_m = 400;
  const std::vector<int32_t> s1 = {50, 0, 33, 70, 0, 5, 90, 41}, s2 = {0, 120, 7, 0, 64, 64, 1, 99};
  GroupedHost h1 = make_grouped(in, s1, n, k, seed), h2 = make_grouped(in, s2, n, k, seed + 1);
  GroupedDevice dd = to_device(h1, max_total_m);
  const dw_gemm_grouped_desc desc = make_desc(h1, max_total_m, kPlain, DW_GEMM_OUT_F32);
  dw_gemm_grouped_plan_info plan{};
  r.status = dw_gemm_grouped_plan(0, &desc, backend, -1, &plan);
  if (r.status != DW_SUCCESS) {
    r.message = last_error();
    return r;
  }
  r.kernel = plan.name;
  DevPtr ws = dev_alloc(plan.workspace_bytes);
  const size_t d_bytes = static_cast<size_t>(max_total_m * n * 4);
  DevPtr d = dev_alloc(d_bytes);
  DevPtr flag = dev_alloc(4);
  dw_gemm_grouped_args args{};
  args.a = dd.a.get();
  args.b = dd.b.get();
  args.d = d.get();
  args.scale_a = static_cast<const float*>(dd.sa.get());
  args.scale_b = static_cast<const float*>(dd.sb.get());
  args.group_m = static_cast<const int32_t*>(dd.sizes.get());
  args.sizes_clamped = static_cast<int32_t*>(flag.get());
  cudaStream_t stream;
  CK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  cudaGraph_t graph = nullptr;
  cudaGraphExec_t exec = nullptr;
  CK(cudaStreamBeginCapture(stream, cudaStreamCaptureModeRelaxed));
  r.status = dw_gemm_grouped_run(&desc, &args, &plan, ws.get(), plan.workspace_bytes, stream);
  const cudaError_t end = cudaStreamEndCapture(stream, &graph);
  if (r.status != DW_SUCCESS || end != cudaSuccess) {
    r.message = r.status != DW_SUCCESS ? last_error() : std::string("capture: ") + cudaGetErrorString(end);
    if (r.status == DW_SUCCESS) r.status = static_cast<dw_status>(end);
    if (graph) cudaGraphDestroy(graph);
    cudaStreamDestroy(stream);
    return r;
  }
  CK(cudaGraphInstantiate(&exec, graph, 0));
  // Same buffers, new sizes and operands for them.
  CK(cudaMemcpy(const_cast<void*>(args.a), h2.a.data(), h2.a.size(), cudaMemcpyHostToDevice));
  CK(cudaMemcpy(const_cast<void*>(args.b), h2.b.data(), h2.b.size(), cudaMemcpyHostToDevice));
  if (!h2.sa.empty()) CK(cudaMemcpy(dd.sa.get(), h2.sa.data(), h2.sa.size() * 4, cudaMemcpyHostToDevice));
  if (!h2.sb.empty()) CK(cudaMemcpy(dd.sb.get(), h2.sb.data(), h2.sb.size() * 4, cudaMemcpyHostToDevice));
  CK(cudaMemcpy(dd.sizes.get(), s2.data(), s2.size() * 4, cudaMemcpyHostToDevice));
  CK(cudaMemset(d.get(), 0xFF, d_bytes));
  CK(cudaGraphLaunch(exec, stream));
  CK(cudaStreamSynchronize(stream));
  std::vector<uint8_t> raw(d_bytes);
  CK(cudaMemcpy(raw.data(), d.get(), d_bytes, cudaMemcpyDeviceToHost));
  CK(cudaMemcpy(&r.clamped, flag.get(), 4, cudaMemcpyDeviceToHost));
  const std::vector<double> ref = expected(h2, fp64_product(h2, all_rows(h2)), kPlain, nullptr);
  r.cmp = compare(to_doubles(raw.data(), DW_GEMM_OUT_F32, static_cast<size_t>(h2.total * n)), ref);
  for (size_t i = static_cast<size_t>(h2.total * n * 4); i < d_bytes; ++i)
    if (raw[i] != 0xFF) {
      r.tail_untouched = false;
      break;
    }
  CK(cudaGraphExecDestroy(exec));
  CK(cudaGraphDestroy(graph));
  CK(cudaStreamDestroy(stream));
  return r;
}

int run_checks(bool sm90) {
  Tally t;
  check_argument_validation(t, sm90);
  struct Case {
    const char* label;
    int groups;
    int max_m;         // sizes drawn in [0, max_m]
    int64_t n, k;
    int64_t slack;     // max_total_m - sum M_g
    bool epilogues;    // all epilogues and both outputs, host sizes too
  };
  uint64_t seed = 1;
  for (dw_gemm_input in : {DW_GEMM_IN_BF16, DW_GEMM_IN_FP8_BLOCK128}) {
    const bool fp8 = in == DW_GEMM_IN_FP8_BLOCK128;
    const std::vector<Case> cases = {
        {"G=1", 1, 300, 264, 384, 0, false},
        {"G=4-ragged", 4, 150, 264, 384, 13, true},
        {"G=8-ragged", 8, 200, 200, fp8 ? 272 : 264, 40, true},  // K: 2 full + 1 partial scale block (FP8)
        {"G=64-small", 64, 40, 264, 384, 7, false},
        {"G=8-all-empty", 8, 0, 264, 384, 64, false},
        {"ref-only-NK", 4, 100, 100, fp8 ? 136 : 100, 5, false},  // CUTLASS refuses: 16-byte rows
    };
    for (const Case& c : cases) {
      const std::vector<int32_t> sizes = random_sizes(c.groups, std::max(c.max_m, 1), seed * 7919);
      std::vector<int32_t> used = sizes;
      if (c.max_m == 0) std::fill(used.begin(), used.end(), 0);
      if (c.groups == 1) used[0] = c.max_m;                   // one non-empty group, not a tile multiple
      if (c.groups == 64) used[0] = used[63] = 0, used[1] = 1;  // empty first and last, a one-row group
      const GroupedHost h = make_grouped(in, used, c.n, c.k, seed++);
      const GroupedDevice dd = to_device(h);
      const int64_t max_total_m = h.total + c.slack;
      const std::vector<double> acc = fp64_product(h, all_rows(h));
      std::vector<const Epilogue*> epis = {&kPlain};
      if (c.epilogues) epis = {&kPlain, &kBiasGelu, &kBiasSilu};
      for (const Epilogue* e : epis) {
        for (dw_gemm_output out : {DW_GEMM_OUT_BF16, DW_GEMM_OUT_F32}) {
          if (e == &kBiasSilu && out == DW_GEMM_OUT_BF16) continue;
          if (e == &kBiasGelu && out == DW_GEMM_OUT_F32) continue;
          const Bias bias = make_bias(out, static_cast<size_t>(h.groups * h.n), 99);
          const std::vector<double> ref = expected(h, acc, *e, &bias);
          for (const auto& bv : backends_for(in)) {
            const bool must = bv.backend != DW_GEMM_BACKEND_CUTLASS_SM90 ||
                              cutlass_must_support(sm90, in, h.n, h.k, out);
            std::vector<SizeSource> srcs = {SizeSource::kDevice};
            if (c.epilogues && e == &kPlain) srcs.push_back(SizeSource::kHost);
            for (SizeSource src : srcs) {
              const RunResult r = run_and_compare(h, dd, max_total_m, bv.backend, bv.variant, *e, out, src, ref, &bias);
              record(t, h, c.label, max_total_m, bv.backend, bv.variant, *e, out, src, r, must, 0);
            }
          }
        }
      }
    }
    // Device sizes the setup must clamp: a negative size counts as 0 and the rows stop at
    // max_total_m (group 2 is cut from 70 to 60 rows, group 3 is dropped). The flag reads 1.
    {
      const std::vector<int32_t> raw = {40, -5, 70, 50};
      const std::vector<int32_t> effective = {40, 0, 60, 0};
      const GroupedHost h = make_grouped(in, effective, 264, 384, seed++);
      const GroupedDevice dd = to_device(h);
      DevPtr raw_sizes = upload(raw.data(), raw.size() * 4);
      const std::vector<double> ref = expected(h, fp64_product(h, all_rows(h)), kPlain, nullptr);
      for (const auto& bv : backends_for(in)) {
        const RunResult r = run_and_compare(h, dd, 100, bv.backend, bv.variant, kPlain, DW_GEMM_OUT_F32,
                                            SizeSource::kDevice, ref, nullptr, raw_sizes.get());
        record(t, h, "clamped-sizes", 100, bv.backend, bv.variant, kPlain, DW_GEMM_OUT_F32, SizeSource::kDevice, r,
               bv.backend != DW_GEMM_BACKEND_CUTLASS_SM90 || sm90, 1);
      }
    }
    // A graph replayed after the device sizes changed.
    for (dw_gemm_backend b : {DW_GEMM_BACKEND_AUTO, DW_GEMM_BACKEND_REFERENCE}) {
      const RunResult r = graph_replay(in, b, seed++);
      GroupedHost label_host;
      label_host.input = in;
      label_host.groups = 8;
      label_host.n = 264;
      label_host.k = 384;
      label_host.total = 355;
      record(t, label_host, "graph-replay-new-sizes", 400, b, -1, kPlain, DW_GEMM_OUT_F32, SizeSource::kDevice, r,
             true, 0);
    }
  }
  std::printf("\nGROUPED CHECK SUMMARY: %d passed, %d failed, %d refused as unsupported (allowed)\n", t.pass, t.fail,
              t.unsupported);
  for (const auto& f : t.failures) std::printf("  %s\n", f.c_str());
  json("{\"kind\":\"grouped_check_summary\",\"pass\":%d,\"fail\":%d,\"unsupported\":%d}", t.pass, t.fail,
       t.unsupported);
  return t.fail == 0 ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------
// Benchmark
// ---------------------------------------------------------------------------------------------

// One timed contender: a CUDA graph of `iters` repetitions of `call`.
struct Contender {
  std::string label, kernel;
  std::function<dw_status(cudaStream_t)> call;
  int iters = 0;
  cudaGraphExec_t exec = nullptr;
  std::vector<float> ms;
  bool checked = true;  // whether its output is compared with FP64
};

bool prepare(Contender& c, cudaStream_t stream) {
  for (int i = 0; i < 2; ++i)
    if (c.call(stream) != DW_SUCCESS) return false;
  cudaEvent_t e0, e1;
  CK(cudaEventCreate(&e0));
  CK(cudaEventCreate(&e1));
  CK(cudaEventRecord(e0, stream));
  for (int i = 0; i < 3; ++i) c.call(stream);
  CK(cudaEventRecord(e1, stream));
  CK(cudaEventSynchronize(e1));
  float est = 0;
  CK(cudaEventElapsedTime(&est, e0, e1));
  CK(cudaEventDestroy(e0));
  CK(cudaEventDestroy(e1));
  c.iters = std::max(3, std::min(200, static_cast<int>(std::ceil(15.0 / std::max(est / 3, 1e-3f)))));
  cudaGraph_t graph = nullptr;
  bool ok = cudaStreamBeginCapture(stream, cudaStreamCaptureModeRelaxed) == cudaSuccess;
  for (int i = 0; ok && i < c.iters; ++i) ok = c.call(stream) == DW_SUCCESS;
  if (cudaStreamEndCapture(stream, &graph) != cudaSuccess || graph == nullptr) ok = false;
  if (ok) ok = cudaGraphInstantiate(&c.exec, graph, 0) == cudaSuccess;
  if (graph) cudaGraphDestroy(graph);
  if (!ok) {
    (void)cudaGetLastError();
    std::printf("  %s: graph capture failed (%s); timed eagerly\n", c.label.c_str(), last_error().c_str());
    c.exec = nullptr;
  }
  return true;
}

void launch(Contender& c, cudaStream_t stream) {
  if (c.exec) CK(cudaGraphLaunch(c.exec, stream));
  else
    for (int i = 0; i < c.iters; ++i) c.call(stream);
}

// Group sizes summing to `total`, multiples of 4, spread like a router's (log-normal loads).
std::vector<int32_t> moe_sizes(int groups, int64_t total, uint64_t seed) {
  Rng rng(seed);
  std::vector<double> w(static_cast<size_t>(groups));
  double sum = 0;
  for (auto& x : w) sum += (x = std::exp(0.5 * rng.normal()));
  std::vector<int32_t> s(static_cast<size_t>(groups));
  int64_t used = 0;
  for (int g = 0; g < groups; ++g) used += (s[g] = static_cast<int32_t>(std::floor(total * w[g] / sum / 4) * 4));
  s[0] += static_cast<int32_t>(total - used);
  return s;
}

void run_bench(bool quick) {
  struct BenchCase {
    int groups;
    int64_t total, n, k;
  };
  std::vector<BenchCase> cases = {{8, 16384, 4096, 768}, {8, 16384, 768, 2048}, {64, 16384, 4096, 768},
                                  {64, 16384, 768, 2048}};
  if (quick) cases.resize(1);
  constexpr int kRounds = 7;
  cudaStream_t stream;
  CK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  uint64_t seed = 5000;
  struct Row {
    BenchCase c;
    dw_gemm_input in;
    std::string label;
    double tflops;
  };
  std::vector<Row> table;
  for (const BenchCase& bc : cases) {
    const std::vector<int32_t> sizes = moe_sizes(bc.groups, bc.total, seed++);
    for (dw_gemm_input in : {DW_GEMM_IN_BF16, DW_GEMM_IN_FP8_BLOCK128}) {
      const GroupedHost h = make_grouped(in, sizes, bc.n, bc.k, seed++);
      const GroupedDevice dd = to_device(h);
      const size_t d_bytes = static_cast<size_t>(bc.total * bc.n * 2);
      DevPtr d = dev_alloc(d_bytes);
      std::vector<Contender> cands;
      std::vector<DevPtr> keep;  // workspaces
      // Grouped: the plan's choice and every configuration, device sizes.
      dw_gemm_grouped_desc gdesc = make_desc(h, bc.total, kPlain, DW_GEMM_OUT_BF16);
      struct Want {
        dw_gemm_backend backend;
        int variant;
        std::string label;
      };
      std::vector<Want> wants = {{DW_GEMM_BACKEND_CUTLASS_SM90, -1, "grouped(auto)"}};
      const int nv = dw_gemm_grouped_variant_count(DW_GEMM_BACKEND_CUTLASS_SM90, in);
      for (int v = 0; v < nv; ++v) wants.push_back({DW_GEMM_BACKEND_CUTLASS_SM90, v, "grouped(v" + std::to_string(v) + ")"});
      for (const Want& w : wants) {
        auto plan = std::make_shared<dw_gemm_grouped_plan_info>();
        if (dw_gemm_grouped_plan(0, &gdesc, w.backend, w.variant, plan.get()) != DW_SUCCESS) {
          std::printf("bench %s %s: plan refused: %s\n", input_name(in), w.label.c_str(), last_error().c_str());
          continue;
        }
        keep.push_back(dev_alloc(plan->workspace_bytes));
        void* ws = keep.back().get();
        auto args = std::make_shared<dw_gemm_grouped_args>();
        args->a = dd.a.get();
        args->b = dd.b.get();
        args->d = d.get();
        args->scale_a = static_cast<const float*>(dd.sa.get());
        args->scale_b = static_cast<const float*>(dd.sb.get());
        args->group_m = static_cast<const int32_t*>(dd.sizes.get());
        Contender c;
        c.label = std::string(input_name(in)) + " " + w.label;
        c.kernel = plan->name;
        c.call = [gdesc, plan, args, ws](cudaStream_t s) {
          return dw_gemm_grouped_run(&gdesc, args.get(), plan.get(), ws, plan->workspace_bytes, s);
        };
        cands.push_back(std::move(c));
      }
      // G dense GEMMs through dw_gemm_run (the plan's choice per group).
      {
        auto plans = std::make_shared<std::vector<std::pair<dw_gemm_desc, dw_gemm_plan_info>>>();
        auto argv = std::make_shared<std::vector<dw_gemm_args>>();
        size_t ws_max = 0;
        bool ok = true;
        const int64_t kb = ceil_div(bc.k, 128), nb = ceil_div(bc.n, 128);
        const size_t esz = in == DW_GEMM_IN_BF16 ? 2 : 1;
        std::string kernels;
        for (int g = 0; g < bc.groups && ok; ++g) {
          if (sizes[g] == 0) continue;
          dw_gemm_desc dd_desc{};
          dd_desc.m = sizes[g];
          dd_desc.n = bc.n;
          dd_desc.k = bc.k;
          dd_desc.input = in;
          dd_desc.output = DW_GEMM_OUT_BF16;
          dd_desc.alpha = 1;
          dd_desc.out_scale = 1;
          dw_gemm_plan_info p{};
          ok = dw_gemm_plan(0, &dd_desc, DW_GEMM_BACKEND_AUTO, -1, &p) == DW_SUCCESS;
          if (!ok) break;
          if (kernels.find(p.name) == std::string::npos) kernels += std::string(kernels.empty() ? "" : "+") + p.name;
          ws_max = std::max<size_t>(ws_max, p.workspace_bytes);
          plans->push_back({dd_desc, p});
          dw_gemm_args a{};
          a.a = static_cast<const uint8_t*>(dd.a.get()) + h.offsets[g] * bc.k * esz;
          a.b = static_cast<const uint8_t*>(dd.b.get()) + static_cast<int64_t>(g) * bc.n * bc.k * esz;
          a.d = static_cast<uint8_t*>(d.get()) + h.offsets[g] * bc.n * 2;
          if (in == DW_GEMM_IN_FP8_BLOCK128) {
            a.scale_a = static_cast<const float*>(dd.sa.get()) + kb * h.offsets[g];
            a.scale_b = static_cast<const float*>(dd.sb.get()) + static_cast<int64_t>(g) * nb * kb;
          }
          argv->push_back(a);
        }
        if (ok) {
          keep.push_back(dev_alloc(ws_max));
          void* ws = keep.back().get();
          Contender c;
          c.label = std::string(input_name(in)) + " dense-per-group";
          c.kernel = kernels;
          c.call = [plans, argv, ws, ws_max](cudaStream_t s) {
            for (size_t i = 0; i < plans->size(); ++i) {
              const dw_status st = dw_gemm_run(&(*plans)[i].first, &(*argv)[i], &(*plans)[i].second, ws, ws_max, s);
              if (st != DW_SUCCESS) return st;
            }
            return static_cast<dw_status>(DW_SUCCESS);
          };
          cands.push_back(std::move(c));
        } else {
          std::printf("bench %s dense-per-group: plan refused: %s\n", input_name(in), last_error().c_str());
        }
      }
      // One dense GEMM of all rows with expert 0's weight: the same work without group
      // boundaries (its output is not the grouped result, so it is not checked).
      {
        auto desc = std::make_shared<dw_gemm_desc>();
        desc->m = bc.total;
        desc->n = bc.n;
        desc->k = bc.k;
        desc->input = in;
        desc->output = DW_GEMM_OUT_BF16;
        desc->alpha = 1;
        desc->out_scale = 1;
        auto plan = std::make_shared<dw_gemm_plan_info>();
        if (dw_gemm_plan(0, desc.get(), DW_GEMM_BACKEND_AUTO, -1, plan.get()) == DW_SUCCESS) {
          keep.push_back(dev_alloc(plan->workspace_bytes));
          void* ws = keep.back().get();
          auto a = std::make_shared<dw_gemm_args>();
          a->a = dd.a.get();
          a->b = dd.b.get();
          a->d = d.get();
          a->scale_a = dd.sa.get();
          a->scale_b = dd.sb.get();
          Contender c;
          c.label = std::string(input_name(in)) + " dense-total-m";
          c.kernel = plan->name;
          c.checked = false;
          c.call = [desc, plan, a, ws](cudaStream_t s) {
            return dw_gemm_run(desc.get(), a.get(), plan.get(), ws, plan->workspace_bytes, s);
          };
          cands.push_back(std::move(c));
        }
      }
      std::vector<Contender> ready;
      for (auto& c : cands) {
        if (!prepare(c, stream)) {
          std::printf("bench %s: run failed: %s\n", c.label.c_str(), last_error().c_str());
          continue;
        }
        ready.push_back(std::move(c));
      }
      for (auto& c : ready) launch(c, stream);  // warm
      time_in_shuffled_rounds(ready, kRounds, seed, stream, [&](Contender& c) { launch(c, stream); });
      // Sampled rows: the first and last row of up to 8 non-empty groups.
      std::vector<int64_t> sample;
      for (int g = 0; g < bc.groups && sample.size() < 16; ++g)
        if (sizes[g] > 0) {
          sample.push_back(h.offsets[g]);
          sample.push_back(h.offsets[g] + sizes[g] - 1);
        }
      const std::vector<double> acc = fp64_product(h, sample);
      for (auto& c : ready) {
        double rel = -1;
        if (c.checked) {
          CK(cudaMemsetAsync(d.get(), 0xFF, d_bytes, stream));
          const dw_status st = c.call(stream);
          CK(cudaStreamSynchronize(stream));
          std::vector<double> got;
          std::vector<uint8_t> raw(static_cast<size_t>(bc.n * 2));
          for (int64_t row : sample) {
            CK(cudaMemcpy(raw.data(), static_cast<uint8_t*>(d.get()) + row * bc.n * 2, raw.size(),
                          cudaMemcpyDeviceToHost));
            const auto v = to_doubles(raw.data(), DW_GEMM_OUT_BF16, static_cast<size_t>(bc.n));
            got.insert(got.end(), v.begin(), v.end());
          }
          const Compare cmp = compare(got, acc);
          rel = st == DW_SUCCESS && cmp.bad == 0 ? cmp.rel : INFINITY;
        }
        std::sort(c.ms.begin(), c.ms.end());
        const double ms = c.ms[c.ms.size() / 2];
        const double tflops = 2.0 * bc.total * bc.n * bc.k / (ms * 1e-3) / 1e12;
        const double spread = (c.ms.back() - c.ms.front()) / ms;
        const bool wrong = c.checked && !(rel <= 4e-3);
        std::printf("bench %-32s G=%-3d T=%-6" PRId64 " N=%-5" PRId64 " K=%-5" PRId64 " %-60s %8.4f ms %7.1f TFLOP/s "
                    "spread=%4.1f%% rel=%.2e%s\n",
                    c.label.c_str(), bc.groups, bc.total, bc.n, bc.k, c.kernel.substr(0, 60).c_str(), ms, tflops,
                    100 * spread, rel, wrong ? "  <-- WRONG" : "");
        json("{\"kind\":\"grouped_bench\",\"label\":\"%s\",\"input\":\"%s\",\"groups\":%d,\"total_m\":%" PRId64
             ",\"n\":%" PRId64 ",\"k\":%" PRId64 ",\"kernel\":\"%s\",\"ms\":%.5f,\"tflops\":%.2f,\"spread\":%.3f,"
             "\"sampled_rel\":%.3e}",
             c.label.c_str(), input_name(in), bc.groups, bc.total, bc.n, bc.k, c.kernel.c_str(), ms, tflops, spread,
             rel);
        if (!wrong) table.push_back({bc, in, c.label.substr(c.label.find(' ') + 1), tflops});
        if (c.exec) CK(cudaGraphExecDestroy(c.exec));
      }
    }
  }
  auto value = [&](const BenchCase& bc, dw_gemm_input in, const std::string& label, bool prefix) {
    double best = 0;
    for (const Row& r : table)
      if (r.c.groups == bc.groups && r.c.n == bc.n && r.c.k == bc.k && r.in == in &&
          (prefix ? r.label.rfind(label, 0) == 0 : r.label == label))
        best = std::max(best, r.tflops);
    return best;
  };
  std::printf("\nGrouped GEMM TFLOP/s (BF16 out, device sizes): auto = the plan's choice, best = fastest grouped "
              "configuration, loop = G dense GEMMs via dw_gemm_run, total = one dense GEMM of all rows (bound)\n");
  std::printf("%-26s %-13s %8s %8s %8s %8s %9s %9s\n", "G x T x N x K", "format", "auto", "best", "loop", "total",
              "auto/loop", "auto/total");
  for (const BenchCase& bc : cases)
    for (dw_gemm_input in : {DW_GEMM_IN_BF16, DW_GEMM_IN_FP8_BLOCK128}) {
      const double a = value(bc, in, "grouped(auto)", false), b = value(bc, in, "grouped(", true);
      const double l = value(bc, in, "dense-per-group", false), t = value(bc, in, "dense-total-m", false);
      char name[64];
      std::snprintf(name, sizeof name, "%dx%" PRId64 "x%" PRId64 "x%" PRId64, bc.groups, bc.total, bc.n, bc.k);
      std::printf("%-26s %-13s %8.1f %8.1f %8.1f %8.1f %9.3f %9.3f\n", name, input_name(in), a, b, l, t,
                  l > 0 ? a / l : 0.0, t > 0 ? a / t : 0.0);
    }
  CK(cudaStreamDestroy(stream));
}

}  // namespace

int main(int argc, char** argv) {
  bool check = false, bench = false, quick = false;
  std::string out_dir;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--check") check = true;
    else if (a == "--bench") bench = true;
    else if (a == "--quick") quick = true;
    else if (a == "--out" && i + 1 < argc) out_dir = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--check] [--bench] [--quick] [--out DIR]\n", argv[0]);
      return 2;
    }
  }
  if (!check && !bench) check = true;
  if (!out_dir.empty()) {
    g_json = std::fopen((out_dir + "/grouped_results.jsonl").c_str(), "w");
    if (!g_json) std::fprintf(stderr, "cannot write %s/grouped_results.jsonl\n", out_dir.c_str());
  }
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
    std::printf("SKIP: no CUDA device\n");
    return 0;
  }
  cudaDeviceProp prop{};
  CK(cudaGetDeviceProperties(&prop, 0));
  std::printf("device: %s, cc %d.%d, %d SMs\n", prop.name, prop.major, prop.minor, prop.multiProcessorCount);
  json("{\"kind\":\"device\",\"name\":\"%s\",\"cc\":\"%d.%d\",\"sms\":%d}", prop.name, prop.major, prop.minor,
       prop.multiProcessorCount);
  const bool sm90 = prop.major == 9 && prop.minor == 0 &&
                    dw_gemm_grouped_variant_count(DW_GEMM_BACKEND_CUTLASS_SM90, DW_GEMM_IN_BF16) > 0;
  int rc = 0;
  if (check) {
    const auto t0 = std::chrono::steady_clock::now();
    rc |= run_checks(sm90);
    std::printf("check time: %.1f s\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  if (bench) run_bench(quick);
  if (g_json) std::fclose(g_json);
  return rc;
}
