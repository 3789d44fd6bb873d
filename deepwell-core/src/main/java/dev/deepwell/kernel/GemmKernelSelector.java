package dev.deepwell.kernel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Chooses the kernel of one GEMM problem: the backends in chain order ({@link KernelProvider#CUTLASS}
 * -> {@link KernelProvider#CUBLASLT} -> {@link KernelProvider#REFERENCE_GPU} -> {@link KernelProvider#CPU};
 * on Hopper FP8 GEMMs and some BF16 ones try cuBLASLt before CUTLASS, see {@link #cublasLtFirst}), the
 * first whose rules accept the problem, then (CUTLASS) the tile configuration by problem size
 * ({@link GemmTileChoice}). Each backend passed over is recorded with its reason. For
 * {@link GemmInput#NVFP4_WEIGHT} the chain starts with Deepwell's own decode GEMV
 * ({@link KernelProvider#DEEPWELL_GPU}, M up to {@link #GEMV_MAX_M}); larger M goes on to our
 * sm90 kernel that dequantizes the weights in its main loop (listed under CUTLASS, Hopper only),
 * then the reference kernel.
 *
 * <p>The rules are those of the C ABI's backends (deepwell/gemm.h and src/gemm): what the
 * architecture runs, the K-major ("TN") layout, the epilogues, the 16-byte rows and pointers
 * TMA needs, the size limits. A backend the rules accept may still refuse when it plans (a
 * CUTLASS {@code can_implement}, a cuBLASLt heuristic with no algorithm); the GPU backend then
 * marks it unavailable in the {@link GemmTarget} with the native reason and selects again.
 */
public final class GemmKernelSelector {

  /** The alignment TMA (CUTLASS sm90) and cuBLASLt need of every operand pointer, in bytes. */
  public static final int TMA_ALIGNMENT = 16;
  /** The reference kernel's grid covers at most this many rows (65535 blocks of 64). */
  public static final long REFERENCE_MAX_ROWS = 65535L * 64;
  /** The most rows of A Deepwell's decode GEMV takes (gemm.h's DW_GEMM_GEMV_MAX_M). */
  public static final int GEMV_MAX_M = 16;
  /** The GEMV reads 16-byte chunks of NVFP4 weight rows: K must be a multiple of this. */
  public static final int GEMV_K_MULTIPLE = 32;
  /**
   * The sm90 NVFP4-weight kernel loads the weights with TMA, whose rows must be multiples of 16
   * bytes: K must be a multiple of this (32 E2M1 values).
   */
  public static final int NVFP4_WEIGHT_K_MULTIPLE = 32;
  /** The GEMV's grid covers at most this many weight rows (65535 blocks of 128). */
  public static final long GEMV_MAX_N = 65535L * 128;
  /**
   * Up to this many rows of A (decode and small batches), BF16 GEMMs on Hopper try cuBLASLt before
   * CUTLASS (see {@link #cublasLtFirst}); gemm_dispatch.cpp's kCublasLtFirstMaxM.
   */
  public static final long CUBLASLT_FIRST_MAX_M = 256;
  /**
   * BF16 GEMMs on Hopper whose output fits one round of 128x128 tiles try cuBLASLt first from this
   * K on (see {@link #cublasLtFirst}): the smallest K measured; gemm_dispatch.cpp's kCublasLtFirstMinK.
   */
  public static final long CUBLASLT_FIRST_MIN_K = 64;

  private static final Map<String, KernelDescriptor> DESCRIPTORS = new HashMap<>();

  static {
    for (KernelDescriptor d : StandardKernels.all()) {
      DESCRIPTORS.put(d.id(), d);
    }
  }

  private GemmKernelSelector() {}

  /**
   * The kernel for {@code problem} on {@code target}.
   *
   * @param catalog          the kernels the library offers
   * @param pointerAlignment the largest power of two (up to 256) dividing every operand's address;
   *                         256 when planning without memory (what the allocator gives)
   * @param preference       {@link GemmPreference#AUTO}, or one backend (and variant) only
   * @throws IllegalArgumentException when a preferred backend or variant cannot run the problem
   * @throws IllegalStateException when no backend can (only for problems too large even for the CPU)
   */
  public static GemmSelection select(GemmProblem problem, GemmKernelCatalog catalog, GemmTarget target,
      int pointerAlignment, GemmPreference preference) {
    Objects.requireNonNull(problem, "problem");
    Objects.requireNonNull(catalog, "catalog");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(preference, "preference");
    if (pointerAlignment < 1 || Integer.bitCount(pointerAlignment) != 1) {
      throw new IllegalArgumentException("pointerAlignment must be a power of two >= 1, got " + pointerAlignment);
    }
    List<String> rejected = new ArrayList<>();
    for (KernelProvider provider : chain(problem, target)) {
      if (!preference.isAuto() && preference.provider() != provider) {
        continue;
      }
      if (preference.isAuto() && !considers(provider, problem.input())) {
        continue; // a specialised provider is no fallback step for formats it was not written for
      }
      String why = whyNot(provider, problem, catalog, target, pointerAlignment);
      if (why != null) {
        if (!preference.isAuto()) {
          throw new IllegalArgumentException(provider.displayName() + " cannot run " + problem + ": " + why);
        }
        rejected.add(provider.displayName() + ": " + why);
        continue;
      }
      List<GemmVariant> variants = catalog.variants(provider, problem.input());
      GemmVariant chosen;
      String how;
      if (preference.variant() >= 0) {
        if (preference.variant() >= variants.size()) {
          throw new IllegalArgumentException(provider.displayName() + " has " + variants.size() + " "
              + problem.input().displayName() + " variant(s), variant " + preference.variant() + " was asked for");
        }
        chosen = variants.get(preference.variant());
        how = "variant " + preference.variant() + " as asked";
      } else {
        GemmTileChoice.Choice c = GemmTileChoice.choose(variants, problem,
            Math.max(1, target.multiprocessors()));
        chosen = c.variant();
        how = c.why();
      }
      String reason;
      if (!preference.isAuto()) {
        reason = "asked for " + provider.displayName() + ": " + how;
      } else if (rejected.isEmpty()) {
        reason = "first choice: " + provider.displayName() + "; " + how;
      } else {
        reason = "fallback to " + provider.displayName() + " after " + rejected.size()
            + " backend(s) could not run it; " + how;
      }
      if (provider == KernelProvider.CPU && !target.isCpu()) {
        reason += "; runs on the host CPU, not the GPU";
      }
      return new GemmSelection(problem, chosen, reason, rejected);
    }
    throw new IllegalStateException("no kernel for " + problem + " on " + target + ": " + String.join("; ", rejected));
  }

  /**
   * The order in which the chain tries the backends for {@code problem} on {@code target}:
   * {@link KernelProvider}'s order, except where {@link #cublasLtFirst} puts cuBLASLt before CUTLASS.
   * Where cuBLASLt is missing, refuses the epilogue or has no kernel, CUTLASS follows. The C ABI's
   * AUTO backend (gemm_dispatch.cpp) keeps the same order.
   */
  public static List<KernelProvider> chain(GemmProblem problem, GemmTarget target) {
    List<KernelProvider> order = new ArrayList<>(List.of(KernelProvider.values()));
    if (cublasLtFirst(problem.input(), target.smVersion(), problem.m(), problem.n(), problem.k(),
        target.multiprocessors())) {
      order.remove(KernelProvider.CUBLASLT);
      order.add(order.indexOf(KernelProvider.CUTLASS), KernelProvider.CUBLASLT);
    }
    return order;
  }

  /**
   * Whether an {@code input} GEMM of M x N x K on compute capability {@code sm} (x10) with
   * {@code sms} multiprocessors tries cuBLASLt before CUTLASS: on Hopper only, where cuBLASLt was
   * measured faster than the configuration our tile choice picks (H100, docs/PERFORMANCE.md):
   * <ul>
   *   <li>FP8 block-scaled, always: its 1x128 / 128x128 kernels (cuBLASLt 12.9+) ran 2-24% faster on
   *       every benchmark shape (2026-11-26); CUTLASS 4.2's blockwise mainloop caps the tile at
   *       128x128;</li>
   *   <li>FP8 per-tensor, always: cuBLASLt ran 1.09-1.52x faster on all 16 benchmark shapes and
   *       1.06-1.9x at every M in 1..256 measured (2026-11-26/27): our FP32 promotion keeps a second
   *       accumulator set, which caps the CUTLASS tiles at 128x192;</li>
   *   <li>BF16 with M of at most {@link #CUBLASLT_FIRST_MAX_M} (decode, small batches): 1.05-2.4x
   *       at every M in 1..256 measured (2026-11-27): our tiles are 128 rows tall, mostly idle;</li>
   *   <li>BF16 whose output fits one round of 128x128 tiles with K of at least
   *       {@link #CUBLASLT_FIRST_MIN_K} (small weight gradients, small projections): cuBLASLt's
   *       split-K and 112-wide tiles fill the SMs where ours leave many idle: 1.1-2.4x on all 71
   *       such shapes measured, K from 64 to 16384 (H100, 2026-11-27; the shorter K, the larger);
   *       below K = 64 not measured. 4096x768x16384 (192 tiles), where our 128x192 tile wins, is
   *       not such a problem.</li>
   * </ul>
   */
  public static boolean cublasLtFirst(GemmInput input, int sm, long m, long n, long k, int sms) {
    if (sm != 90) {
      return false;
    }
    switch (input) {
      case FP8_BLOCK128:
      case FP8_TENSOR:
        return true;
      case BF16:
        long tiles = GemmVariant.ceilDiv(m, 128) * GemmVariant.ceilDiv(n, 128);
        return m <= CUBLASLT_FIRST_MAX_M || (tiles <= sms && k >= CUBLASLT_FIRST_MIN_K);
      default:
        return false;
    }
  }

  /**
   * Whether the chain asks {@code provider} about {@code input} at all: Deepwell's own kernels
   * ({@link KernelProvider#DEEPWELL_GPU}) exist for {@link GemmInput#NVFP4_WEIGHT} only, and
   * passing them over for every other format would only add noise to each selection's reasons.
   */
  static boolean considers(KernelProvider provider, GemmInput input) {
    return provider != KernelProvider.DEEPWELL_GPU || input == GemmInput.NVFP4_WEIGHT;
  }

  /** Why {@code provider} cannot run {@code p}, or null when it can. */
  static String whyNot(KernelProvider provider, GemmProblem p, GemmKernelCatalog catalog, GemmTarget t, int align) {
    String absent = t.unavailable().get(provider);
    if (absent != null) {
      return absent;
    }
    List<GemmVariant> variants = catalog.variants(provider, p.input());
    if (variants.isEmpty()) {
      return "no " + p.input().displayName() + " kernel in this build";
    }
    if (provider == KernelProvider.CPU) {
      return cpuLimits(p);
    }
    if (t.isCpu()) {
      return "target cpu has no GPU";
    }
    KernelDescriptor family = DESCRIPTORS.get(variants.get(0).descriptorId());
    if (family != null && !runsOn(family.arch(), t.smVersion())) {
      return "needs " + family.arch() + ", target is " + t;
    }
    if (!p.isKMajor()) {
      return "reads K-major operands only (A [M,K], B [N,K]; the C ABI's TN layout), got A " + p.aMajor() + ", B "
          + p.bMajor();
    }
    if (p.isEmpty()) {
      return "M=" + p.m() + ", N=" + p.n() + ": nothing to compute (the GPU kernels need M, N >= 1)";
    }
    if (p.k() == 0) {
      return "K=0: an empty reduction; the GPU kernels need K >= 1 (the CPU writes the epilogue of zero)";
    }
    switch (provider) {
      case DEEPWELL_GPU:
        return gemvLimits(p, align);
      case CUTLASS:
        return cutlassLimits(p, align, t.smVersion());
      case CUBLASLT:
        return cublasLtLimits(p, align);
      case REFERENCE_GPU:
        return p.m() > REFERENCE_MAX_ROWS ? "M=" + p.m() + " exceeds the reference kernel's " + REFERENCE_MAX_ROWS
            + " rows (grid limit)" : null;
      default:
        throw new AssertionError(provider);
    }
  }

  private static boolean runsOn(ArchSupport arch, int sm) {
    return arch.exact().isEmpty() ? sm >= arch.minSm() : arch.exact().contains(sm);
  }

  private static String cutlassLimits(GemmProblem p, int align, int sm) {
    if (p.m() > Integer.MAX_VALUE || p.n() > Integer.MAX_VALUE || p.k() > Integer.MAX_VALUE) {
      return "M, N and K must each fit in 32 bits";
    }
    if (p.input() == GemmInput.NVFP4_WEIGHT) {
      return nvfp4WeightLimits(p, align);
    }
    // MXFP8 on sm_90 runs on BF16 copies of its operands whose rows the copy pads: any K. The
    // Blackwell block-scaled kernels read the operands themselves with TMA.
    int kMultiple = p.input() == GemmInput.MXFP8 && sm == 90 ? 1 : 128 / p.input().elementBits();
    if (p.k() % kMultiple != 0) {
      return "K=" + p.k() + " must be a multiple of " + kMultiple + " (16-byte rows of A and B for TMA)";
    }
    int nMultiple = 128 / p.output().bits();
    if (p.n() % nMultiple != 0) {
      return "N=" + p.n() + " must be a multiple of " + nMultiple + " (16-byte rows of the "
          + p.output().name().toLowerCase(java.util.Locale.ROOT) + " output for TMA)";
    }
    if (p.input() == GemmInput.FP8_BLOCK128 && p.m() % 4 != 0) {
      return "M=" + p.m() + " must be a multiple of 4 (16-byte rows of the M-major scale_a for TMA)";
    }
    return tmaAlignmentLimit(align);
  }

  /** The refusal of operands that TMA cannot read (16-byte alignment), or null. */
  private static String tmaAlignmentLimit(int align) {
    return align < TMA_ALIGNMENT
        ? "needs " + TMA_ALIGNMENT + "-byte aligned operands (TMA), these are aligned to " + align + " byte(s)"
        : null;
  }

  /**
   * The sm90 NVFP4-weight kernel (Deepwell's, in the CUTLASS family): TMA reads A, B and B's
   * row-major scales, so K in 16-byte weight rows and 16-byte aligned pointers. The native plan
   * takes any M and N, every epilogue and both outputs; the other architectures it refuses are
   * refused before this, by the family's descriptor (sm_90 exactly).
   */
  private static String nvfp4WeightLimits(GemmProblem p, int align) {
    // the native plan's 32-bit bounds (gemm_sm90_nvfp4w.cu), a tile (256 rows) or k-tile (64) short of 2^31
    if (p.m() > Integer.MAX_VALUE - 256 || p.n() > Integer.MAX_VALUE - 256 || p.k() > Integer.MAX_VALUE - 64) {
      return "M and N must stay below 2^31 - 256, K below 2^31 - 64";
    }
    if (p.k() % NVFP4_WEIGHT_K_MULTIPLE != 0) {
      return "K=" + p.k() + " must be a multiple of " + NVFP4_WEIGHT_K_MULTIPLE
          + " (16-byte rows of the NVFP4 weights for TMA)";
    }
    return tmaAlignmentLimit(align);
  }

  private static String gemvLimits(GemmProblem p, int align) {
    if (p.m() > GEMV_MAX_M) {
      // Past it the sm90 NVFP4-weight kernel (CUTLASS in the chain) takes the problem on Hopper.
      return "M=" + p.m() + " exceeds the decode GEMV's " + GEMV_MAX_M + " rows (DW_GEMM_GEMV_MAX_M; larger M is "
          + "compute, not weight streaming)";
    }
    if (p.k() % GEMV_K_MULTIPLE != 0) {
      return "K=" + p.k() + " must be a multiple of " + GEMV_K_MULTIPLE + " (16-byte chunks of the NVFP4 weight rows)";
    }
    if (p.n() > GEMV_MAX_N || p.k() > Integer.MAX_VALUE) {
      return "N=" + p.n() + ", K=" + p.k() + " exceed the GEMV's grid (N <= " + GEMV_MAX_N + ")";
    }
    if (align < TMA_ALIGNMENT) {
      return "needs " + TMA_ALIGNMENT + "-byte aligned operands (vector loads), these are aligned to " + align
          + " byte(s)";
    }
    return null;
  }

  private static String cublasLtLimits(GemmProblem p, int align) {
    if (p.activation() != GemmActivation.NONE) {
      return "no " + p.activation() + " epilogue (cuBLASLt's GELU is the tanh form and it has no SiLU)";
    }
    if (p.hasBias() && p.outScale() != 1f) {
      return "outScale=" + p.outScale() + " with a bias cannot be expressed (D = alpha * acc + bias)";
    }
    if ((p.input() == GemmInput.FP8_TENSOR || p.input() == GemmInput.FP8_BLOCK128) && p.k() % 16 != 0) {
      return "FP8: K=" + p.k() + " must be a multiple of 16";
    }
    if (p.input() == GemmInput.FP8_BLOCK128 && p.m() % 4 != 0) {
      return "FP8 block: M=" + p.m() + " must be a multiple of 4 (gemm_cublaslt.cpp)";
    }
    if (align < TMA_ALIGNMENT) {
      return "needs " + TMA_ALIGNMENT + "-byte aligned operands, these are aligned to " + align + " byte(s)";
    }
    return null;
  }

  private static String cpuLimits(GemmProblem p) {
    if (exceedsArray(p.m(), p.k()) || exceedsArray(p.n(), p.k()) || exceedsArray(p.m(), p.n())) {
      return "an operand of " + p + " has more elements than a Java array holds";
    }
    return null;
  }

  private static boolean exceedsArray(long rows, long cols) {
    return rows != 0 && cols > Integer.MAX_VALUE / rows;
  }
}
