// The C ABI of deepwell/quantize.h: argument checks (each failure names the argument), sizes,
// and the launch sequence of each format. Kernels live in the family files; this file only
// decides what runs, in which order, on the caller's stream.
#include <cinttypes>
#include <cstdlib>
#include <cstring>

#include "../runtime/internal.h"
#include "deepwell/quantize.h"
#include "quant_launch.h"

namespace {

using dwq::Elem;
using dwq::Kind;

const char* format_name(int32_t f) {
  static const char* names[] = {"mxfp8-e4m3", "mxfp8-e5m2", "mxfp4", "nvfp4", "nvfp4-2d", "fp8-tensor", "fp8-block"};
  return f >= 0 && f <= 6 ? names[f] : "?";
}

int block_size(int32_t f) { return f <= 2 ? 32 : (f <= 4 ? 16 : (f == 5 ? 0 : 128)); }
bool is_nvfp4(int32_t f) { return f == DW_QUANT_NVFP4 || f == DW_QUANT_NVFP4_2D; }
bool is_fp4(int32_t f) { return f == DW_QUANT_MXFP4 || is_nvfp4(f); }
bool byte_scales(int32_t f) { return f <= 4; }
bool has_tensor_scale(int32_t f) { return is_nvfp4(f) || f == DW_QUANT_FP8_TENSOR; }
bool two_d(const dw_quant_options* o) {
  return o->format == DW_QUANT_NVFP4_2D ||
         (o->format == DW_QUANT_FP8_BLOCK && o->fp8_block_shape == DW_QUANT_FP8_BLOCK_128X128);
}

dw_status check_options(const dw_quant_options* o, const char* op) {
  if (o == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "options is null");
  if (o->format < 0 || o->format > 6) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "options.format %d is not a dw_quant_format", o->format);
  if (o->scale_rule != DW_QUANT_SCALE_OCP && o->scale_rule != DW_QUANT_SCALE_CEIL) {
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "options.scale_rule %d is not OCP (0) or CEIL (1)", o->scale_rule);
  }
  if (o->fp8_block_shape != DW_QUANT_FP8_BLOCK_1X128 && o->fp8_block_shape != DW_QUANT_FP8_BLOCK_128X128) {
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "options.fp8_block_shape %d is not 1x128 (0) or 128x128 (1)",
                    o->fp8_block_shape);
  }
  if ((o->stochastic_rounding & ~1) != 0 || (o->hadamard16 & ~1) != 0) {
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "options.stochastic_rounding (%d) and options.hadamard16 (%d) must be 0 or 1",
                    o->stochastic_rounding, o->hadamard16);
  }
  if (o->hadamard16 && !is_nvfp4(o->format)) {
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "hadamard16 applies only to nvfp4 and nvfp4-2d, not %s",
                    format_name(o->format));
  }
  switch (o->scale_layout) {
    case DW_QUANT_LAYOUT_ROW_MAJOR: break;
    case DW_QUANT_LAYOUT_SWIZZLED_128X4:
      if (!byte_scales(o->format)) {
        return dw::fail(DW_ERROR_INVALID_ARGUMENT, op,
                        "scale layout SWIZZLED_128X4 applies only to one-byte block scales (MX, NVFP4), not %s",
                        format_name(o->format));
      }
      break;
    case DW_QUANT_LAYOUT_MN_MAJOR:
      if (o->format != DW_QUANT_FP8_BLOCK || o->fp8_block_shape != DW_QUANT_FP8_BLOCK_1X128) {
        return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "scale layout MN_MAJOR applies only to fp8-block 1x128, not %s%s",
                        format_name(o->format), o->format == DW_QUANT_FP8_BLOCK ? " 128x128" : "");
      }
      break;
    default:
      return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "options.scale_layout %d is not a dw_quant_scale_layout", o->scale_layout);
  }
  return DW_SUCCESS;
}

dw_status check_shape(const dw_quant_options* o, int64_t rows, int64_t cols, int32_t axis, const char* op) {
  if (rows < 1 || rows > INT32_MAX) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "rows must be in [1, 2^31), got %" PRId64, rows);
  if (cols < 1 || cols > INT32_MAX) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "cols must be in [1, 2^31), got %" PRId64, cols);
  if (axis != DW_QUANT_AXIS_ROW && axis != DW_QUANT_AXIS_COL) {
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "axis %d is not ROW (0) or COL (1)", axis);
  }
  const int b = block_size(o->format);
  const int64_t blocked = axis == DW_QUANT_AXIS_ROW ? cols : rows;
  if (b > 0 && blocked % b != 0) {
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op,
                    "%s (%" PRId64 ") must be a multiple of the %s block size %d for axis %s (shape [%" PRId64 ", %" PRId64 "])",
                    axis == DW_QUANT_AXIS_ROW ? "cols" : "rows", blocked, format_name(o->format), b,
                    axis == DW_QUANT_AXIS_ROW ? "ROW" : "COL", rows, cols);
  }
  return DW_SUCCESS;
}

void layout_info(const dw_quant_options* o, int64_t rows, int64_t cols, int32_t axis, dw_quant_layout_info* out) {
  const int64_t sr = axis == DW_QUANT_AXIS_ROW ? rows : cols, sc = axis == DW_QUANT_AXIS_ROW ? cols : rows;
  const int f = o->format;
  out->data_bytes = static_cast<uint64_t>(rows * cols / (is_fp4(f) ? 2 : 1));
  out->has_tensor_scale = has_tensor_scale(f) ? 1 : 0;
  if (f == DW_QUANT_FP8_TENSOR) {
    out->scale_rows = out->scale_cols = 0;
    out->scale_bytes = 0;
    return;
  }
  const int b = block_size(f);
  out->scale_rows = two_d(o) && f == DW_QUANT_FP8_BLOCK ? (sr + 127) / 128 : sr;
  out->scale_cols = sc / b;
  if (f == DW_QUANT_FP8_BLOCK) {
    out->scale_bytes = static_cast<uint64_t>(4 * out->scale_rows * out->scale_cols);
  } else if (o->scale_layout == DW_QUANT_LAYOUT_SWIZZLED_128X4) {
    out->scale_bytes = static_cast<uint64_t>((out->scale_rows + 127) / 128 * 128 * ((out->scale_cols + 3) / 4 * 4));
  } else {
    out->scale_bytes = static_cast<uint64_t>(out->scale_rows * out->scale_cols);
  }
}

bool misaligned(const void* p, uintptr_t a) { return (reinterpret_cast<uintptr_t>(p) & (a - 1)) != 0; }

// Which kernel and grid (DEEPWELL_QUANT_GRID, read once per process):
//   (unset)     pipe3 where pipe_eligible() accepts the call, else the tile kernel: on an H100
//               (2026-11-26) pipe3 was the fastest or within 3% of the fastest for every format
//               and byte-exact in every check (docs/PERFORMANCE.md);
//   tile        the tile kernel, one CTA per tile (the default until 2026-11-26);
//   persistent  the tile kernel on as many CTAs as fit, each striding over the tiles and loading
//               its next tile while it works on the current one; on an H100 (2026-11-25) slower
//               for every format but NVFP4 with the Hadamard transform (MXFP8 ROW+COL 0.350 ms
//               against 0.272 ms);
//   pipe        the pipelined kernel (quant_pipe.cuh) where pipe_eligible() accepts the call,
//               else the tile kernel. DEEPWELL_QUANT_GROUP (tile rows per band of its visiting
//               order, default 8) and DEEPWELL_QUANT_MAX_CTAS (cap on its grid, default 0 = as
//               many as fit; the checks use a small cap so that every CTA walks many tiles) tune it;
//   pipe1       its first version, as measured on an H100 on 2026-11-25 (64-row tiles, ROW codes
//               stored as two half-sector writes per sector), kept for comparison;
//   pipe3       the third version (quant_pipe3.cuh: about half the instructions per element, one
//               barrier per tile, block scales stored once per group of tiles). Its knobs:
//               DEEPWELL_QUANT_TILES=RxC (tiles per group, powers of two up to 8, default 8x2,
//               shrunk until the group's scales fit 8 KB), DEEPWELL_QUANT_STORE=ef (codes and
//               scales stored with an L2 evict-first hint; default evict-normal),
//               DEEPWELL_QUANT_MXMUL=fp32 (MX elements scaled by FP32 multiplies instead of the
//               packed BF16 multiply), DEEPWELL_QUANT_FETCH=tma (pipe3: the input ring filled by
//               TMA copies handed over by mbarriers, without a CTA barrier per tile, instead of
//               every thread's cp.async; not with MXMUL=fp32 nor for FP8 128x128 blocks),
//               DEEPWELL_QUANT_GROUP (band height in tile rows, default 8),
//               DEEPWELL_QUANT_CTAS_PER_SM=1|2 (CTAs per SM of its grid, default 1: see
//               launch_pipe3_kernel), DEEPWELL_QUANT_MAX_CTAS (cap on the grid),
//               DEEPWELL_QUANT_DYNAMIC=0|1 (groups claimed from a counter in the workspace: never /
//               whenever dw_quantize has a workspace; default: per kind, pipe3_claims_groups).
// Results are identical whichever runs (the checks and the tests cover each).
struct GridKnobs {
  bool persistent = false;
  bool pipe = false;
  int pipe_version = 2;
  uint32_t group = 8;
  uint32_t max_ctas = 0;
  uint32_t tiles_r = 8, tiles_c = 2;
  uint32_t store_evict_first = 0;
  uint32_t mx_mul_fp32 = 0;
  uint32_t fetch_tma = 0;
  uint32_t ctas_per_sm = 1;
  uint32_t dynamic = 2;  // 0 never, 1 whenever a workspace is given, 2 per kind (pipe3_claims_groups)
};

// "RxC" with R, C in {1, 2, 4, 8}; anything else leaves the defaults.
void parse_tiles(const char* v, uint32_t& r, uint32_t& c) {
  if (v == nullptr) return;
  char* end = nullptr;
  const unsigned long a = std::strtoul(v, &end, 10);
  if (end == nullptr || *end != 'x') return;
  const unsigned long b = std::strtoul(end + 1, &end, 10);
  auto ok = [](unsigned long n) { return n == 1 || n == 2 || n == 4 || n == 8; };
  if (end != nullptr && *end == '\0' && ok(a) && ok(b)) {
    r = static_cast<uint32_t>(a);
    c = static_cast<uint32_t>(b);
  }
}

uint32_t env_u32(const char* name, uint32_t fallback, uint32_t lo, uint32_t hi) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  const unsigned long n = std::strtoul(v, &end, 10);
  return (end != nullptr && *end == '\0' && n >= lo && n <= hi) ? static_cast<uint32_t>(n) : fallback;
}

const GridKnobs& grid_knobs() {
  static const GridKnobs knobs = [] {
    GridKnobs k;
    k.pipe = true;
    k.pipe_version = 3;
    const char* v = std::getenv("DEEPWELL_QUANT_GRID");
    if (v != nullptr && (std::strcmp(v, "tile") == 0 || std::strcmp(v, "persistent") == 0)) k.pipe = false;
    if (v != nullptr && std::strcmp(v, "pipe") == 0) k.pipe_version = 2;
    if (v != nullptr && std::strcmp(v, "persistent") == 0) k.persistent = true;
    if (v != nullptr && std::strcmp(v, "pipe") == 0) k.pipe = true;
    if (v != nullptr && std::strcmp(v, "pipe1") == 0) {
      k.pipe = true;
      k.pipe_version = 1;
    }
    if (v != nullptr && std::strcmp(v, "pipe3") == 0) {
      k.pipe = true;
      k.pipe_version = 3;
    }
    k.group = env_u32("DEEPWELL_QUANT_GROUP", 8, 1, 1u << 20);
    k.max_ctas = env_u32("DEEPWELL_QUANT_MAX_CTAS", 0, 0, 1u << 30);
    parse_tiles(std::getenv("DEEPWELL_QUANT_TILES"), k.tiles_r, k.tiles_c);
    const char* st = std::getenv("DEEPWELL_QUANT_STORE");
    k.store_evict_first = (st != nullptr && std::strcmp(st, "ef") == 0) ? 1u : 0u;
    const char* mm = std::getenv("DEEPWELL_QUANT_MXMUL");
    k.mx_mul_fp32 = (mm != nullptr && std::strcmp(mm, "fp32") == 0) ? 1u : 0u;
    const char* fe = std::getenv("DEEPWELL_QUANT_FETCH");
    k.fetch_tma = (fe != nullptr && std::strcmp(fe, "tma") == 0) ? 1u : 0u;
    k.ctas_per_sm = env_u32("DEEPWELL_QUANT_CTAS_PER_SM", 1, 1, 2);
    k.dynamic = env_u32("DEEPWELL_QUANT_DYNAMIC", 2, 0, 1);
    return k;
  }();
  return knobs;
}

// What the pipelined kernel covers: whole tiles of 16-byte aligned rows, round-to-nearest, no
// Hadamard transform, 1-D scales for NVFP4 (quant_launch.h).
// pipe3 also computes element offsets in 32 bits: rows * cols < 2^31.
bool pipe_eligible(const dw_quant_options* o, Kind kind, int version, int64_t rows, int64_t cols, bool vec_ok) {
  if (o->stochastic_rounding || o->hadamard16 || o->format == DW_QUANT_NVFP4_2D) return false;
  if (version == 3 && rows * cols >= (int64_t{1} << 31)) return false;
  return vec_ok && rows % dwq::pipe_tile_rows(kind, version) == 0 && cols % 128 == 0;
}

// Whether pipe3 claims its groups of tiles from a counter (where dw_quantize has a workspace)
// rather than walking a fixed share each. Measured on H100 (2026-11-26, session 6, three
// alternating rounds, % of copy, fixed -> claimed): MXFP8 ROW+COL 85.8-85.9 -> 87.0-87.1, FP8
// 1x128 ROW+COL 83.2-83.4 -> 85.0-85.1, FP8 per-tensor ROW+COL (amax pass) 60.2-60.6 -> 61.3; but
// MXFP4 90.2-90.7 -> 88.7-88.8 and FP8 128x128 87.2-87.6 -> 85.6-85.7, which keep the fixed
// shares (NVFP4: alike either way). With fixed shares the SMs were active 88% of the elapsed
// cycles on average (Nsight Compute): some CTAs finish their share well before others.
bool pipe3_claims_groups(Kind kind, int format, bool two_d_blocks) {
  switch (kind) {
    case Kind::MX: return format != DW_QUANT_MXFP4;
    case Kind::FP8_BLOCK: return !two_d_blocks;
    case Kind::FP8_TENSOR: return true;
    case Kind::NV: return false;
  }
  return false;
}

// Where the pipe3 group counter lives in the workspace (after the two amax words).
constexpr size_t kGroupCounterOffset = 16;
static_assert(DW_QUANT_WORKSPACE_BYTES >= kGroupCounterOffset + 4, "the workspace holds the amax words and the counter");

dw_status check_output(const dw_quant_output* out, const dw_quant_options* o, const char* which, const char* op) {
  if (out->data == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "%s.data is null", which);
  if (misaligned(out->data, 16)) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "%s.data %p is not 16-byte aligned", which, out->data);
  if (o->format != DW_QUANT_FP8_TENSOR) {
    if (out->scales == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "%s.scales is null", which);
    if (misaligned(out->scales, 4)) {
      return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "%s.scales %p is not 4-byte aligned", which, out->scales);
    }
  }
  if (has_tensor_scale(o->format)) {
    if (out->tensor_scale == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "%s.tensor_scale is null (%s has a tensor scale)", which, format_name(o->format));
    if (misaligned(out->tensor_scale, 4)) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "%s.tensor_scale is not 4-byte aligned", which);
  }
  return DW_SUCCESS;
}

// Swizzled scales with padding: the padding must read as zero (the reference's arrays are
// zero-filled), and the kernels write only real entries.
dw_status zero_padding(dw_stream stream, const dw_quant_options* o, int64_t rows, int64_t cols, int32_t axis,
                       void* scales, const char* op) {
  if (o->scale_layout != DW_QUANT_LAYOUT_SWIZZLED_128X4) return DW_SUCCESS;
  dw_quant_layout_info info;
  layout_info(o, rows, cols, axis, &info);
  if (info.scale_rows % 128 == 0 && info.scale_cols % 4 == 0) return DW_SUCCESS;
  return dw::check(cudaMemsetAsync(scales, 0, info.scale_bytes, stream->stream), op, "zeroing the scale padding");
}

}  // namespace

extern "C" {

dw_status dw_quant_layout(const dw_quant_options* options, int64_t rows, int64_t cols, int32_t axis,
                          dw_quant_layout_info* out) {
  static const char* op = "dw_quant_layout";
  if (out == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "out is null");
  dw_status s = check_options(options, op);
  if (s == DW_SUCCESS) s = check_shape(options, rows, cols, axis, op);
  if (s != DW_SUCCESS) return s;
  layout_info(options, rows, cols, axis, out);
  return DW_SUCCESS;
}

}  // extern "C"

namespace {

// dw_quantize and dw_quantize_with_amax: `given_amax` (device FP32) replaces the amax pass.
dw_status quantize_impl(dw_stream stream, const dw_quant_options* options, const void* x, int64_t rows, int64_t cols,
                        const dw_quant_output* row_out, const dw_quant_output* col_out, void* workspace,
                        const float* given_amax, const char* op) {
  if (stream == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "stream is null");
  dw_status s = check_options(options, op);
  if (s != DW_SUCCESS) return s;
  if (x == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "x is null");
  if (misaligned(x, 2)) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "x %p is not 2-byte aligned (BF16)", x);
  if (row_out == nullptr && col_out == nullptr) {
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "row_out and col_out are both null: nothing to write");
  }
  if (row_out != nullptr) {
    if ((s = check_shape(options, rows, cols, DW_QUANT_AXIS_ROW, op)) != DW_SUCCESS) return s;
    if ((s = check_output(row_out, options, "row_out", op)) != DW_SUCCESS) return s;
  }
  if (col_out != nullptr) {
    if ((s = check_shape(options, rows, cols, DW_QUANT_AXIS_COL, op)) != DW_SUCCESS) return s;
    if ((s = check_output(col_out, options, "col_out", op)) != DW_SUCCESS) return s;
  }
  const int f = options->format;
  if (given_amax != nullptr) {
    if (!has_tensor_scale(f)) {
      return dw::fail(DW_ERROR_INVALID_ARGUMENT, op,
                      "a given tensor amax applies only to formats with a tensor scale (nvfp4, nvfp4-2d, fp8-tensor), not %s",
                      format_name(f));
    }
    if (options->hadamard16) {
      return dw::fail(DW_ERROR_INVALID_ARGUMENT, op,
                      "hadamard16 needs the amax of each transformed view, which dw_quantize reduces itself; "
                      "a given tensor amax is not supported with it");
    }
    if (misaligned(given_amax, 4)) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "amax %p is not 4-byte aligned", given_amax);
  }
  const bool needs_amax = has_tensor_scale(f) && given_amax == nullptr;
  if (needs_amax && workspace == nullptr) {
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "workspace must be a 16-byte aligned device buffer of %d bytes for %s",
                    DW_QUANT_WORKSPACE_BYTES, format_name(f));
  }
  if (workspace != nullptr && misaligned(workspace, 16)) {  // every format: the amax words and the tile counter
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "workspace %p is not 16-byte aligned (a device buffer of %d bytes)",
                    workspace, DW_QUANT_WORKSPACE_BYTES);
  }
  const Kind kind = f <= 2 ? Kind::MX : (f <= 4 ? Kind::NV : (f == 5 ? Kind::FP8_TENSOR : Kind::FP8_BLOCK));
  const uint64_t tiles = dwq::tile_count(kind, static_cast<uint32_t>(rows), static_cast<uint32_t>(cols));
  if (tiles > INT32_MAX) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "shape [%" PRId64 ", %" PRId64 "] is too large", rows, cols);
  if ((s = dw::use_device(stream->device, op)) != DW_SUCCESS) return s;
  cudaStream_t cs = stream->stream;

  dwq::QuantParams p{};
  p.x = static_cast<const uint16_t*>(x);
  p.rows = static_cast<uint32_t>(rows);
  p.cols = static_cast<uint32_t>(cols);
  const dw_quant_output* outs[2] = {row_out, col_out};
  for (int o = 0; o < 2; ++o) {
    if (outs[o] == nullptr) continue;
    p.data[o] = static_cast<uint8_t*>(outs[o]->data);
    p.scales[o] = static_cast<uint8_t*>(outs[o]->scales);
    p.tensor_scale[o] = outs[o]->tensor_scale;
    if ((s = zero_padding(stream, options, rows, cols, o, outs[o]->scales, op)) != DW_SUCCESS) return s;
  }
  p.layout = static_cast<uint32_t>(options->scale_layout);
  p.ocp = options->scale_rule == DW_QUANT_SCALE_OCP ? 1u : 0u;
  p.seed = options->seed;
  p.had_mask = options->hadamard16 ? dwq::hadamard_sign_mask(options->seed) : 0u;
  p.vec_ok = (cols % 8 == 0 && !misaligned(x, 16)) ? 1u : 0u;
  const GridKnobs& knobs = grid_knobs();
  dwq::Grid grid{static_cast<uint32_t>(tiles), dw::sm_count(stream->device), knobs.persistent,
                 stream->device, knobs.group, knobs.max_ctas, knobs.pipe_version};
  grid.tiles_r = knobs.tiles_r;
  grid.tiles_c = knobs.tiles_c;
  grid.store_evict_first = knobs.store_evict_first;
  grid.mx_mul_fp32 = knobs.mx_mul_fp32;
  grid.fetch_tma = knobs.fetch_tma;
  grid.ctas_per_sm = knobs.ctas_per_sm;
  const bool sr = options->stochastic_rounding != 0, had = options->hadamard16 != 0;
  const bool pipe = knobs.pipe && pipe_eligible(options, kind, knobs.pipe_version, rows, cols, p.vec_ok != 0);
  const bool claim = pipe && knobs.pipe_version == 3 && workspace != nullptr &&
                     (knobs.dynamic == 2 ? pipe3_claims_groups(kind, f, two_d(options)) : knobs.dynamic == 1);
  if (claim) grid.group_counter = reinterpret_cast<uint32_t*>(static_cast<uint8_t*>(workspace) + kGroupCounterOffset);
  // One memset zeroes what this call uses of the workspace: the amax words and/or the counter.
  if (needs_amax || claim) {
    const size_t from = needs_amax ? 0 : kGroupCounterOffset, to = claim ? kGroupCounterOffset + 4 : 2 * sizeof(uint32_t);
    if ((s = dw::check(cudaMemsetAsync(static_cast<uint8_t*>(workspace) + from, 0, to - from, cs), op,
                       "zeroing the workspace")) != DW_SUCCESS) {
      return s;
    }
  }

  if (needs_amax) {
    uint32_t* amax = static_cast<uint32_t*>(workspace);
    if (had) {
      dwq::QuantParams a = p;
      a.data[0] = a.data[1] = nullptr;
      a.amax_out = amax;
      a.amax_dirs = (row_out != nullptr ? 1u : 0u) | (col_out != nullptr ? 2u : 0u);
      dwq::launch_nvfp4_had_amax(a, grid, cs);
      if ((s = dw::after_launch(stream, "kernel dwq_nvfp4_hadamard_amax")) != DW_SUCCESS) return s;
    } else {
      dwq::launch_amax_bf16(p.x, static_cast<uint64_t>(rows) * static_cast<uint64_t>(cols), amax,
                            dw::sm_count(stream->device), cs);
      if ((s = dw::after_launch(stream, "kernel dwq_amax_bf16")) != DW_SUCCESS) return s;
    }
    p.amax = amax;
  } else if (given_amax != nullptr) {
    p.amax = reinterpret_cast<const uint32_t*>(given_amax);  // read as FP32 bits, as the reduced amax
  }
  switch (kind) {
    case Kind::MX: {
      const Elem e = f == 0 ? Elem::E4M3 : (f == 1 ? Elem::E5M2 : Elem::E2M1);
      pipe ? dwq::launch_mx_pipe(p, e, grid, cs) : dwq::launch_mx(p, e, sr, grid, cs);
      return dw::after_launch(stream, "kernel dwq_mx_quantize");
    }
    case Kind::NV:
      pipe ? dwq::launch_nvfp4_pipe(p, grid, cs) : dwq::launch_nvfp4(p, f == DW_QUANT_NVFP4_2D, sr, had, grid, cs);
      return dw::after_launch(stream, "kernel dwq_nvfp4_quantize");
    case Kind::FP8_BLOCK:
      pipe ? dwq::launch_fp8_block_pipe(p, two_d(options), grid, cs) : dwq::launch_fp8_block(p, two_d(options), sr, grid, cs);
      return dw::after_launch(stream, "kernel dwq_fp8_block_quantize");
    case Kind::FP8_TENSOR:
      pipe ? dwq::launch_fp8_tensor_pipe(p, grid, cs) : dwq::launch_fp8_tensor(p, sr, grid, cs);
      return dw::after_launch(stream, "kernel dwq_fp8_tensor_quantize");
  }
  return dw::fail(DW_ERROR_INTERNAL, op, "unhandled format %d", f);
}

}  // namespace

extern "C" {

dw_status dw_quantize(dw_stream stream, const dw_quant_options* options, const void* x, int64_t rows, int64_t cols,
                      const dw_quant_output* row_out, const dw_quant_output* col_out, void* workspace) {
  return quantize_impl(stream, options, x, rows, cols, row_out, col_out, workspace, nullptr, "kernel dw_quantize");
}

dw_status dw_quantize_with_amax(dw_stream stream, const dw_quant_options* options, const void* x, int64_t rows,
                                int64_t cols, const dw_quant_output* row_out, const dw_quant_output* col_out,
                                const float* amax) {
  static const char* op = "kernel dw_quantize_with_amax";
  if (amax == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "amax is null");
  return quantize_impl(stream, options, x, rows, cols, row_out, col_out, nullptr, amax, op);
}

dw_status dw_dequantize(dw_stream stream, const dw_quant_options* options, int64_t rows, int64_t cols, int32_t axis,
                        const void* data, const void* scales, const float* tensor_scale, void* out, int32_t out_type) {
  static const char* op = "kernel dw_dequantize";
  if (stream == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "stream is null");
  dw_status s = check_options(options, op);
  if (s == DW_SUCCESS) s = check_shape(options, rows, cols, axis, op);
  if (s != DW_SUCCESS) return s;
  const int f = options->format;
  if (data == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "data is null");
  if (f != DW_QUANT_FP8_TENSOR && scales == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "scales is null");
  if (f == DW_QUANT_FP8_BLOCK && misaligned(scales, 4)) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "FP32 scales are not 4-byte aligned");
  if (has_tensor_scale(f) && (tensor_scale == nullptr || misaligned(tensor_scale, 4))) {
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "tensor_scale is null or misaligned (%s has a tensor scale)", format_name(f));
  }
  if (out == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "out is null");
  if (out_type != DW_DEQUANT_F32 && out_type != DW_DEQUANT_BF16) {
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "out_type %d is not F32 (0) or BF16 (1)", out_type);
  }
  if (misaligned(out, out_type == DW_DEQUANT_F32 ? 4 : 2)) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "out %p is misaligned", out);
  if ((s = dw::use_device(stream->device, op)) != DW_SUCCESS) return s;
  dwq::DequantParams d{};
  d.data = static_cast<const uint8_t*>(data);
  d.scales = static_cast<const uint8_t*>(scales);
  d.tensor_scale = tensor_scale;
  d.out = out;
  d.rows = static_cast<uint32_t>(rows);
  d.cols = static_cast<uint32_t>(cols);
  d.axis = static_cast<uint32_t>(axis);
  d.layout = static_cast<uint32_t>(options->scale_layout);
  d.two_d = two_d(options) ? 1u : 0u;
  d.had_mask = options->hadamard16 ? dwq::hadamard_sign_mask(options->seed) : 0u;
  d.bf16_out = out_type == DW_DEQUANT_BF16 ? 1u : 0u;
  dwq::launch_dequantize(d, f, options->hadamard16 != 0, dw::sm_count(stream->device), stream->stream);
  return dw::after_launch(stream, "kernel dwq_dequantize");
}

dw_status dw_quant_amax_bf16(dw_stream stream, const void* x, uint64_t count, float* amax_out) {
  static const char* op = "kernel dw_quant_amax_bf16";
  if (stream == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "stream is null");
  if (x == nullptr || misaligned(x, 2)) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "x is null or not 2-byte aligned");
  if (amax_out == nullptr || misaligned(amax_out, 4)) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "amax_out is null or misaligned");
  if (count == 0) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "count is 0");
  dw_status s = dw::use_device(stream->device, op);
  if (s != DW_SUCCESS) return s;
  if ((s = dw::check(cudaMemsetAsync(amax_out, 0, 4, stream->stream), op, "zeroing amax_out")) != DW_SUCCESS) return s;
  dwq::launch_amax_bf16(static_cast<const uint16_t*>(x), count, reinterpret_cast<uint32_t*>(amax_out),
                        dw::sm_count(stream->device), stream->stream);
  return dw::after_launch(stream, op);
}

}  // extern "C"
