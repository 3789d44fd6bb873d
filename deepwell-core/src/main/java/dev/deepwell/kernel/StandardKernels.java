package dev.deepwell.kernel;

import static dev.deepwell.ir.TensorFormat.BF16;
import static dev.deepwell.ir.TensorFormat.FP32;
import static dev.deepwell.ir.TensorFormat.FP8_BLOCK_128X128;
import static dev.deepwell.ir.TensorFormat.FP8_BLOCK_1X128;
import static dev.deepwell.ir.TensorFormat.FP8_TENSOR;
import static dev.deepwell.ir.TensorFormat.INT32;
import static dev.deepwell.ir.TensorFormat.MXFP8;
import static dev.deepwell.ir.TensorFormat.NVFP4;
import static dev.deepwell.ir.TensorFormat.NVFP4_2D;

import dev.deepwell.ir.Fusion;
import dev.deepwell.ir.OpKind;
import dev.deepwell.ir.TensorFormat;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The standard kernel catalogue. GPU entries describe what each library offers per architecture
 * (CUTLASS 4 collective builders, cuBLASLt 12.8+/12.9+) and what Deepwell's reference CUDA kernels
 * cover; they let the compiler plan for any target. A GPU backend executes an entry only once
 * it provides the kernel of that id; the CPU entries are what {@code dev.deepwell.cpu} executes
 * today.
 */
public final class StandardKernels {

  /** cuBLASLt's recommended workspace on Hopper and newer. */
  public static final long CUBLASLT_WORKSPACE = 32L << 20;

  private static final Set<TensorFormat> HIGH = EnumSet.of(BF16, FP32);
  private static final Set<TensorFormat> QUANT =
      EnumSet.of(FP8_TENSOR, FP8_BLOCK_1X128, FP8_BLOCK_128X128, MXFP8, NVFP4, NVFP4_2D);
  private static final Set<TensorFormat> FLOAT = union(HIGH, QUANT);
  /**
   * The epilogues of deepwell/gemm.h, which every Deepwell GPU GEMM (CUTLASS, reference) runs
   * through: dw_gemm_activation is GELU (exact erf form) or SiLU, plus the residual. There is no
   * ReLU in the C ABI, so a GEMM with a fused ReLU has no GPU kernel.
   */
  private static final Set<Fusion> EPILOGUES =
      EnumSet.of(Fusion.GELU, Fusion.SILU, Fusion.RESIDUAL_ADD);
  /**
   * cuBLASLt as the C ABI drives it (gemm_cublaslt.cpp): beta*C for the residual and a bias, but no
   * activation: its GELU epilogue is the tanh form, not the ABI's erf, and it has no SiLU.
   */
  private static final Set<Fusion> CUBLASLT_EPILOGUES = EnumSet.of(Fusion.RESIDUAL_ADD);
  private static final Set<Fusion> NONE = Set.of();

  private StandardKernels() {}

  public static List<KernelDescriptor> all() {
    List<KernelDescriptor> l = new ArrayList<>();
    deepwellGpu(l);
    cutlass(l);
    cublasLt(l);
    referenceGpu(l);
    cpu(l);
    return l;
  }

  private static void cutlass(List<KernelDescriptor> l) {
    ArchSupport hopper = ArchSupport.exactly(90);
    ArchSupport sm100 = ArchSupport.exactly(100, 103);
    ArchSupport sm120 = ArchSupport.exactly(120, 121);
    String tma = "TMA + warp-specialised collective";
    l.add(gemm("cutlass.sm90.gemm.bf16", KernelProvider.CUTLASS, hopper, BF16, Set.of(BF16), 8,
        tma));
    l.add(gemm("cutlass.sm90.gemm.fp8", KernelProvider.CUTLASS, hopper, FP8_TENSOR,
        Set.of(FP8_TENSOR), 16, tma + ", per-tensor scales in the epilogue"));
    l.add(gemm("cutlass.sm90.gemm.fp8_blockwise", KernelProvider.CUTLASS, hopper,
        FP8_BLOCK_1X128, Set.of(FP8_BLOCK_128X128), 128,
        "1x128 activation / 128x128 weight scales applied per K-block in the mainloop"));
    // No block-scaled MMA on Hopper: MXFP8 is emulated. Any K (padded); the BF16 copies of both
    // operands, 2 (M + N) K bytes, are the plan's workspace (sized per problem, not here).
    l.add(new KernelDescriptor("cutlass.sm90.gemm.mxfp8", KernelProvider.CUTLASS, OpKind.LINEAR,
        hopper, Set.of(MXFP8), Set.of(MXFP8), HIGH, EPILOGUES, 8, 0, true,
        "emulation: both operands dequantized to BF16 (exactly) in one pass, then the BF16 "
            + "TMA kernel"));
    // Deepwell's own kernel (gemm_sm90_nvfp4w.cu, no CUTLASS code), a family of the CUTLASS sm90
    // backend as the C ABI lists it: BF16 activations x NVFP4 weights (NVFP4_2D stores its scale
    // per 16 of each row too). Any N; K a multiple of 32 (16-byte TMA rows of the weights). Its
    // workspace (re-laid scales, split-K partial sums) is sized per problem by the plan.
    l.add(new KernelDescriptor("cutlass.sm90.gemm.nvfp4_weight", KernelProvider.CUTLASS, OpKind.LINEAR, hopper,
        Set.of(BF16), Set.of(NVFP4, NVFP4_2D), HIGH, EPILOGUES, 1, 0, false,
        "NVFP4 weights dequantized to BF16 (exactly) in registers inside a BF16 wgmma main loop, TMA "
            + "loads; split-K where the tiles are few; M past the decode GEMV's",
        GemmShapeLimits.kMultipleOf(GemmKernelSelector.NVFP4_WEIGHT_K_MULTIPLE,
            "16-byte rows of the NVFP4 weights for TMA")));
    l.add(gemm("cutlass.sm100.gemm.bf16", KernelProvider.CUTLASS, sm100, BF16, Set.of(BF16), 8,
        "tcgen05 MMA, accumulator in tensor memory"));
    l.add(gemm("cutlass.sm100.gemm.fp8", KernelProvider.CUTLASS, sm100, FP8_TENSOR,
        Set.of(FP8_TENSOR), 16, "tcgen05 MMA"));
    l.add(gemm("cutlass.sm100.gemm.fp8_blockwise", KernelProvider.CUTLASS, sm100,
        FP8_BLOCK_1X128, Set.of(FP8_BLOCK_128X128), 128, "tcgen05 MMA, blockwise scaling"));
    l.add(gemm("cutlass.sm100.gemm.mxfp8", KernelProvider.CUTLASS, sm100, MXFP8, Set.of(MXFP8),
        32, "tcgen05 block-scaled MMA, E8M0 scales in the 128x4 swizzled layout"));
    l.add(gemm("cutlass.sm100.gemm.nvfp4", KernelProvider.CUTLASS, sm100, NVFP4,
        Set.of(NVFP4, NVFP4_2D), 32,
        "tcgen05 block-scaled MMA, UE4M3 scales, tensor scales folded into alpha"));
    l.add(gemm("cutlass.sm120.gemm.bf16", KernelProvider.CUTLASS, sm120, BF16, Set.of(BF16), 8,
        "sm_120 MMA (no tensor memory)"));
    l.add(gemm("cutlass.sm120.gemm.fp8", KernelProvider.CUTLASS, sm120, FP8_TENSOR,
        Set.of(FP8_TENSOR), 16, "sm_120 MMA"));
    l.add(gemm("cutlass.sm120.gemm.mxfp8", KernelProvider.CUTLASS, sm120, MXFP8, Set.of(MXFP8),
        32, "sm_120 block-scaled MMA"));
    l.add(gemm("cutlass.sm120.gemm.nvfp4", KernelProvider.CUTLASS, sm120, NVFP4,
        Set.of(NVFP4, NVFP4_2D), 32, "sm_120 block-scaled MMA"));
    l.add(grouped("cutlass.sm90.grouped_gemm.bf16", KernelProvider.CUTLASS, hopper, BF16,
        Set.of(BF16), 8, "pointer-array grouped GEMM"));
    l.add(grouped("cutlass.sm90.grouped_gemm.fp8", KernelProvider.CUTLASS, hopper, FP8_TENSOR,
        Set.of(FP8_TENSOR), 16, "pointer-array grouped GEMM"));
    l.add(grouped("cutlass.sm100.grouped_gemm.bf16", KernelProvider.CUTLASS, sm100, BF16,
        Set.of(BF16), 8, "grouped GEMM, tcgen05"));
    l.add(grouped("cutlass.sm100.grouped_gemm.mxfp8", KernelProvider.CUTLASS, sm100, MXFP8,
        Set.of(MXFP8), 32, "block-scaled grouped GEMM"));
    l.add(grouped("cutlass.sm100.grouped_gemm.nvfp4", KernelProvider.CUTLASS, sm100, NVFP4,
        Set.of(NVFP4, NVFP4_2D), 32, "block-scaled grouped GEMM"));
    l.add(op("cutlass.sm90.fmha", KernelProvider.CUTLASS, OpKind.ATTENTION, hopper,
        Set.of(BF16), Set.of(BF16), NONE, 0, false, "fused multi-head attention, causal"));
    l.add(op("cutlass.sm100.fmha", KernelProvider.CUTLASS, OpKind.ATTENTION, sm100,
        Set.of(BF16), Set.of(BF16), NONE, 0, false, "fused multi-head attention, tcgen05"));
  }

  private static void cublasLt(List<KernelDescriptor> l) {
    ArchSupport blackwell = ArchSupport.exactly(100, 103, 120, 121);
    l.add(new KernelDescriptor("cublaslt.gemm.fp32", KernelProvider.CUBLASLT, OpKind.LINEAR,
        ArchSupport.from(80), Set.of(FP32), Set.of(FP32), HIGH, CUBLASLT_EPILOGUES, 1,
        CUBLASLT_WORKSPACE, false, "SGEMM (CUDA cores, TF32 disabled)"));
    l.add(new KernelDescriptor("cublaslt.gemm.bf16", KernelProvider.CUBLASLT, OpKind.LINEAR,
        ArchSupport.from(80), Set.of(BF16), Set.of(BF16), HIGH, CUBLASLT_EPILOGUES, 1,
        CUBLASLT_WORKSPACE, false, "any shape; heuristics pick the algorithm"));
    l.add(new KernelDescriptor("cublaslt.gemm.fp8", KernelProvider.CUBLASLT, OpKind.LINEAR,
        ArchSupport.from(89), Set.of(FP8_TENSOR), Set.of(FP8_TENSOR), HIGH, CUBLASLT_EPILOGUES,
        16, CUBLASLT_WORKSPACE, false, "per-tensor scale pointers (A/B/D scale)"));
    l.add(new KernelDescriptor("cublaslt.gemm.fp8_block", KernelProvider.CUBLASLT,
        OpKind.LINEAR, ArchSupport.from(90), Set.of(FP8_BLOCK_1X128),
        Set.of(FP8_BLOCK_128X128), HIGH, CUBLASLT_EPILOGUES, 16, CUBLASLT_WORKSPACE,
        false, "cuBLASLt 12.9+ VEC128_32F / BLK128x128_32F scale modes (Hopper and Blackwell; its heuristic decides)"));
    l.add(new KernelDescriptor("cublaslt.gemm.mxfp8", KernelProvider.CUBLASLT, OpKind.LINEAR,
        blackwell, Set.of(MXFP8), Set.of(MXFP8), HIGH, CUBLASLT_EPILOGUES, 32,
        CUBLASLT_WORKSPACE, false, "CUDA 12.8+ VEC32_UE8M0 scale mode"));
    l.add(new KernelDescriptor("cublaslt.gemm.nvfp4", KernelProvider.CUBLASLT, OpKind.LINEAR,
        blackwell, Set.of(NVFP4), Set.of(NVFP4, NVFP4_2D), HIGH, CUBLASLT_EPILOGUES, 32,
        CUBLASLT_WORKSPACE, false, "CUDA 12.8+ VEC16_UE4M3 scale mode"));
  }

  /**
   * Deepwell's own kernels (deepwell-cuda/src/gemm/gemv_nvfp4.cu): the decode GEMV of NVFP4
   * weights and BF16 activations, any N; K a multiple of 32 (16-byte weight chunks) and M up to
   * {@link GemmKernelSelector#GEMV_MAX_M} (its {@link GemmShapeLimits}); larger M
   * binds the sm90 NVFP4-weight kernel on Hopper ("cutlass.sm90.gemm.nvfp4_weight"), else the
   * reference kernel.
   */
  private static void deepwellGpu(List<KernelDescriptor> l) {
    // Built like the reference kernels: sm_90a/100a/120a machine code and compute_90 PTX (the
    // source also compiles for sm_80, without clusters, but the library does not ship that).
    l.add(new KernelDescriptor("deepwell.gemv.nvfp4_weight", KernelProvider.DEEPWELL_GPU, OpKind.LINEAR,
        ArchSupport.from(90), Set.of(BF16), Set.of(NVFP4, NVFP4_2D), HIGH, EPILOGUES, 1, 0, false,
        "decode GEMV: weights streamed once at HBM speed, E2M1 decoded to BF16 in registers, "
            + "mma.sync with FP32 sums, split-K over a thread-block cluster (sm_90+)",
        GemmShapeLimits.kMultipleOf(GemmKernelSelector.GEMV_K_MULTIPLE, "")
            .withMaxM(GemmKernelSelector.GEMV_MAX_M, "is a decode GEMV")));
  }

  private static void referenceGpu(List<KernelDescriptor> l) {
    // deepwell-cuda builds these for DEEPWELL_CUDA_GENCODE: sm_90a, sm_100a and sm_120a machine
    // code plus compute_90 PTX (JIT-compiled on later GPUs); nothing runs before sm_90.
    ArchSupport any = ArchSupport.from(90);
    KernelProvider p = KernelProvider.REFERENCE_GPU;
    l.add(new KernelDescriptor("ref.gemm", p, OpKind.LINEAR, any, HIGH, HIGH, HIGH, EPILOGUES, 1,
        0, false, "tiled mma.sync GEMM, FP32 accumulation"));
    l.add(new KernelDescriptor("ref.gemm.dequant", p, OpKind.LINEAR, any, QUANT, QUANT, HIGH,
        EPILOGUES, 1, 0, true, "dequantizes both operands to BF16 tiles, BF16 MMA: emulation"));
    l.add(new KernelDescriptor("ref.gemm.nvfp4_weight", p, OpKind.LINEAR, any, Set.of(BF16),
        Set.of(NVFP4, NVFP4_2D), HIGH, EPILOGUES, 1, 0, true,
        "BF16 activations x NVFP4 weights dequantized on the fly, FP32 FMAs: any shape"));
    l.add(new KernelDescriptor("ref.grouped_gemm", p, OpKind.GROUPED_LINEAR, any, HIGH, HIGH,
        HIGH, NONE, 1, 0, false, "one GEMM per expert"));
    l.add(new KernelDescriptor("ref.grouped_gemm.dequant", p, OpKind.GROUPED_LINEAR, any, QUANT,
        QUANT, HIGH, NONE, 1, 0, true, "dequantizing grouped GEMM: emulation"));
    l.add(op("ref.embedding", p, OpKind.EMBEDDING, any, Set.of(INT32), HIGH, NONE, 0, false,
        "row gather"));
    l.add(op("ref.position_embedding", p, OpKind.POSITION_EMBEDDING, any, HIGH, HIGH, NONE, 0,
        false, "adds the learned position rows"));
    l.add(op("ref.rmsnorm", p, OpKind.RMSNORM, any, HIGH, FLOAT,
        Set.of(Fusion.QUANTIZE_OUTPUT), 0, false, "one block per row; quantized output fused"));
    l.add(op("ref.layernorm", p, OpKind.LAYERNORM, any, HIGH, FLOAT,
        Set.of(Fusion.QUANTIZE_OUTPUT), 0, false, "one block per row; quantized output fused"));
    l.add(op("ref.rope", p, OpKind.ROPE, any, HIGH, HIGH, NONE, 0, false, "rotate-half"));
    l.add(op("ref.attention", p, OpKind.ATTENTION, any, HIGH, HIGH, NONE, 0, false,
        "online-softmax attention, not tensor-core tuned"));
    for (OpKind k : new OpKind[] {OpKind.SWIGLU, OpKind.GELU, OpKind.RELU, OpKind.SILU}) {
      l.add(op("ref." + k.name().toLowerCase(java.util.Locale.ROOT), p, k, any, HIGH, FLOAT,
          Set.of(Fusion.QUANTIZE_OUTPUT), 0, false, "element-wise; quantized output fused"));
    }
    l.add(op("ref.add", p, OpKind.ADD, any, HIGH, HIGH, NONE, 0, false, "element-wise"));
    l.add(op("ref.quantize", p, OpKind.QUANTIZE, any, HIGH, QUANT, NONE, 0, false,
        "bit-exact with dev.deepwell.quant"));
    l.add(op("ref.router_topk", p, OpKind.ROUTER_TOPK, any, HIGH, Set.of(FP32), NONE, 0, false,
        "softmax over the top-k logits"));
    l.add(op("ref.moe_dispatch", p, OpKind.MOE_DISPATCH, any, FLOAT, FLOAT, NONE, 0, false,
        "row gather"));
    l.add(op("ref.moe_combine", p, OpKind.MOE_COMBINE, any, HIGH, HIGH,
        Set.of(Fusion.RESIDUAL_ADD), 0, false, "weighted row sum"));
    l.add(op("ref.cross_entropy", p, OpKind.CROSS_ENTROPY, any, HIGH, Set.of(FP32), NONE, 0,
        false, "log-sum-exp per row"));
  }

  private static void cpu(List<KernelDescriptor> l) {
    ArchSupport cpu = ArchSupport.cpu();
    KernelProvider p = KernelProvider.CPU;
    Set<Fusion> all = EnumSet.allOf(Fusion.class);
    Set<TensorFormat> any = union(FLOAT, EnumSet.of(INT32));
    String note = "pure Java; formats emulated (quantize -> dequantize, FP32 math)";
    for (OpKind k : OpKind.values()) {
      String id = "cpu." + k.name().toLowerCase(java.util.Locale.ROOT);
      Set<TensorFormat> weights = k.isGemm() ? FLOAT : Set.of();
      l.add(new KernelDescriptor(id, p, k, cpu, any, weights, any, all, 1, 0, true, note));
    }
  }

  private static KernelDescriptor gemm(String id, KernelProvider p, ArchSupport arch,
      TensorFormat act, Set<TensorFormat> weights, int alignment, String notes) {
    return new KernelDescriptor(id, p, OpKind.LINEAR, arch, Set.of(act), weights, HIGH,
        EPILOGUES, alignment, 0, false, notes);
  }

  private static KernelDescriptor grouped(String id, KernelProvider p, ArchSupport arch,
      TensorFormat act, Set<TensorFormat> weights, int alignment, String notes) {
    return new KernelDescriptor(id, p, OpKind.GROUPED_LINEAR, arch, Set.of(act), weights, HIGH,
        NONE, alignment, 0, false, notes);
  }

  private static KernelDescriptor op(String id, KernelProvider p, OpKind kind, ArchSupport arch,
      Set<TensorFormat> in, Set<TensorFormat> out, Set<Fusion> fusions, long workspace,
      boolean emulated, String notes) {
    return new KernelDescriptor(id, p, kind, arch, in, Set.of(), out, fusions, 1, workspace,
        emulated, notes);
  }

  private static Set<TensorFormat> union(Set<TensorFormat> a, Set<TensorFormat> b) {
    Set<TensorFormat> s = EnumSet.noneOf(TensorFormat.class);
    s.addAll(a);
    s.addAll(b);
    return s;
  }
}
