package dev.deepwell.kernel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The GEMM kernels one build of the native library offers, per backend and input format, in the
 * order of the C ABI's variant numbers. {@link #standard()} mirrors deepwell-cuda's tables
 * (src/gemm/gemm_sm90_*.cu) so that a plan can be made without a GPU; at run time the GPU
 * backend asks the library instead (deepwell-jni, {@code NativeGemmCatalog}) and a GPU test
 * checks that the two agree. Immutable.
 */
public final class GemmKernelCatalog {

  /** The schedule of cooperative CUTLASS kernels (two warpgroups share a tile). */
  public static final String COOPERATIVE = "cooperative";
  /** The schedule of ping-pong CUTLASS kernels (warpgroups alternate whole tiles). */
  public static final String PINGPONG = "pingpong";
  /**
   * The schedule of cooperative CUTLASS kernels with the stream-K tile scheduler (each SM takes an
   * equal share of all tiles' K loops; the shares of a tile add their partial sums in K order).
   */
  public static final String STREAM_K = "streamk";
  /**
   * The schedule of the stream-K kernel run in split-K mode: each tile's K loop cut into the number
   * of parts its name gives ("_splitk3_": 3), their partial sums added in a fixed order.
   */
  public static final String SPLIT_K = "splitk";
  /**
   * The schedule of split-K with a separate reduction (gemm_sm90_bf16_splitk_reduce.cu): each tile's
   * K loop cut into S ranges, every (tile, range) piece a group of CUTLASS's grouped ping-pong
   * kernel writing its FP32 partial sums to a slot of its own; a second kernel adds a tile's slots
   * in K order and applies the epilogue. S comes from a model of waves and slot traffic.
   */
  public static final String SPLIT_K_REDUCE = "splitk_reduce";
  /**
   * The schedule of Deepwell's own sm90 BF16 kernel (gemm_sm90_bf16_wgmma.cu; listed under CUTLASS,
   * the sm90 backend, though it uses no CUTLASS): TMA and wgmma with both operands in shared memory,
   * 128x112 and 128x96 tiles, each tile's K loop cut into {@link GemmTileChoice#deepwellSplits} ranges
   * whose FP32 partial sums the last range to finish adds in K order inside the kernel. Chosen where
   * its work units fill one or two rounds of SMs much better than 128-wide tiles (2304x768: 126 tiles
   * of 128x112 against 108 of 128x128; 768x2048: 132 of 128x96 against 96).
   */
  public static final String DEEPWELL = "deepwell";
  /**
   * The schedule of Deepwell's own sm90 MXFP8 kernel: FP8 wgmma per 32 of K, each partial sum
   * promoted into FP32 accumulators with its two block scales (gemm_sm90_mxfp8_wgmma.cu). Never
   * chosen by the tile rules (it measured slower than both other ways); run when forced.
   */
  public static final String PROMOTE_32 = "promote32";

  /**
   * The sm90 MXFP8 entry that applies the block scales while accumulating (index {@code index}:
   * after the BF16-emulation ones, before the fused ones); its name is the native side's.
   */
  public static GemmVariant mxfp8Wgmma(int index) {
    return new GemmVariant(KernelProvider.CUTLASS, GemmInput.MXFP8, index, "sm90_mxfp8_wgmma_128x128x128_promote32",
        128, 128, PROMOTE_32, "cutlass.sm90.gemm.mxfp8");
  }

  /**
   * The schedule of Deepwell's own sm90 "fused" kernels, which dequantize an operand inside a BF16
   * wgmma main loop: MXFP8's (A dequantized in registers, B through a dequantizing pass,
   * gemm_sm90_mxfp8_fused.cu; chosen where N <= 1024 and M >= 4096 or, on long K, M >= 768, its
   * tile by a model, GemmTileChoice and Mxfp8FusedSplit; both run when forced) and NVFP4-weight's (the NVFP4 weights dequantized in
   * registers, the BF16 activations read as they are, gemm_sm90_nvfp4w.cu; its tile by the token
   * count, GemmTileChoice).
   */
  public static final String FUSED = "fused";

  /**
   * The sm90 MXFP8 fused entry with 128 x {@code tileN} tiles (256, 128 or 192), after the wgmma
   * entry (index {@code index}); its name is the native side's. AUTO chooses between the 128x256
   * and 128x128 tiles; 128x192 runs when forced (not yet measured enough to be chosen).
   */
  public static GemmVariant mxfp8Fused(int index, int tileN) {
    if (tileN != 256 && tileN != 192 && tileN != 128) {
      throw new IllegalArgumentException(
          "the fused MXFP8 kernel has 128x256, 128x192 and 128x128 tiles, not 128x" + tileN);
    }
    return new GemmVariant(KernelProvider.CUTLASS, GemmInput.MXFP8, index, "sm90_mxfp8_fused_bf16_128x" + tileN + "x64",
        128, tileN, FUSED, "cutlass.sm90.gemm.mxfp8");
  }

  /** The tile rows of the sm90 NVFP4-weight kernel's configurations, in variant order. */
  private static final List<Integer> NVFP4_WEIGHT_TILE_M = List.of(256, 128, 64);

  /**
   * The sm90 NVFP4-weight entry (BF16 activations x NVFP4 weights, the weights dequantized in
   * registers inside a BF16 wgmma main loop, gemm_sm90_nvfp4w.cu) with {@code tileM} x 128 tiles
   * (256, 128 or 64 token rows by 128 weight rows), index {@code index}; its name is the native
   * side's. Deepwell's own kernel (no CUTLASS code), a family of the CUTLASS sm90 backend as the
   * fused MXFP8 kernel is.
   */
  public static GemmVariant nvfp4WeightFused(int index, int tileM) {
    if (!NVFP4_WEIGHT_TILE_M.contains(tileM)) {
      throw new IllegalArgumentException("the sm90 NVFP4-weight kernel has 256x128, 128x128 and 64x128 tiles, not "
          + tileM + "x128");
    }
    return new GemmVariant(KernelProvider.CUTLASS, GemmInput.NVFP4_WEIGHT, index,
        "sm90_nvfp4w_fused_bf16_" + tileM + "x128x64", tileM, 128, FUSED, "cutlass.sm90.gemm.nvfp4_weight");
  }

  /** "_splitk3_" in a CUTLASS kernel name: the split count. */
  private static final Pattern SPLITS = Pattern.compile("_splitk(\\d+)_");

  /** "..._128x256x64_..." in a CUTLASS kernel name: the tile M x N x K. */
  private static final Pattern TILE = Pattern.compile("_(\\d+)x(\\d+)x(\\d+)(?:_|$)");
  private static final Pattern CLUSTER = Pattern.compile("_c(\\d+)x(\\d+)(?:_|$)");

  private final List<GemmVariant> variants;

  private GemmKernelCatalog(List<GemmVariant> variants) {
    List<GemmVariant> sorted = new ArrayList<>(variants);
    sorted.sort(Comparator.comparing(GemmVariant::provider).thenComparing(GemmVariant::input)
        .thenComparingInt(GemmVariant::index));
    for (int i = 0; i < sorted.size(); i++) {
      GemmVariant v = sorted.get(i);
      int expected = i == 0 || !sameFamily(sorted.get(i - 1), v) ? 0 : sorted.get(i - 1).index() + 1;
      if (v.index() != expected) {
        throw new IllegalArgumentException("variants of " + v.provider().displayName() + " "
            + v.input().displayName() + " must be numbered 0, 1, ... without gaps; found index " + v.index()
            + " (" + v.name() + ") where " + expected + " was expected");
      }
    }
    this.variants = List.copyOf(sorted);
  }

  private static boolean sameFamily(GemmVariant a, GemmVariant b) {
    return a.provider() == b.provider() && a.input() == b.input();
  }

  /** A catalogue of exactly {@code variants} (numbered 0.. within each provider and input). */
  public static GemmKernelCatalog of(List<GemmVariant> variants) {
    Objects.requireNonNull(variants, "variants");
    return new GemmKernelCatalog(variants);
  }

  /**
   * The kernels of a full build of deepwell-cuda (with CUTLASS): CUTLASS sm90 for BF16, FP8 per
   * tensor, FP8 block128 and MXFP8 (emulated: BF16 copies of the operands, then the BF16 tiles;
   * our fused kernel, A dequantized in registers; or, forced only, our FP8 wgmma kernel with the
   * scales applied while accumulating), and NVFP4 weights x BF16 activations (our kernel that
   * dequantizes the weights in its main loop); cuBLASLt for BF16, FP8 per tensor and FP8 block128;
   * Deepwell's decode GEMV for NVFP4 weights x BF16 activations; the reference CUDA kernel and the
   * CPU for every format.
   */
  public static GemmKernelCatalog standard() {
    List<GemmVariant> l = new ArrayList<>();
    KernelProvider c = KernelProvider.CUTLASS;
    String bf16 = "cutlass.sm90.gemm.bf16";
    GemmInput h = GemmInput.BF16;
    l.add(new GemmVariant(c, h, 0, "cutlass_sm90_bf16_coop_128x256x64_c2x1", 128, 256, COOPERATIVE, bf16));
    l.add(new GemmVariant(c, h, 1, "cutlass_sm90_bf16_pingpong_128x128x64_c2x1", 128, 128, PINGPONG, bf16));
    l.add(new GemmVariant(c, h, 2, "cutlass_sm90_bf16_coop_256x128x64_c1x2", 256, 128, COOPERATIVE, bf16));
    l.add(new GemmVariant(c, h, 3, "cutlass_sm90_bf16_coop_128x192x64_c2x1", 128, 192, COOPERATIVE, bf16));
    l.add(new GemmVariant(c, h, 4, "cutlass_sm90_bf16_streamk_128x128x64_c2x1", 128, 128, STREAM_K, bf16));
    l.add(new GemmVariant(c, h, 5, "cutlass_sm90_bf16_splitk3_128x128x64_c2x2", 128, 128, SPLIT_K, bf16));
    l.add(new GemmVariant(c, h, 6, "cutlass_sm90_bf16_splitk_reduce_128x128x64_c1x2", 128, 128,
        SPLIT_K_REDUCE, bf16));
    l.add(new GemmVariant(c, h, 7, "deepwell_sm90_bf16_128x112x64", 128, 112, DEEPWELL, bf16));
    l.add(new GemmVariant(c, h, 8, "deepwell_sm90_bf16_128x96x64", 128, 96, DEEPWELL, bf16));
    String fp8 = "cutlass.sm90.gemm.fp8";
    GemmInput t = GemmInput.FP8_TENSOR;
    l.add(new GemmVariant(c, t, 0, "cutlass_sm90_fp8_tensor_coop_128x192x128_c2x1", 128, 192, COOPERATIVE, fp8));
    l.add(new GemmVariant(c, t, 1, "cutlass_sm90_fp8_tensor_coop_128x128x128_c1x2", 128, 128, COOPERATIVE, fp8));
    l.add(new GemmVariant(c, t, 2, "cutlass_sm90_fp8_tensor_pingpong_64x128x128_c1x2", 64, 128, PINGPONG, fp8));
    l.add(new GemmVariant(c, t, 3, "cutlass_sm90_fp8_tensor_streamk_128x128x128_c1x2", 128, 128, STREAM_K, fp8));
    String block = "cutlass.sm90.gemm.fp8_blockwise";
    GemmInput b = GemmInput.FP8_BLOCK128;
    l.add(new GemmVariant(c, b, 0, "cutlass_sm90_fp8_block128_coop_128x128x128_c1x2", 128, 128, COOPERATIVE, block));
    l.add(new GemmVariant(c, b, 1, "cutlass_sm90_fp8_block128_pingpong_64x128x128_c1x2", 64, 128, PINGPONG, block));
    l.add(new GemmVariant(c, b, 2, "cutlass_sm90_fp8_block128_streamk_128x128x128_c1x2", 128, 128, STREAM_K, block));
    // MXFP8 on Hopper: every BF16 configuration above, in its order, run on dequantized copies of
    // the operands (gemm_sm90_mxfp8.cu hands its variants to the BF16 family one to one).
    int mxfp8 = 0;
    for (GemmVariant v : List.copyOf(l)) {
      if (v.provider() == c && v.input() == h) {
        l.add(mxfp8OnBf16(v));
        mxfp8++;
      }
    }
    // ... then the FP8 wgmma kernel that applies the 32-deep scales while accumulating, and the
    // fused kernel (A dequantized in registers) with its three tiles (128x192 last: added after the
    // others, so their numbers stay).
    l.add(mxfp8Wgmma(mxfp8));
    l.add(mxfp8Fused(mxfp8 + 1, 256));
    l.add(mxfp8Fused(mxfp8 + 2, 128));
    l.add(mxfp8Fused(mxfp8 + 3, 192));
    // NVFP4 weights x BF16 activations past the decode GEMV's M: the tallest tile first.
    for (int i = 0; i < NVFP4_WEIGHT_TILE_M.size(); i++) {
      l.add(nvfp4WeightFused(i, NVFP4_WEIGHT_TILE_M.get(i)));
    }
    l.add(GEMV_NVFP4_WEIGHT);
    l.add(new GemmVariant(KernelProvider.CUBLASLT, GemmInput.BF16, 0, "cublaslt_bf16", 0, 0, "", "cublaslt.gemm.bf16"));
    l.add(new GemmVariant(KernelProvider.CUBLASLT, t, 0, "cublaslt_fp8_tensor", 0, 0, "", "cublaslt.gemm.fp8"));
    l.add(new GemmVariant(KernelProvider.CUBLASLT, b, 0, "cublaslt_fp8_block128", 0, 0, "", "cublaslt.gemm.fp8_block"));
    for (GemmInput in : GemmInput.values()) {
      l.add(referenceVariant(in));
      l.add(cpuVariant(in));
    }
    return new GemmKernelCatalog(l);
  }

  /**
   * The sm90 MXFP8 entry that runs BF16 configuration {@code bf16} on BF16 copies of the
   * operands (an emulation: Hopper has no block-scaled MMA); its name is the native side's.
   */
  public static GemmVariant mxfp8OnBf16(GemmVariant bf16) {
    Objects.requireNonNull(bf16, "bf16");
    if (bf16.provider() != KernelProvider.CUTLASS || bf16.input() != GemmInput.BF16) {
      throw new IllegalArgumentException("not a CUTLASS BF16 configuration: " + bf16.name());
    }
    // As gemm_sm90_mxfp8.cu's set_family_name: "mxfp8_deq_" after a "cutlass_sm90_" prefix, else first.
    String name = bf16.name().startsWith("cutlass_sm90_")
        ? bf16.name().replace("cutlass_sm90_bf16_", "cutlass_sm90_mxfp8_deq_bf16_")
        : "mxfp8_deq_" + bf16.name();
    return new GemmVariant(KernelProvider.CUTLASS, GemmInput.MXFP8, bf16.index(), name, bf16.tileM(), bf16.tileN(),
        bf16.schedule(), "cutlass.sm90.gemm.mxfp8");
  }

  /**
   * The kernels a full build offers on a device of compute capability {@code smVersion}: those of
   * {@link #standard()} whose CUTLASS families run there (each is built for its architecture's
   * "a" target, e.g. the sm_90a ones load on 9.0 only), plus the Blackwell block-scaled kernels of
   * that architecture ({@link BlackwellGemmKernels}: sm_100 and sm_120). What planning for a named
   * target binds; on a real device the library is asked instead (deepwell-jni).
   */
  public static GemmKernelCatalog standard(int smVersion) {
    if (smVersion < 0) {
      throw new IllegalArgumentException("smVersion must be >= 0 (0: the CPU), got " + smVersion);
    }
    List<GemmVariant> l = new ArrayList<>();
    for (GemmVariant v : standard().variants()) {
      if (v.provider() != KernelProvider.CUTLASS || cutlassArch(v.descriptorId()) == smVersion) {
        l.add(v);
      }
    }
    l.addAll(BlackwellGemmKernels.variants(smVersion));
    return new GemmKernelCatalog(l);
  }

  /** The architecture a CUTLASS family id names ("cutlass.sm90.gemm.bf16" -> 90), or -1. */
  private static int cutlassArch(String descriptorId) {
    Matcher mt = CUTLASS_ARCH.matcher(descriptorId);
    return mt.find() ? Integer.parseInt(mt.group(1)) : -1;
  }

  private static final Pattern CUTLASS_ARCH = Pattern.compile("^cutlass\\.sm(\\d+)\\.");

  /**
   * The {@link StandardKernels} id of the CUTLASS family for {@code in} on a device of compute
   * capability {@code smVersion} (sm_90: {@link #cutlassDescriptorId(GemmInput)}; sm_100 /
   * sm_120: the block-scaled families), if there is one.
   */
  public static Optional<String> cutlassDescriptorId(GemmInput in, int smVersion) {
    return smVersion == 90 ? cutlassDescriptorId(in) : BlackwellGemmKernels.descriptorId(in, smVersion);
  }

  /** The reference CUDA kernel's entry for {@code in} (one per format, as in gemm_dispatch.cpp). */
  public static GemmVariant referenceVariant(GemmInput in) {
    String name = "reference_" + in.name().toLowerCase(java.util.Locale.ROOT);
    String family = in == GemmInput.BF16 ? "ref.gemm"
        : in == GemmInput.NVFP4_WEIGHT ? "ref.gemm.nvfp4_weight" : "ref.gemm.dequant";
    return new GemmVariant(KernelProvider.REFERENCE_GPU, in, 0, name, 0, 0, "", family);
  }

  /**
   * Deepwell's decode GEMV (src/gemm/gemv_nvfp4.cu, backend DW_GEMM_BACKEND_GEMV): BF16
   * activations x NVFP4 weights, M up to {@link GemmKernelSelector#GEMV_MAX_M}; one
   * configuration, whose split of K the native planner chooses from the shape.
   */
  public static final GemmVariant GEMV_NVFP4_WEIGHT = new GemmVariant(KernelProvider.DEEPWELL_GPU,
      GemmInput.NVFP4_WEIGHT, 0, "gemv_nvfp4_weight_bf16_mma", 0, 0, "", "deepwell.gemv.nvfp4_weight");

  /** Deepwell's own kernels for {@code in}, in variant order (empty for every format but NVFP4_WEIGHT). */
  public static List<GemmVariant> deepwellVariants(GemmInput in) {
    Objects.requireNonNull(in, "input");
    return in == GemmInput.NVFP4_WEIGHT ? List.of(GEMV_NVFP4_WEIGHT) : List.of();
  }

  /** The pure-Java GEMM's entry for {@code in}. */
  public static GemmVariant cpuVariant(GemmInput in) {
    return new GemmVariant(KernelProvider.CPU, in, 0, "cpu_" + in.name().toLowerCase(java.util.Locale.ROOT), 0, 0,
        "", "cpu.linear");
  }

  /**
   * A CUTLASS variant from the name the native side reports: the tile from "_MxNxK_", the
   * schedule from "deepwell_sm90_" / "splitk_reduce" / "streamk" / "pingpong" / "coop" / "_2sm_" /
   * "_1sm_" (a 2-SM kernel's per-SM tile is half its MMA tile's rows). Empty when the name says none
   * of them.
   */
  public static Optional<GemmVariant> parseCutlass(GemmInput input, int index, String name, String descriptorId) {
    Objects.requireNonNull(name, "name");
    Matcher mt = TILE.matcher(name);
    String schedule = name.contains("deepwell_sm90_") ? DEEPWELL
        : name.contains("splitk_reduce") ? SPLIT_K_REDUCE
        : name.contains("streamk") ? STREAM_K : SPLITS.matcher(name).find() ? SPLIT_K
        : name.contains("pingpong") ? PINGPONG : name.contains("coop") ? COOPERATIVE
        : name.contains("_2sm_") ? BlackwellGemmKernels.TWO_SM : name.contains("_1sm_") ? BlackwellGemmKernels.ONE_SM
        : null;
    if (!mt.find() || schedule == null) {
      return Optional.empty();
    }
    // A 2-SM kernel's name gives its MMA tile, which the two SMs of a pair split along M.
    int tileM = Integer.parseInt(mt.group(1)) / (schedule.equals(BlackwellGemmKernels.TWO_SM) ? 2 : 1);
    return Optional.of(new GemmVariant(KernelProvider.CUTLASS, input, index, name, tileM,
        Integer.parseInt(mt.group(2)), schedule, descriptorId));
  }

  /** The split count of a split-K variant ("_splitk3_" in its name: 3); 1 for any other. */
  public static int splits(GemmVariant v) {
    Objects.requireNonNull(v, "variant");
    Matcher ms = SPLITS.matcher(v.name());
    return ms.find() ? Integer.parseInt(ms.group(1)) : 1;
  }

  /**
   * The depth (K) of a CUTLASS variant's tile, from the "_MxNxK_" of its name; 0 when the name
   * has none (the native tables name every configuration so).
   */
  public static int tileK(GemmVariant v) {
    Objects.requireNonNull(v, "variant");
    Matcher mt = TILE.matcher(v.name());
    return mt.find() ? Integer.parseInt(mt.group(3)) : 0;
  }

  /**
   * The tiles a launch of the CUTLASS variant covers for an M x N output: its tile grid rounded up
   * to whole clusters (the "_cMxN" of its name; 1x1 when the name has none), as CUTLASS launches
   * them (gemm_sm90_select.cpp's launched_tiles).
   */
  public static long launchedTiles(GemmVariant v, long m, long n) {
    Objects.requireNonNull(v, "variant");
    Matcher mc = CLUSTER.matcher(v.name());
    long cm = 1;
    long cn = 1;
    if (mc.find()) {
      cm = Integer.parseInt(mc.group(1));
      cn = Integer.parseInt(mc.group(2));
    }
    return GemmVariant.ceilDiv(GemmVariant.ceilDiv(m, v.tileM()), cm) * cm
        * (GemmVariant.ceilDiv(GemmVariant.ceilDiv(n, v.tileN()), cn) * cn);
  }

  /** The {@link StandardKernels} id of the CUTLASS sm90 family for {@code in}, if there is one. */
  public static Optional<String> cutlassDescriptorId(GemmInput in) {
    switch (in) {
      case BF16:
        return Optional.of("cutlass.sm90.gemm.bf16");
      case FP8_TENSOR:
        return Optional.of("cutlass.sm90.gemm.fp8");
      case FP8_BLOCK128:
        return Optional.of("cutlass.sm90.gemm.fp8_blockwise");
      case MXFP8:
        return Optional.of("cutlass.sm90.gemm.mxfp8");
      case NVFP4_WEIGHT:
        return Optional.of("cutlass.sm90.gemm.nvfp4_weight");
      default:
        return Optional.empty();
    }
  }

  /** The {@link StandardKernels} id of the cuBLASLt family for {@code in}, if there is one. */
  public static Optional<String> cublasLtDescriptorId(GemmInput in) {
    switch (in) {
      case BF16:
        return Optional.of("cublaslt.gemm.bf16");
      case FP8_TENSOR:
        return Optional.of("cublaslt.gemm.fp8");
      default:
        return Optional.empty();
    }
  }

  public List<GemmVariant> variants() {
    return variants;
  }

  /** The variants of one backend for one format, by index (empty when it has none). */
  public List<GemmVariant> variants(KernelProvider provider, GemmInput input) {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(input, "input");
    List<GemmVariant> l = new ArrayList<>();
    for (GemmVariant v : variants) {
      if (v.provider() == provider && v.input() == input) {
        l.add(v);
      }
    }
    return l;
  }

  /** Variant counts per provider for {@code input} (providers without one are absent). */
  public Map<KernelProvider, Integer> counts(GemmInput input) {
    Map<KernelProvider, Integer> m = new EnumMap<>(KernelProvider.class);
    for (GemmVariant v : variants) {
      if (v.input() == input) {
        m.merge(v.provider(), 1, Integer::sum);
      }
    }
    return m;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GemmKernelCatalog && ((GemmKernelCatalog) o).variants.equals(variants);
  }

  @Override
  public int hashCode() {
    return variants.hashCode();
  }

  @Override
  public String toString() {
    return "GemmKernelCatalog" + variants;
  }
}
