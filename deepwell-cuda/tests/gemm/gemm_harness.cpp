// Standalone correctness and timing harness for the GEMMs of deepwell/gemm.h.
//
//   gemm_harness --check            correctness suite (exit status 1 on any failure)
//   gemm_harness --bench            TFLOP/s on the benchmark shapes
//   gemm_harness --check --bench --out DIR   both; JSON lines of every result in DIR
//   --sweep: also time every CUTLASS tile-raster swizzle; --quick: one benchmark shape
//
// Correctness: operands are drawn with fixed seeds, quantized on the host into each format,
// and every GPU result is compared with an FP64 CPU product of the *dequantized* operands,
// so only the kernel's own arithmetic is measured: ||out - ref|| / ||ref|| must stay under
// the format's tolerance (tolerance() below says why each is what it is). Outputs are
// poisoned with NaN bytes before each run, so an unwritten element fails.
// Timing: CUDA events around CUDA-graph replays of many calls that rotate over several
// operand sets (more bytes than L2 holds); all contenders of a shape are timed in 7 shuffled
// rounds, median.
#include <cuda_runtime.h>

#include <algorithm>
#include <atomic>
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
#include "gemm/gemm_blockscaled.h"  // internal: scale re-layout, sm100 grouped entry (blockscaled_checks.inc)
#include "harness_fp64.h"
#include "harness_support.h"
#include "host_formats.h"
#include "stream_read_probe.h"  // the decode benchmark's speed of light (gemv_harness.inc)

using namespace dwtest;

namespace {

const char* input_name(dw_gemm_input in) {
  static const char* names[] = {"bf16", "fp8_tensor", "fp8_block128", "mxfp8", "nvfp4", "nvfp4_weight"};
  return names[in];
}
const char* backend_name(dw_gemm_backend b) {
  static const char* names[] = {"auto", "cutlass_sm90", "cublaslt", "reference", "gemv", "cutlass_sm100",
                                "cutlass_sm120"};
  return names[b];
}

// ---------------------------------------------------------------------------------------------
// Operands: random values, quantized into a format, with exact dequantized copies
// ---------------------------------------------------------------------------------------------

struct HostOperand {
  int64_t rows = 0, k = 0;
  std::vector<uint8_t> data;   // bytes as the device reads them
  std::vector<uint8_t> scale;  // scale bytes as the device reads them (FP32 words or 8-bit codes)
  float tensor_scale = 1.0f;   // FP8_TENSOR (also in `scale`) and NVFP4
  std::vector<double> deq;     // [rows][k]: exactly what the GEMM must multiply
};

double amax_of(const float* p, int64_t n, int64_t stride = 1) {
  double m = 0;
  for (int64_t i = 0; i < n; ++i) m = std::max(m, std::fabs(static_cast<double>(p[i * stride])));
  return m;
}

void put_f32(std::vector<uint8_t>& bytes, size_t index, float f) { std::memcpy(&bytes[index * 4], &f, 4); }

// `is_a` matters only for FP8_BLOCK128, whose A and B scales have different block shapes.
HostOperand quantize(dw_gemm_input in, const std::vector<float>& v, int64_t rows, int64_t k, bool is_a) {
  // Mixed input: BF16 activations, NVFP4 weights.
  if (in == DW_GEMM_IN_NVFP4_WEIGHT) return quantize(is_a ? DW_GEMM_IN_BF16 : DW_GEMM_IN_NVFP4, v, rows, k, is_a);
  HostOperand o;
  o.rows = rows;
  o.k = k;
  o.deq.resize(static_cast<size_t>(rows * k));
  switch (in) {
    case DW_GEMM_IN_NVFP4_WEIGHT: break;  // returned above
    case DW_GEMM_IN_BF16: {
      o.data.resize(static_cast<size_t>(rows * k * 2));
      auto* h = reinterpret_cast<uint16_t*>(o.data.data());
      parallel_for(rows * k, [&](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) {
          h[i] = bf16_from_float(v[i]);
          o.deq[i] = bf16_to_float(h[i]);
        }
      });
      break;
    }
    case DW_GEMM_IN_FP8_TENSOR: {
      double amax = 0;
      for (float x : v) amax = std::max(amax, std::fabs(static_cast<double>(x)));
      o.tensor_scale = static_cast<float>(amax > 0 ? amax / 448.0 : 1.0);
      o.scale.resize(4);
      put_f32(o.scale, 0, o.tensor_scale);
      o.data.resize(static_cast<size_t>(rows * k));
      parallel_for(rows * k, [&](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) {
          o.data[i] = e4m3_encode(v[i] / static_cast<double>(o.tensor_scale));
          o.deq[i] = e4m3_decode(o.data[i]) * static_cast<double>(o.tensor_scale);
        }
      });
      break;
    }
    case DW_GEMM_IN_FP8_BLOCK128: {
      const int64_t kb = (k + 127) / 128;
      o.data.resize(static_cast<size_t>(rows * k));
      if (is_a) {  // 1x128 blocks, scales M-contiguous: [kb][rows]
        o.scale.resize(static_cast<size_t>(kb * rows * 4));
        parallel_for(rows, [&](int64_t lo, int64_t hi) {
          for (int64_t r = lo; r < hi; ++r)
            for (int64_t b = 0; b < kb; ++b) {
              const int64_t k0 = b * 128, len = std::min<int64_t>(128, k - k0);
              const double am = amax_of(&v[r * k + k0], len);
              const float s = static_cast<float>(am > 0 ? am / 448.0 : 1.0);
              put_f32(o.scale, static_cast<size_t>(b * rows + r), s);
              for (int64_t j = k0; j < k0 + len; ++j) {
                o.data[r * k + j] = e4m3_encode(v[r * k + j] / static_cast<double>(s));
                o.deq[r * k + j] = e4m3_decode(o.data[r * k + j]) * static_cast<double>(s);
              }
            }
        });
      } else {  // 128x128 blocks, scales K-contiguous: [ceil(rows/128)][kb]
        const int64_t rb = (rows + 127) / 128;
        o.scale.resize(static_cast<size_t>(rb * kb * 4));
        parallel_for(rb, [&](int64_t lo, int64_t hi) {
          for (int64_t br = lo; br < hi; ++br)
            for (int64_t b = 0; b < kb; ++b) {
              const int64_t r0 = br * 128, r1 = std::min(rows, r0 + 128);
              const int64_t k0 = b * 128, k1 = std::min(k, k0 + 128);
              double am = 0;
              for (int64_t r = r0; r < r1; ++r) am = std::max(am, amax_of(&v[r * k + k0], k1 - k0));
              const float s = static_cast<float>(am > 0 ? am / 448.0 : 1.0);
              put_f32(o.scale, static_cast<size_t>(br * kb + b), s);
              for (int64_t r = r0; r < r1; ++r)
                for (int64_t j = k0; j < k1; ++j) {
                  o.data[r * k + j] = e4m3_encode(v[r * k + j] / static_cast<double>(s));
                  o.deq[r * k + j] = e4m3_decode(o.data[r * k + j]) * static_cast<double>(s);
                }
            }
        });
      }
      break;
    }
    case DW_GEMM_IN_MXFP8: {  // E8M0 per 32 of a row: shared exponent floor(log2 amax) - 8
      const int64_t kb = (k + 31) / 32;
      o.data.resize(static_cast<size_t>(rows * k));
      o.scale.resize(static_cast<size_t>(rows * kb));
      parallel_for(rows, [&](int64_t lo, int64_t hi) {
        for (int64_t r = lo; r < hi; ++r)
          for (int64_t b = 0; b < kb; ++b) {
            const int64_t k0 = b * 32, len = std::min<int64_t>(32, k - k0);
            const double am = amax_of(&v[r * k + k0], len);
            int e = am > 0 ? static_cast<int>(std::floor(std::log2(am))) - 8 : 0;
            e = std::min(127, std::max(-127, e));
            o.scale[r * kb + b] = static_cast<uint8_t>(e + 127);
            const double s = e8m0_decode(static_cast<uint8_t>(e + 127));
            for (int64_t j = k0; j < k0 + len; ++j) {
              o.data[r * k + j] = e4m3_encode(v[r * k + j] / s);
              o.deq[r * k + j] = e4m3_decode(o.data[r * k + j]) * s;
            }
          }
      });
      break;
    }
    case DW_GEMM_IN_NVFP4: {  // E2M1 pairs, UE4M3 per 16 of a row, one FP32 tensor scale
      const int64_t kb = (k + 15) / 16, row_bytes = (k + 1) / 2;
      double amax = 0;
      for (float x : v) amax = std::max(amax, std::fabs(static_cast<double>(x)));
      o.tensor_scale = static_cast<float>(amax > 0 ? amax / (448.0 * 6.0) : 1.0);
      const double ts = o.tensor_scale;
      o.data.assign(static_cast<size_t>(rows * row_bytes), 0);
      o.scale.resize(static_cast<size_t>(rows * kb));
      parallel_for(rows, [&](int64_t lo, int64_t hi) {
        for (int64_t r = lo; r < hi; ++r)
          for (int64_t b = 0; b < kb; ++b) {
            const int64_t k0 = b * 16, len = std::min<int64_t>(16, k - k0);
            const double am = amax_of(&v[r * k + k0], len);
            const uint8_t sc = e4m3_encode(am / (6.0 * ts)) & 0x7F;
            o.scale[r * kb + b] = sc;
            const double s = e4m3_decode(sc) * ts;
            for (int64_t j = k0; j < k0 + len; ++j) {
              const uint8_t q = s > 0 ? e2m1_encode(v[r * k + j] / s) : 0;
              uint8_t& byte = o.data[r * row_bytes + j / 2];
              byte = static_cast<uint8_t>((j & 1) ? (byte | (q << 4)) : (byte | q));
              o.deq[r * k + j] = e2m1_decode(q) * s;
            }
          }
      });
      break;
    }
  }
  return o;
}

// Writes an IEEE NaN (or the format's NaN code) into element (row, col) of a BF16/FP8 operand.
void poison_element(dw_gemm_input in, HostOperand& o, int64_t row, int64_t col) {
  const int64_t i = row * o.k + col;
  if (in == DW_GEMM_IN_BF16 || in == DW_GEMM_IN_NVFP4_WEIGHT) reinterpret_cast<uint16_t*>(o.data.data())[i] = 0x7FC0;
  else o.data[i] = 0x7F;
  o.deq[i] = NAN;
}

struct DeviceOperand {
  DevPtr data, scale, tensor_scale;
};

DeviceOperand to_device(const HostOperand& o) {
  DeviceOperand d;
  d.data = upload(o.data.data(), o.data.size());
  if (!o.scale.empty()) d.scale = upload(o.scale.data(), o.scale.size());
  d.tensor_scale = upload(&o.tensor_scale, 4);
  return d;
}

// FP64 sums over k of deqA[m] * deqB[n] for the listed rows of A: acc[i * n + j].
std::vector<double> fp64_product(const HostOperand& a, const HostOperand& b, const std::vector<int64_t>& rows) {
  const int64_t n = b.rows, k = a.k;
  std::vector<double> acc(rows.size() * static_cast<size_t>(n));
  parallel_for(static_cast<int64_t>(rows.size()) * n, [&](int64_t lo, int64_t hi) {
    for (int64_t t = lo; t < hi; ++t) {
      const int64_t i = t / n, j = t % n;
      const double* pa = &a.deq[rows[i] * k];
      const double* pb = &b.deq[j * k];
      acc[t] = fp64_dot(pa, pb, k);
    }
  });
  return acc;
}

// ---------------------------------------------------------------------------------------------
// Epilogues and tolerances
// ---------------------------------------------------------------------------------------------

struct Epilogue {
  const char* label;
  dw_gemm_activation act;
  float alpha, out_scale;
  bool bias, residual, in_place;  // in_place: residual aliases D
};

const Epilogue kEpilogues[] = {
    {"plain", DW_GEMM_ACT_NONE, 1.0f, 1.0f, false, false, false},
    {"bias", DW_GEMM_ACT_NONE, 1.0f, 1.0f, true, false, false},
    {"bias+gelu", DW_GEMM_ACT_GELU, 1.0f, 1.0f, true, false, false},
    {"silu,alpha=0.5", DW_GEMM_ACT_SILU, 0.5f, 1.0f, false, false, false},
    {"residual", DW_GEMM_ACT_NONE, 1.0f, 1.0f, false, true, false},
    {"all:alpha=2,bias,gelu,scale=0.25,residual", DW_GEMM_ACT_GELU, 2.0f, 0.25f, true, true, false},
    {"residual-in-place,scale=0.5", DW_GEMM_ACT_NONE, 1.0f, 0.5f, false, true, true},
};

// Relative-error budget ||out-ref||/||ref|| per input format, output type and backend.
//  - BF16 output: rounding the result to BF16 alone costs ~1.5e-3 RMS (8-bit significand);
//    4e-3 leaves room for the accumulation error below.
//  - FP32 output, BF16 inputs, tensor cores: FP32 accumulation with truncated alignment of
//    partial products: a few 1e-6 at these K; 1e-4.
//  - FP32 output, FP8 inputs, tensor cores: each 128-deep chunk is summed in the tensor
//    core's narrower accumulator before promotion to FP32 (measured ~1e-5..1e-4 elsewhere); 1e-3.
//  - FP32 output, reference kernel: plain FP32 FMAs, error ~sqrt(K) * 2^-24; 2e-5.
double tolerance(dw_gemm_input in, dw_gemm_output out, dw_gemm_backend backend) {
  if (out == DW_GEMM_OUT_BF16) return 4e-3;
  if (backend == DW_GEMM_BACKEND_REFERENCE) return 2e-5;
  // MXFP8 on sm90 multiplies exact BF16 copies of its operands with BF16 MMAs: BF16's budget.
  if (in == DW_GEMM_IN_MXFP8) return 1e-4;
  // NVFP4_WEIGHT: BF16 activations times exactly decoded BF16 weights, FP32 MMA sums: BF16's budget.
  return (in == DW_GEMM_IN_BF16 || in == DW_GEMM_IN_NVFP4_WEIGHT) ? 1e-4 : 1e-3;
}

// ---------------------------------------------------------------------------------------------
// One problem on the device: operands, epilogue tensors, output
// ---------------------------------------------------------------------------------------------

struct Problem {
  dw_gemm_input input;
  int64_t m, n, k;
  HostOperand a, b;
  DeviceOperand da, db;
  std::vector<double> acc;  // FP64 products of all rows
};

struct TypedRandom {
  std::vector<uint8_t> bytes;
  std::vector<double> values;
};

// Bias and residual tensors depend only on (type, size, seed): made once, reused by every run.
const TypedRandom& typed_random(dw_gemm_output out, size_t count, uint64_t seed) {
  struct Entry {
    dw_gemm_output out;
    size_t count;
    uint64_t seed;
    std::unique_ptr<TypedRandom> value;
  };
  static std::vector<Entry> cache;
  for (const auto& e : cache)
    if (e.out == out && e.count == count && e.seed == seed) return *e.value;
  auto v = std::make_unique<TypedRandom>();
  output_typed_random(out, count, seed, v->bytes, v->values);
  cache.push_back({out, count, seed, std::move(v)});
  return *cache.back().value;
}

struct RunResult {
  dw_status status = DW_SUCCESS;
  std::string message, kernel;
  Compare cmp;
};

// The epilogue's tensors on the device and the FP64 expected output, shared by every backend
// that runs the same (problem, epilogue, output type).
struct EpilogueData {
  const TypedRandom* bias = nullptr;
  const TypedRandom* res = nullptr;
  DevPtr d_bias, d_res;
  std::vector<double> ref;
};

EpilogueData prepare_epilogue(const Problem& p, const Epilogue& e, dw_gemm_output out) {
  EpilogueData ed;
  const size_t count = static_cast<size_t>(p.m * p.n);
  ed.bias = &typed_random(out, static_cast<size_t>(p.n), 1234);
  ed.res = &typed_random(out, count, 5678);
  ed.d_bias = upload(ed.bias->bytes.data(), ed.bias->bytes.size());
  ed.d_res = upload(ed.res->bytes.data(), ed.res->bytes.size());
  ed.ref.resize(count);
  parallel_for(p.m, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i)
      for (int64_t j = 0; j < p.n; ++j) {
        double y = static_cast<double>(e.alpha) * p.acc[i * p.n + j];
        if (e.bias) y += ed.bias->values[j];
        double z = static_cast<double>(e.out_scale) * activate(y, e.act);
        if (e.residual) z += ed.res->values[i * p.n + j];
        ed.ref[i * p.n + j] = z;
      }
  });
  return ed;
}

RunResult run_and_compare(const Problem& p, dw_gemm_backend backend, int variant,
                          const Epilogue& e, dw_gemm_output out, const EpilogueData& ed, void* workspace,
                          size_t ws_bytes) {
  RunResult r;
  dw_gemm_desc desc{};
  desc.m = p.m;
  desc.n = p.n;
  desc.k = p.k;
  desc.input = p.input;
  desc.output = out;
  desc.activation = e.act;
  desc.alpha = e.alpha;
  desc.out_scale = e.out_scale;
  desc.has_bias = e.bias;
  desc.has_residual = e.residual;
  dw_gemm_plan_info plan{};
  r.status = dw_gemm_plan(0, &desc, backend, variant, &plan);
  if (r.status != DW_SUCCESS) {
    r.message = last_error();
    return r;
  }
  r.kernel = plan.name;
  if (plan.workspace_bytes > ws_bytes) {
    r.status = DW_ERROR_INVALID_ARGUMENT;
    r.message = "harness workspace too small";
    return r;
  }
  const size_t count = static_cast<size_t>(p.m * p.n), esz = out == DW_GEMM_OUT_F32 ? 4 : 2;
  DevPtr d_out = dev_alloc(count * esz);
  if (e.in_place) CK(cudaMemcpy(d_out.get(), ed.d_res.get(), count * esz, cudaMemcpyDeviceToDevice));
  else CK(cudaMemset(d_out.get(), 0xFF, count * esz));  // NaN in both BF16 and FP32

  dw_gemm_args args{};
  args.a = p.da.data.get();
  args.b = p.db.data.get();
  args.d = d_out.get();
  args.scale_a = p.da.scale.get();
  args.scale_b = p.db.scale.get();
  if (p.input == DW_GEMM_IN_NVFP4) {
    args.tensor_scale_a = static_cast<const float*>(p.da.tensor_scale.get());
    args.tensor_scale_b = static_cast<const float*>(p.db.tensor_scale.get());
  }
  if (p.input == DW_GEMM_IN_NVFP4_WEIGHT) args.tensor_scale_b = static_cast<const float*>(p.db.tensor_scale.get());
  if (e.bias) args.bias = ed.d_bias.get();
  if (e.residual) args.residual = e.in_place ? d_out.get() : ed.d_res.get();
  r.status = dw_gemm_run(&desc, &args, &plan, workspace, ws_bytes, nullptr);
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
  std::vector<uint8_t> raw(count * esz);
  CK(cudaMemcpy(raw.data(), d_out.get(), raw.size(), cudaMemcpyDeviceToHost));
  r.cmp = compare(to_doubles(raw, out, count), ed.ref);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Correctness suite
// ---------------------------------------------------------------------------------------------

struct Shape3 {
  int64_t m, n, k;
};

struct Tally {
  int pass = 0, fail = 0, unsupported = 0, skipped = 0;
  std::vector<std::string> failures;
};

bool blackwell_must_support(dw_gemm_backend b, dw_gemm_input in, const Shape3& s, dw_gemm_output out);  // blockscaled_checks.inc

// Whether a backend must accept a problem (its refusal is then a failure).
bool must_support(dw_gemm_backend b, dw_gemm_input in, const Shape3& s, dw_gemm_output out, bool sm90,
                  int variant = -1) {
  if (b == DW_GEMM_BACKEND_REFERENCE || b == DW_GEMM_BACKEND_AUTO) return true;
  if (b == DW_GEMM_BACKEND_CUTLASS_SM100 || b == DW_GEMM_BACKEND_CUTLASS_SM120)
    return blackwell_must_support(b, in, s, out);
  if (b == DW_GEMM_BACKEND_GEMV) return in == DW_GEMM_IN_NVFP4_WEIGHT && s.m <= DW_GEMM_GEMV_MAX_M && s.k % 32 == 0;
  if (b == DW_GEMM_BACKEND_CUTLASS_SM90) {
    // MXFP8: variants 0 .. (BF16's count - 1) run on BF16 copies of the operands (K zero-padded
    // to 8: only D's rows bind them), the ones after are our own kernels, wgmma and fused (K % 16,
    // TMA rows of 16 bytes; any M, N). AUTO's choice falls back from the second kind to the first.
    if (in == DW_GEMM_IN_MXFP8) {
      const int count = dw_gemm_variant_count(b, in), deq_count = dw_gemm_variant_count(b, DW_GEMM_IN_BF16);
      if (!sm90 || count == 0) return false;
      const bool wgmma = s.k % 16 == 0, deq = s.n % (out == DW_GEMM_OUT_F32 ? 4 : 8) == 0;
      if (variant >= deq_count) return wgmma;
      return variant < 0 ? (wgmma || deq) : deq;
    }
    // NVFP4 weights (gemm_sm90_nvfp4w.cu): any M and N, K % 32 (16-byte rows of codes for TMA).
    if (in == DW_GEMM_IN_NVFP4_WEIGHT) return sm90 && dw_gemm_variant_count(b, in) > 0 && s.k % 32 == 0;
    if (!sm90 || in > DW_GEMM_IN_FP8_BLOCK128) return false;
    const int64_t align_ab = in == DW_GEMM_IN_BF16 ? 8 : 16, align_d = out == DW_GEMM_OUT_F32 ? 4 : 8;
    if (s.k % align_ab || s.n % align_d) return false;
    if (in == DW_GEMM_IN_FP8_BLOCK128 && s.m % 4) return false;
    return true;
  }
  return false;  // cuBLASLt's coverage is its own business: a refusal is recorded, not failed
}

void record(Tally& t, const Problem& p, const char* case_label, dw_gemm_backend b, int variant, const Epilogue& e,
            dw_gemm_output out, const RunResult& r, bool must) {
  const double tol = tolerance(p.input, out, b);
  const char* outn = out == DW_GEMM_OUT_F32 ? "f32" : "bf16";
  char line[512];
  const char* verdict;
  if (r.status == DW_SUCCESS) {
    const bool ok = r.cmp.bad == 0 && r.cmp.rel <= tol;
    verdict = ok ? "PASS" : "FAIL";
    ok ? ++t.pass : ++t.fail;
  } else if ((r.status == DW_ERROR_GEMM_UNSUPPORTED || r.status == DW_ERROR_LIBRARY_MISSING) && !must) {
    verdict = "unsupported";
    ++t.unsupported;
  } else {
    verdict = "FAIL";
    ++t.fail;
  }
  std::snprintf(line, sizeof line, "%-11s %-12s %-16s %5" PRId64 "x%5" PRId64 "x%5" PRId64 " %-4s %-40s %-12s v%-2d %-48s rel=%.2e tol=%.0e bad=%" PRId64 " %s",
                verdict, input_name(p.input), case_label, p.m, p.n, p.k, outn, e.label, backend_name(b), variant,
                r.kernel.c_str(), r.cmp.rel, tol, r.cmp.bad, r.status == DW_SUCCESS ? "" : r.message.c_str());
  std::printf("%s\n", line);
  if (std::strcmp(verdict, "FAIL") == 0) t.failures.push_back(line);
  json("{\"kind\":\"check\",\"verdict\":\"%s\",\"input\":\"%s\",\"case\":\"%s\",\"m\":%" PRId64 ",\"n\":%" PRId64
       ",\"k\":%" PRId64 ",\"out\":\"%s\",\"epilogue\":\"%s\",\"backend\":\"%s\",\"variant\":%d,\"kernel\":\"%s\","
       "\"rel\":%.3e,\"tol\":%.1e,\"bad\":%" PRId64 ",\"status\":\"%s\"}",
       verdict, input_name(p.input), case_label, p.m, p.n, p.k, outn, e.label, backend_name(b), variant,
       r.kernel.c_str(), r.cmp.rel, tol, r.cmp.bad, status_name(r.status));
}

enum class Special { kNone, kNaN, kZeroA, kSubnormalA, kNaNScale, kExtremeScales };

// Sets the E8M0 scale of one 32-block of an MXFP8 operand's row to 255 (NaN), and its values.
void poison_scale_block(HostOperand& o, int64_t row, int64_t block) {
  o.scale[row * ((o.k + 31) / 32) + block] = 255;
  for (int64_t j = block * 32; j < std::min(o.k, block * 32 + 32); ++j) o.deq[row * o.k + j] = NAN;
}

Problem make_problem(dw_gemm_input in, Shape3 s, uint64_t seed, Special special) {
  Problem p;
  p.input = in;
  p.m = s.m;
  p.n = s.n;
  p.k = s.k;
  std::vector<float> va = random_values(s.m, s.k, seed * 2 + 1), vb = random_values(s.n, s.k, seed * 2 + 2);
  if (special == Special::kZeroA) std::fill(va.begin(), va.end(), 0.0f);
  if (special == Special::kSubnormalA) {  // BF16 subnormals times large B: products are normal
    for (auto& x : va) x = std::ldexp(x, -130);
    for (auto& x : vb) x = std::ldexp(x, 100);
  }
  if (special == Special::kExtremeScales) {  // MXFP8: E8M0 codes near 16 and 210, products normal
    for (auto& x : va) x = std::ldexp(x, -100);
    for (auto& x : vb) x = std::ldexp(x, 90);
  }
  p.a = quantize(in, va, s.m, s.k, true);
  p.b = quantize(in, vb, s.n, s.k, false);
  if (special == Special::kNaNScale) {  // row 5 of D through A's first block, column 7 through B's last
    poison_scale_block(p.a, std::min<int64_t>(5, s.m - 1), 0);
    poison_scale_block(p.b, std::min<int64_t>(7, s.n - 1), (s.k - 1) / 32);
  }
  if (special == Special::kNaN) poison_element(in, p.a, std::min<int64_t>(5, s.m - 1), std::min<int64_t>(3, s.k - 1));
  p.da = to_device(p.a);
  p.db = to_device(p.b);
  std::vector<int64_t> rows(static_cast<size_t>(s.m));
  for (int64_t i = 0; i < s.m; ++i) rows[i] = i;
  p.acc = fp64_product(p.a, p.b, rows);
  return p;
}

struct BackendVariant {
  dw_gemm_backend backend;
  int variant;
};

std::vector<BackendVariant> backends_for(dw_gemm_input in) {
  std::vector<BackendVariant> v;
  const int n = dw_gemm_variant_count(DW_GEMM_BACKEND_CUTLASS_SM90, in);
  for (int i = 0; i < n; ++i) v.push_back({DW_GEMM_BACKEND_CUTLASS_SM90, i});
  if (dw_gemm_variant_count(DW_GEMM_BACKEND_CUBLASLT, in) > 0) v.push_back({DW_GEMM_BACKEND_CUBLASLT, -1});
  for (int i = 0; i < dw_gemm_variant_count(DW_GEMM_BACKEND_GEMV, in); ++i) v.push_back({DW_GEMM_BACKEND_GEMV, i});
  for (dw_gemm_backend b : {DW_GEMM_BACKEND_CUTLASS_SM100, DW_GEMM_BACKEND_CUTLASS_SM120})
    for (int i = 0; i < dw_gemm_variant_count(b, in); ++i) v.push_back({b, i});
  v.push_back({DW_GEMM_BACKEND_REFERENCE, -1});
  v.push_back({DW_GEMM_BACKEND_AUTO, -1});
  return v;
}

// API misuse must be refused with INVALID_ARGUMENT and a message naming the field.
#include "api_checks.inc"  // argument validation of the C ABI, misaligned operands

// The problems listed in environment variable `name` as MxNxK,... (for a profiler that wants a
// few launches): false when it is unset; "none" is the empty list (skips that table); an unreadable
// list is reported and reads as empty.
bool shapes_from_env(const char* name, std::vector<Shape3>* out) {
  const char* env = std::getenv(name);
  if (env == nullptr) return false;
  out->clear();
  if (std::strcmp(env, "none") == 0) return true;  // an empty set: the table is skipped, silently
  for (const char* c = env; *c;) {
    long long m = 0, n = 0, k = 0;
    int used = 0;
    if (std::sscanf(c, "%lldx%lldx%lld%n", &m, &n, &k, &used) != 3 || m < 1 || n < 1 || k < 1) {
      std::printf("%s: cannot read '%s' (want MxNxK,...)\n", name, c);
      out->clear();
      return true;
    }
    out->push_back({m, n, k});
    c += used;
    if (*c == ',') ++c;
  }
  return true;
}

#include "gemv_harness.inc"  // NVFP4-weight decode GEMV: shapes, special inputs, decode benchmark
#include "nvfp4w_harness.inc"  // NVFP4-weight GEMM for any M: benchmark against BF16
#include "streamk_checks.inc"  // stream-K: small outputs with a long K, every epilogue, determinism
#include "blockscaled_checks.inc"  // Blackwell block-scaled backends, tiled scales, sm100 grouped

// gemv_only: the NVFP4-weight shapes and special inputs alone (every backend of that format:
// GEMV, reference, AUTO), for a harness built without the CUTLASS families.
int run_checks(bool sm90, bool gemv_only, void* ws, size_t ws_bytes) {
  Tally t;
  if (!gemv_only) check_argument_validation(t, sm90);
  struct FormatShapes {
    dw_gemm_input input;
    std::vector<Shape3> shapes;  // first: the full epilogue sweep; the others: two epilogues
  };
  const std::vector<FormatShapes> plan = {
      {DW_GEMM_IN_BF16, {{1000, 1000, 1000}, {256, 512, 128}, {77, 264, 136}, {1, 8, 8}, {3000, 2056, 1536},
                         {100, 104, 100}, {129, 1001, 64}}},
      {DW_GEMM_IN_FP8_TENSOR, {{1000, 1000, 1008}, {256, 512, 256}, {77, 264, 144}, {4, 16, 16}, {3000, 2056, 1536},
                               {100, 104, 100}}},
      {DW_GEMM_IN_FP8_BLOCK128, {{1000, 1000, 1008}, {256, 512, 256}, {76, 264, 144}, {77, 264, 144},
                                 {3000, 2056, 1536}, {4, 16, 16}}},
      // MXFP8: the first shape (every epilogue) has K % 16 == 0 so that the wgmma variant runs it
      // too; 1000^3 then checks the dequantizing variants' K padding.
      {DW_GEMM_IN_MXFP8, {{1000, 1000, 1008}, {1000, 1000, 1000}, {256, 512, 256}, {77, 264, 136}, {1, 8, 7}, {3000, 2056, 1536},
                          {77, 264, 160}, {129, 136, 48}}},
      {DW_GEMM_IN_NVFP4, {{1000, 1000, 1000}, {256, 512, 256}, {77, 264, 136}, {1, 8, 7}}},
      {DW_GEMM_IN_NVFP4_WEIGHT, kNvfp4WeightShapes},  // gemv_harness.inc
  };
  uint64_t seed = 1;
  for (const auto& fs : plan) {
    if (gemv_only && fs.input != DW_GEMM_IN_NVFP4_WEIGHT) continue;
    for (size_t si = 0; si < fs.shapes.size(); ++si) {
      const Shape3 s = fs.shapes[si];
      const Problem p = make_problem(fs.input, s, seed++, Special::kNone);
      for (const auto& e : kEpilogues) {
        const bool full = si == 0;
        const bool pick = full || &e == &kEpilogues[0] || &e == &kEpilogues[5];
        if (!pick) continue;
        for (dw_gemm_output out : {DW_GEMM_OUT_BF16, DW_GEMM_OUT_F32}) {
          if (!full && out == DW_GEMM_OUT_F32 && &e != &kEpilogues[0]) continue;
          const EpilogueData ed = prepare_epilogue(p, e, out);
          for (const auto& bv : backends_for(fs.input)) {
            const RunResult r = run_and_compare(p, bv.backend, bv.variant, e, out, ed, ws, ws_bytes);
            record(t, p, si == 0 ? "ragged-main" : "shape", bv.backend, bv.variant, e, out, r,
                   must_support(bv.backend, fs.input, s, out, sm90, bv.variant));
          }
        }
      }
    }
  }
  // Adversarial inputs, every backend of the three tensor-core formats.
  for (dw_gemm_input in : {DW_GEMM_IN_BF16, DW_GEMM_IN_FP8_TENSOR, DW_GEMM_IN_FP8_BLOCK128, DW_GEMM_IN_MXFP8}) {
    if (gemv_only) break;
    const Shape3 s{256, 512, 256};
    struct Adv {
      Special special;
      const char* label;
      const Epilogue* epi;
    };
    std::vector<Adv> advs = {{Special::kNaN, "nan-in-A", &kEpilogues[0]}, {Special::kZeroA, "zero-A+bias", &kEpilogues[1]}};
    if (in == DW_GEMM_IN_BF16) advs.push_back({Special::kSubnormalA, "subnormal-A", &kEpilogues[0]});
    if (in == DW_GEMM_IN_MXFP8) {
      advs.push_back({Special::kNaNScale, "nan-scale(e8m0=255)", &kEpilogues[0]});
      advs.push_back({Special::kExtremeScales, "extreme-scales", &kEpilogues[0]});
    }
    for (const auto& adv : advs) {
      const Problem p = make_problem(in, s, seed++, adv.special);
      const EpilogueData ed = prepare_epilogue(p, *adv.epi, DW_GEMM_OUT_F32);
      for (const auto& bv : backends_for(in)) {
        const RunResult r =
            run_and_compare(p, bv.backend, bv.variant, *adv.epi, DW_GEMM_OUT_F32, ed, ws, ws_bytes);
        record(t, p, adv.label, bv.backend, bv.variant, *adv.epi, DW_GEMM_OUT_F32, r,
               must_support(bv.backend, in, s, DW_GEMM_OUT_F32, sm90, bv.variant));
      }
    }
  }
  check_nvfp4_weight_specials(t, seed, ws, ws_bytes);
  if (!gemv_only) {
    run_stream_k_checks(t, sm90, seed, ws, ws_bytes);
    run_blockscaled_checks(t, seed, ws, ws_bytes);
  }
  std::printf("\nCHECK SUMMARY: %d passed, %d failed, %d refused as unsupported (allowed)\n", t.pass, t.fail,
              t.unsupported);
  for (const auto& f : t.failures) std::printf("  %s\n", f.c_str());
  json("{\"kind\":\"check_summary\",\"pass\":%d,\"fail\":%d,\"unsupported\":%d}", t.pass, t.fail, t.unsupported);
  return t.fail == 0 ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------
// Benchmark
// ---------------------------------------------------------------------------------------------

struct BenchSet {
  DevPtr a, b, sa, sb, d;
};

struct BenchRow {
  Shape3 s;
  std::string label, kernel;
  double tflops = 0, ms = 0, rel = -1;
  int swizzle = 0;
};

// Sampled rows of the output against FP64: the timed runs must also be right.
double sample_check(const Problem& p, const std::vector<int64_t>& rows, const std::vector<double>& acc, const void* d,
                    dw_gemm_output out) {
  const size_t esz = out == DW_GEMM_OUT_F32 ? 4 : 2;
  std::vector<double> got, ref;
  std::vector<uint8_t> raw(static_cast<size_t>(p.n) * esz);
  for (size_t i = 0; i < rows.size(); ++i) {
    CK(cudaMemcpy(raw.data(), static_cast<const uint8_t*>(d) + rows[i] * p.n * esz, raw.size(),
                  cudaMemcpyDeviceToHost));
    const auto v = to_doubles(raw, out, static_cast<size_t>(p.n));
    got.insert(got.end(), v.begin(), v.end());
    ref.insert(ref.end(), acc.begin() + static_cast<int64_t>(i) * p.n, acc.begin() + static_cast<int64_t>(i + 1) * p.n);
  }
  const Compare c = compare(got, ref);
  return c.bad ? INFINITY : c.rel;
}

// One timed configuration: its plan, its operand sets, and a CUDA graph of `iters` calls that
// rotate over the sets (a graph takes the host's launch cost out of the numbers; it matters for
// the small shapes, where CUTLASS builds its TMA descriptors on the host at every call).
struct Candidate {
  std::string label;
  dw_gemm_input input;
  dw_gemm_desc desc{};
  dw_gemm_plan_info plan{};
  std::vector<dw_gemm_args>* sets = nullptr;
  int iters = 0;
  cudaGraph_t graph = nullptr;
  cudaGraphExec_t exec = nullptr;
  std::vector<float> ms;  // per round, per call
};

// Estimates the time of a call eagerly, then captures the graph. False when a call fails.
bool prepare_candidate(Candidate& c, void* ws, size_t ws_bytes, cudaStream_t stream) {
  auto& sets = *c.sets;
  for (int i = 0; i < 3; ++i)
    if (dw_gemm_run(&c.desc, &sets[i % sets.size()], &c.plan, ws, ws_bytes, stream) != DW_SUCCESS) return false;
  cudaEvent_t e0, e1;
  CK(cudaEventCreate(&e0));
  CK(cudaEventCreate(&e1));
  CK(cudaEventRecord(e0, stream));
  for (int i = 0; i < 4; ++i) dw_gemm_run(&c.desc, &sets[i % sets.size()], &c.plan, ws, ws_bytes, stream);
  CK(cudaEventRecord(e1, stream));
  CK(cudaEventSynchronize(e1));
  float est = 0;
  CK(cudaEventElapsedTime(&est, e0, e1));
  CK(cudaEventDestroy(e0));
  CK(cudaEventDestroy(e1));
  c.iters = std::max(3, std::min(400, static_cast<int>(std::ceil(12.0 / std::max(est / 4, 1e-3f)))));
  bool ok = cudaStreamBeginCapture(stream, cudaStreamCaptureModeRelaxed) == cudaSuccess;
  for (int i = 0; ok && i < c.iters; ++i)
    ok = dw_gemm_run(&c.desc, &sets[i % sets.size()], &c.plan, ws, ws_bytes, stream) == DW_SUCCESS;
  if (cudaStreamEndCapture(stream, &c.graph) != cudaSuccess || c.graph == nullptr) ok = false;
  if (ok) ok = cudaGraphInstantiate(&c.exec, c.graph, 0) == cudaSuccess;
  if (!ok) {
    (void)cudaGetLastError();
    std::printf("  %s: graph capture failed (%s); timed eagerly\n", c.label.c_str(), last_error().c_str());
    if (c.exec) cudaGraphExecDestroy(c.exec);
    if (c.graph) cudaGraphDestroy(c.graph);
    c.exec = nullptr;
    c.graph = nullptr;
  }
  return true;
}

void launch_candidate(Candidate& c, void* ws, size_t ws_bytes, cudaStream_t stream) {
  if (c.exec) {
    CK(cudaGraphLaunch(c.exec, stream));
  } else {
    for (int i = 0; i < c.iters; ++i)
      dw_gemm_run(&c.desc, &(*c.sets)[i % c.sets->size()], &c.plan, ws, ws_bytes, stream);
  }
}

// Per shape, every configuration of every format is prepared first and then timed in rounds,
// one graph launch of each per round in a shuffled order, median over the rounds: the card
// heats up and its clock drops over a benchmark (here by up to 15% within seconds), and
// interleaving spreads that over all contenders instead of favouring whichever runs first.
std::vector<BenchRow> run_bench(void* ws, size_t ws_bytes, bool quick, bool sweep) {
  std::vector<Shape3> shapes = {{4096, 4096, 4096},  {8192, 8192, 8192},  {16384, 2304, 768}, {16384, 768, 768},
                                {16384, 4096, 768},  {16384, 768, 2048}, {16384, 32768, 768}};
  // Their data and weight gradients, as the Java benchmark defines them (`deepwell bench gemm`,
  // dev.deepwell.kernel.bench.GemmPass): forward (M, N, K) = (16384, N, K) gives dgrad
  // (16384, K, N) and wgrad (N, K, 16384). (16384x768x768's dgrad is itself.) The wgrads have few
  // output tiles and a long K: the stream-K shapes.
  const size_t tokens_begin = 2, tokens_end = shapes.size();
  for (size_t i = tokens_begin; i < tokens_end; ++i) {
    const Shape3 f = shapes[i];
    if (f.n != f.k) shapes.push_back({f.m, f.k, f.n});
  }
  for (size_t i = tokens_begin; i < tokens_end; ++i) {
    const Shape3 f = shapes[i];
    shapes.push_back({f.n, f.k, f.m});
  }
  if (quick) shapes = {{4096, 4096, 4096}};
  // DW_BENCH_SHAPES=MxNxK,...: these problems instead (any sizes, e.g. a sweep of M).
  std::vector<Shape3> only;
  if (shapes_from_env("DW_BENCH_SHAPES", &only)) shapes = only;
  // DW_BENCH_INPUTS=bf16,mxfp8,...: only these formats (e.g. one kernel under Nsight Compute).
  const char* inputs_env = std::getenv("DW_BENCH_INPUTS");
  auto wanted = [&](dw_gemm_input in) {
    if (inputs_env == nullptr || *inputs_env == '\0') return true;
    const std::string list = std::string(",") + inputs_env + ",";
    return list.find(std::string(",") + input_name(in) + ",") != std::string::npos;
  };
  constexpr int kRounds = 7;
  std::vector<BenchRow> rows;
  cudaStream_t stream;
  CK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  uint64_t seed = 1000;
  for (const Shape3& s : shapes) {
    const std::vector<float> va = random_values(s.m, s.k, seed++), vb = random_values(s.n, s.k, seed++);
    std::vector<int64_t> sample;  // rows checked against FP64: first, last and between (M may be 1)
    for (int64_t r : {int64_t(0), int64_t(1), s.m / 3, s.m / 2, s.m - 2, s.m - 1})
      if (r >= 0 && r < s.m && std::find(sample.begin(), sample.end(), r) == sample.end()) sample.push_back(r);
    const dw_gemm_input inputs[] = {DW_GEMM_IN_BF16, DW_GEMM_IN_FP8_TENSOR, DW_GEMM_IN_FP8_BLOCK128, DW_GEMM_IN_MXFP8};
    constexpr int kFormats = sizeof inputs / sizeof inputs[0];
    Problem probs[kFormats];
    std::vector<double> accs[kFormats];
    std::vector<BenchSet> sets[kFormats];
    std::vector<dw_gemm_args> args[kFormats];
    std::vector<Candidate> cands;
    const size_t d_bytes = static_cast<size_t>(s.m * s.n * 2);
    for (int f = 0; f < kFormats; ++f) {
      const dw_gemm_input in = inputs[f];
      if (!wanted(in)) continue;
      Problem& p = probs[f];
      p.input = in;
      p.m = s.m;
      p.n = s.n;
      p.k = s.k;
      p.a = quantize(in, va, s.m, s.k, true);
      p.b = quantize(in, vb, s.n, s.k, false);
      accs[f] = fp64_product(p.a, p.b, sample);
      const size_t set_bytes = p.a.data.size() + p.b.data.size() + d_bytes;
      const int nsets = static_cast<int>(std::max<size_t>(2, std::min<size_t>(8, (size_t(512) << 20) / set_bytes + 1)));
      sets[f].resize(nsets);
      args[f].resize(nsets);
      for (int i = 0; i < nsets; ++i) {
        BenchSet& b = sets[f][i];
        b.a = upload(p.a.data.data(), p.a.data.size());
        b.b = upload(p.b.data.data(), p.b.data.size());
        if (!p.a.scale.empty()) b.sa = upload(p.a.scale.data(), p.a.scale.size());
        if (!p.b.scale.empty()) b.sb = upload(p.b.scale.data(), p.b.scale.size());
        b.d = dev_alloc(d_bytes);
        args[f][i] = dw_gemm_args{};
        args[f][i].a = b.a.get();
        args[f][i].b = b.b.get();
        args[f][i].d = b.d.get();
        args[f][i].scale_a = b.sa.get();
        args[f][i].scale_b = b.sb.get();
      }
      dw_gemm_desc desc{};
      desc.m = s.m;
      desc.n = s.n;
      desc.k = s.k;
      desc.input = in;
      desc.output = DW_GEMM_OUT_BF16;
      desc.alpha = 1;
      desc.out_scale = 1;
      struct Want {
        dw_gemm_backend backend;
        int variant, swizzle;
        std::string label;
      };
      std::vector<Want> wants = {{DW_GEMM_BACKEND_CUTLASS_SM90, -1, 0, "ours(auto)"}};
      const int nv = dw_gemm_variant_count(DW_GEMM_BACKEND_CUTLASS_SM90, in);
      // DW_BENCH_VARIANTS=3,6: only those of our configurations (a sweep of one knob); default all.
      const char* only_variants = std::getenv("DW_BENCH_VARIANTS");
      auto wanted = [&](int v) {
        if (only_variants == nullptr) return true;
        const std::string list = std::string(",") + only_variants + ",";
        return list.find("," + std::to_string(v) + ",") != std::string::npos;
      };
      for (int v = 0; v < nv; ++v)
        if (wanted(v)) wants.push_back({DW_GEMM_BACKEND_CUTLASS_SM90, v, 0, "ours(v" + std::to_string(v) + ")"});
      if (sweep)
        for (int sw : {2, 4, 8}) wants.push_back({DW_GEMM_BACKEND_CUTLASS_SM90, -1, sw, "ours(auto,swz" + std::to_string(sw) + ")"});
      if (in != DW_GEMM_IN_MXFP8)  // cuBLASLt's MXFP8 (VEC32_UE8M0) is Blackwell-only
        wants.push_back({DW_GEMM_BACKEND_CUBLASLT, -1, 0, "cublaslt"});
      if (in == DW_GEMM_IN_BF16 && s.m == 4096 && s.n == 4096) wants.push_back({DW_GEMM_BACKEND_REFERENCE, -1, 0, "reference"});
      for (const auto& w : wants) {
        Candidate c;
        c.label = std::string(input_name(in)) + " " + w.label;
        c.input = in;
        c.desc = desc;
        c.sets = &args[f];
        c.plan.swizzle = w.swizzle;
        const dw_status st = dw_gemm_plan(0, &desc, w.backend, w.variant, &c.plan);
        if (st != DW_SUCCESS) {
          std::printf("bench %-40s %5" PRId64 "x%5" PRId64 "x%5" PRId64 ": %s %s\n", c.label.c_str(), s.m, s.n, s.k,
                      status_name(st), last_error().c_str());
          continue;
        }
        if (!prepare_candidate(c, ws, ws_bytes, stream)) {
          std::printf("bench %-40s: run failed: %s\n", c.label.c_str(), last_error().c_str());
          continue;
        }
        cands.push_back(std::move(c));
      }
    }
    for (auto& c : cands) launch_candidate(c, ws, ws_bytes, stream);  // one warm pass
    time_in_shuffled_rounds(cands, kRounds, seed, stream,
                            [&](Candidate& c) { launch_candidate(c, ws, ws_bytes, stream); });
    for (auto& c : cands) {
      const int f = static_cast<int>(std::find(inputs, inputs + kFormats, c.input) - inputs);
      // Every configuration's own output, checked: poison, one call, sampled rows vs FP64.
      dw_gemm_args& a0 = args[f][0];
      CK(cudaMemsetAsync(const_cast<void*>(a0.d), 0xFF, d_bytes, stream));
      const dw_status st = dw_gemm_run(&c.desc, &a0, &c.plan, ws, ws_bytes, stream);
      CK(cudaStreamSynchronize(stream));
      std::sort(c.ms.begin(), c.ms.end());
      BenchRow row;
      row.s = s;
      row.label = c.label;
      row.kernel = c.plan.name;
      row.swizzle = c.plan.swizzle;
      row.ms = c.ms[c.ms.size() / 2];
      row.tflops = 2.0 * s.m * s.n * s.k / (row.ms * 1e-3) / 1e12;
      row.rel = st == DW_SUCCESS ? sample_check(probs[f], sample, accs[f], a0.d, DW_GEMM_OUT_BF16) : INFINITY;
      const double spread = (c.ms.back() - c.ms.front()) / row.ms;
      std::printf("bench %-34s %5" PRId64 "x%5" PRId64 "x%5" PRId64 " %-54s swz=%d %8.4f ms %7.1f TFLOP/s spread=%4.1f%% rel=%.2e%s\n",
                  row.label.c_str(), s.m, s.n, s.k, row.kernel.c_str(), row.swizzle, row.ms, row.tflops, 100 * spread,
                  row.rel, row.rel <= 4e-3 ? "" : "  <-- WRONG");
      json("{\"kind\":\"bench\",\"label\":\"%s\",\"m\":%" PRId64 ",\"n\":%" PRId64 ",\"k\":%" PRId64
           ",\"kernel\":\"%s\",\"swizzle\":%d,\"ms\":%.5f,\"tflops\":%.2f,\"spread\":%.3f,\"sampled_rel\":%.3e}",
           row.label.c_str(), s.m, s.n, s.k, row.kernel.c_str(), row.swizzle, row.ms, row.tflops, spread, row.rel);
      rows.push_back(row);
      if (c.exec) CK(cudaGraphExecDestroy(c.exec));
      if (c.graph) CK(cudaGraphDestroy(c.graph));
    }
  }
  CK(cudaStreamDestroy(stream));
  return rows;
}

void print_bench_table(const std::vector<BenchRow>& rows) {
  // "auto" is what dw_gemm_plan picks; "best" the fastest of our configurations (with `kernel`:
  // of those whose kernel name contains it).
  auto value = [&](const Shape3& s, const std::string& label, bool prefix, const char* kernel = nullptr) {
    double best = 0;
    for (const auto& r : rows)
      if (r.s.m == s.m && r.s.n == s.n && r.s.k == s.k && r.rel >= 0 && r.rel <= 4e-3 &&
          (prefix ? r.label.rfind(label, 0) == 0 : r.label == label) &&
          (kernel == nullptr || r.kernel.find(kernel) != std::string::npos))
        best = std::max(best, r.tflops);
    return best;
  };
  std::vector<Shape3> shapes;
  for (const auto& r : rows) {
    bool seen = false;
    for (const auto& s : shapes) seen |= (s.m == r.s.m && s.n == r.s.n && s.k == r.s.k);
    if (!seen) shapes.push_back(r.s);
  }
  std::printf("\n%-18s %8s %8s %8s %6s | %8s %8s %6s | %8s %8s %7s\n", "MxNxK", "bf16", "best", "cuLt", "ratio",
              "fp8t", "cuLt", "ratio", "fp8blk", "best", "blk/bf16");
  double lg_bf16 = 0, lg_fp8 = 0;
  int nb = 0, nf = 0;
  for (const auto& s : shapes) {
    const double ba = value(s, "bf16 ours(auto)", false), bb = value(s, "bf16 ours(", true);
    const double bl = value(s, "bf16 cublaslt", false);
    const double fa = value(s, "fp8_tensor ours(auto)", false), fl = value(s, "fp8_tensor cublaslt", false);
    const double ka = value(s, "fp8_block128 ours(auto)", false), kb = value(s, "fp8_block128 ours(", true);
    char name[32];
    std::snprintf(name, sizeof name, "%" PRId64 "x%" PRId64 "x%" PRId64, s.m, s.n, s.k);
    std::printf("%-18s %8.1f %8.1f %8.1f %6.3f | %8.1f %8.1f %6.3f | %8.1f %8.1f %7.3f\n", name, ba, bb, bl,
                bl > 0 ? ba / bl : 0.0, fa, fl, fl > 0 ? fa / fl : 0.0, ka, kb, ba > 0 ? ka / ba : 0.0);
    if (ba > 0 && bl > 0) lg_bf16 += std::log(ba / bl), ++nb;
    if (fa > 0 && fl > 0) lg_fp8 += std::log(fa / fl), ++nf;
  }
  if (nb) std::printf("geomean BF16 auto/cuBLASLt: %.3f over %d shapes\n", std::exp(lg_bf16 / nb), nb);
  // FP8 block (1x128 A, 128x128 B): ours and cuBLASLt's (12.9+ on Hopper), each against our BF16;
  // issue 5 asks >= 1.6 at 8192^3.
  std::printf("\n%-18s %8s %8s %8s %8s %8s %9s %9s\n", "MxNxK", "bf16", "fp8blk", "best", "cuLt", "blk/cuLt",
              "blk/bf16", "cuLt/bf16");
  for (const auto& s : shapes) {
    const double ba = value(s, "bf16 ours(auto)", false);
    const double ka = value(s, "fp8_block128 ours(auto)", false), kb = value(s, "fp8_block128 ours(", true);
    const double kl = value(s, "fp8_block128 cublaslt", false);
    char name[32];
    std::snprintf(name, sizeof name, "%" PRId64 "x%" PRId64 "x%" PRId64, s.m, s.n, s.k);
    std::printf("%-18s %8.1f %8.1f %8.1f %8.1f %8.3f %9.3f %9.3f\n", name, ba, ka, kb, kl, kl > 0 ? ka / kl : 0.0,
                ba > 0 ? ka / ba : 0.0, ba > 0 ? kl / ba : 0.0);
  }
  // MXFP8 on sm90 against our BF16 (issue 5 asks >= 0.9): the three ways, the dequantizing pass +
  // BF16 tiles (best of its variants), the wgmma kernel that applies the scales while accumulating,
  // and the fused kernel (A dequantized in registers, B by a pass; best of its two tiles).
  std::printf("\n%-18s %8s %8s %8s %8s %8s %8s %8s %8s %8s\n", "MxNxK", "bf16", "mx auto", "mx deq", "mx wgmma",
              "mx fused", "auto/bf16", "deq/bf16", "wg/bf16", "fu/bf16");
  double lg_mx = 0, lg_deq = 0, lg_wg = 0, lg_fu = 0;
  int nm = 0, nd = 0, nw = 0, nu = 0;
  for (const auto& s : shapes) {
    const double ba = value(s, "bf16 ours(auto)", false);
    const double ma = value(s, "mxfp8 ours(auto)", false);
    const double md = value(s, "mxfp8 ours(v", true, "mxfp8_deq");
    const double mw = value(s, "mxfp8 ours(v", true, "mxfp8_wgmma");
    const double mf = value(s, "mxfp8 ours(v", true, "mxfp8_fused");
    char name[32];
    std::snprintf(name, sizeof name, "%" PRId64 "x%" PRId64 "x%" PRId64, s.m, s.n, s.k);
    std::printf("%-18s %8.1f %8.1f %8.1f %8.1f %8.1f %8.3f %8.3f %8.3f %8.3f\n", name, ba, ma, md, mw, mf,
                ba > 0 ? ma / ba : 0.0, ba > 0 ? md / ba : 0.0, ba > 0 ? mw / ba : 0.0, ba > 0 ? mf / ba : 0.0);
    if (ba > 0 && ma > 0) lg_mx += std::log(ma / ba), ++nm;
    if (ba > 0 && md > 0) lg_deq += std::log(md / ba), ++nd;
    if (ba > 0 && mw > 0) lg_wg += std::log(mw / ba), ++nw;
    if (ba > 0 && mf > 0) lg_fu += std::log(mf / ba), ++nu;
  }
  if (nd) std::printf("geomean MXFP8 dequantizing (best variant)/BF16 auto: %.3f over %d shapes\n", std::exp(lg_deq / nd), nd);
  if (nw) std::printf("geomean MXFP8 wgmma/BF16 auto: %.3f over %d shapes\n", std::exp(lg_wg / nw), nw);
  if (nu) std::printf("geomean MXFP8 fused (best tile)/BF16 auto: %.3f over %d shapes\n", std::exp(lg_fu / nu), nu);
  if (nm) std::printf("geomean MXFP8 auto/BF16 auto: %.3f over %d shapes\n", std::exp(lg_mx / nm), nm);
  if (nf) std::printf("geomean FP8 per-tensor auto/cuBLASLt: %.3f over %d shapes\n", std::exp(lg_fp8 / nf), nf);
}

}  // namespace

int main(int argc, char** argv) {
  bool check = false, bench = false, quick = false, sweep = false, gemv_only = false, nvfp4w = false;
  std::string out_dir;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--check") check = true;
    else if (a == "--bench") bench = true;
    else if (a == "--quick") quick = true;
    else if (a == "--sweep") sweep = true;
    else if (a == "--gemv-only") gemv_only = true;  // the decode GEMV's checks / benchmark alone
    else if (a == "--nvfp4w") nvfp4w = true;  // the NVFP4-weight GEMM's benchmark (any M) alone
    else if (a == "--out" && i + 1 < argc) out_dir = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--check] [--bench] [--quick] [--sweep] [--gemv-only] [--nvfp4w] [--out DIR]\n"
                           "  DW_GEMV_SHAPES / DW_BENCH_SHAPES=MxNxK,... restrict the GEMV / dense benchmark's shapes\n"
                           "  DW_BENCH_INPUTS=bf16,fp8_tensor,fp8_block128,mxfp8 restricts its formats\n", argv[0]);
      return 2;
    }
  }
  if (!check && !bench) check = true;
  if (!out_dir.empty()) {
    g_json = std::fopen((out_dir + "/gemm_results.jsonl").c_str(), "w");
    if (!g_json) std::fprintf(stderr, "cannot write %s/gemm_results.jsonl\n", out_dir.c_str());
  }
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
    std::printf("SKIP: no CUDA device\n");
    return 0;
  }
  cudaDeviceProp prop{};
  CK(cudaGetDeviceProperties(&prop, 0));
  std::printf("device: %s, cc %d.%d, %d SMs, L2 %d MB\n", prop.name, prop.major, prop.minor,
              prop.multiProcessorCount, prop.l2CacheSize >> 20);
  json("{\"kind\":\"device\",\"name\":\"%s\",\"cc\":\"%d.%d\",\"sms\":%d}", prop.name, prop.major, prop.minor,
       prop.multiProcessorCount);
  dw_library_report lib{};
  const dw_status lt = dw_optional_library(DW_LIBRARY_CUBLASLT, &lib);
  std::printf("cuBLASLt: %s (%s, version %d)\n", lt == DW_SUCCESS ? "available" : "NOT available", lib.detail,
              lib.version);
  const bool sm90 = prop.major == 9 && prop.minor == 0 && dw_gemm_variant_count(DW_GEMM_BACKEND_CUTLASS_SM90, DW_GEMM_IN_BF16) > 0;
  // MXFP8's BF16 operand copies: 2 (M+N) K bytes, 256 MiB at 8192^3, 1.1 GiB for the benchmark's
  // K = 32768 dgrad and M = 32768 wgrad.
  const size_t ws_bytes = size_t(2) << 30;
  DevPtr ws = dev_alloc(ws_bytes);
  int rc = 0;
  if (check) {
    const auto t0 = std::chrono::steady_clock::now();
    rc |= run_checks(sm90, gemv_only, ws.get(), ws_bytes);
    std::printf("check time: %.1f s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  if (nvfp4w) {
    if (bench) run_nvfp4w_bench(ws.get(), ws_bytes);
  } else if (gemv_only) {
    if (bench) run_gemv_bench(ws.get(), ws_bytes, quick);
  } else if (bench) {
    const auto rows = run_bench(ws.get(), ws_bytes, quick, sweep);
    print_bench_table(rows);
    run_gemv_bench(ws.get(), ws_bytes, quick);
  }
  if (g_json) std::fclose(g_json);
  return rc;
}
