package dev.deepwell.gpu.gemm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmKernelCatalog;
import dev.deepwell.kernel.GemmKernelSelector;
import dev.deepwell.kernel.GemmPreference;
import dev.deepwell.kernel.GemmProblem;
import dev.deepwell.kernel.GemmSelection;
import dev.deepwell.kernel.GemmVariant;
import dev.deepwell.kernel.KernelProvider;
import dev.deepwell.kernel.KernelRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Java registry against the native library on a real device: the kernels it reports are
 * the mirror catalogue's, the Java tile choice is the native planner's, preferences and
 * disabled backends behave, and the profiler measures.
 */
@Tag("gpu")
class GemmRegistryGpuTest {

  private static GpuGemmFixture fx;

  @BeforeAll
  static void open() {
    fx = GpuGemmFixture.openOrSkip();
  }

  @AfterAll
  static void close() {
    if (fx != null) {
      fx.close();
    }
  }

  private static boolean hopper() {
    return fx.gemm.target().smVersion() == 90;
  }

  /**
   * The formats of gemm_sm90_select.cpp's tile rules, compared on every shape; NVFP4 weights (whose
   * kernel reads K % 32 == 0 only, and which a library built before it lacks) are added where they fit.
   */
  private static final List<GemmInput> TENSOR_CORE_FORMATS = List.of(GemmInput.BF16, GemmInput.FP8_TENSOR,
      GemmInput.FP8_BLOCK128, GemmInput.MXFP8);

  /** Whether the library has our sm90 NVFP4-weight kernel (one built before it has not). */
  private static boolean hasNvfp4WeightKernel() {
    return !fx.gemm.catalog().variants(KernelProvider.CUTLASS, GemmInput.NVFP4_WEIGHT).isEmpty();
  }

  /**
   * Where the Java selection under {@code preference} and the native planner asked for
   * {@code backend} (variant -1) choose differently, for {@code inputs} on each shape: another
   * backend, or another CUTLASS configuration.
   */
  private static List<String> disagreements(List<GemmInput> inputs, List<long[]> shapes, GemmPreference preference,
      int backend) {
    List<String> out = new ArrayList<>();
    for (GemmInput in : inputs) {
      for (long[] s : shapes) {
        GemmProblem p = GemmProblem.builder(s[0], s[1], s[2], in).build();
        GemmSelection sel = GemmKernelSelector.select(p, fx.gemm.catalog(), fx.gemm.target(), 256, preference);
        long[] info = new long[4];
        String nativeName = GemmNatives.plan(fx.device.ordinal(), p.m(), p.n(), p.k(), GemmAbi.input(in), 0, 0, 1f, 1f,
            false, false, backend, -1, 0, new byte[GemmNatives.planInfoSize()], info);
        KernelProvider nativeProvider = GemmAbi.provider((int) info[0]);
        boolean same = nativeProvider == sel.provider()
            && (nativeProvider != KernelProvider.CUTLASS || nativeName.equals(sel.variant().name()));
        if (!same) {
          out.add(p + ": Java " + sel.provider() + " " + sel.variant().name() + " (" + sel.reason() + "), native "
              + nativeProvider + " " + nativeName);
        }
      }
    }
    return out;
  }

  @Test
  void theLibrarysKernelsAreTheMirrorCatalogues() {
    GemmKernelCatalog mirror = GemmKernelCatalog.standard();
    for (GemmInput in : GemmInput.values()) {
      for (KernelProvider p : KernelProvider.values()) {
        List<String> got = fx.gemm.catalog().variants(p, in).stream().map(GemmVariant::name).toList();
        List<String> want = mirror.variants(p, in).stream().map(GemmVariant::name).toList();
        if (p == KernelProvider.CUTLASS && got.isEmpty() && !want.isEmpty()) {
          System.out.println("[deepwell] this library has no CUTLASS " + in.displayName() + " kernels");
          continue;
        }
        assertThat(got).as("%s %s", p, in).isEqualTo(want);
      }
    }
    assertThat(fx.gemm.notes()).isEmpty();
    assertThat(GemmNatives.planInfoSize()).isGreaterThan(GemmAbi.PLAN_INFO_BYTES_MIN);
    // Our sm90 NVFP4-weight kernel's names say no schedule: the entries must come from the mirror
    // table by name, tile and schedule included.
    if (hopper() && hasNvfp4WeightKernel()) {
      assertThat(fx.gemm.catalog().variants(KernelProvider.CUTLASS, GemmInput.NVFP4_WEIGHT))
          .isEqualTo(GemmKernelCatalog.standard(90).variants(KernelProvider.CUTLASS, GemmInput.NVFP4_WEIGHT));
    }
  }

  @Test
  void theJavaTileChoiceIsTheNativePlannersOnBenchmarkAndRandomShapes() {
    org.junit.jupiter.api.Assumptions.assumeTrue(hopper(), "CUTLASS sm90 kernels need an sm_90 device");
    List<long[]> shapes = new ArrayList<>(List.of(new long[] {4096, 4096, 4096}, new long[] {8192, 8192, 8192},
        new long[] {16384, 2304, 768}, new long[] {16384, 768, 768}, new long[] {16384, 4096, 768},
        new long[] {16384, 768, 2048}, new long[] {16384, 32768, 768}, new long[] {16384, 768, 2304},
        new long[] {768, 768, 16384}, new long[] {32768, 768, 16384}, new long[] {256, 256, 4096},
        // the benchmark's other data and weight gradients (the stream-K rule's shapes)
        new long[] {16384, 768, 4096}, new long[] {16384, 2048, 768}, new long[] {16384, 768, 32768},
        new long[] {2304, 768, 16384}, new long[] {4096, 768, 16384}, new long[] {768, 2048, 16384},
        new long[] {128, 128, 1024}, new long[] {128, 128, 1536}, new long[] {200, 136, 9008},
        // split-K 3 against the separate reduction (whole 2x2 clusters, the two models compared)
        new long[] {896, 768, 16384}, new long[] {1024, 640, 16384}, new long[] {768, 512, 16384},
        new long[] {768, 640, 16384}, new long[] {640, 640, 8192}, new long[] {768, 768, 8192},
        // Deepwell's 128x112 kernel taken and left (session 19), ping-pong for narrow N up to K = 4096
        new long[] {2304, 768, 4096}, new long[] {2304, 768, 4032}, new long[] {1152, 768, 16384},
        new long[] {4608, 768, 8192}, new long[] {1024, 512, 16384}, new long[] {8192, 768, 2048},
        new long[] {16384, 768, 4160}, new long[] {768, 2048, 4096}, new long[] {1536, 1024, 16384},
        new long[] {1536, 2048, 8192}, new long[] {768, 640, 16384}));
    SplittableRandom r = new SplittableRandom(90);
    for (int i = 0; i < 40; i++) {
      shapes.add(new long[] {4 * (1 + r.nextInt(2048)), 64 * (1 + r.nextInt(256)), 128 * (1 + r.nextInt(64))});
    }
    assertThat(disagreements(TENSOR_CORE_FORMATS, shapes, GemmPreference.provider(KernelProvider.CUTLASS),
        GemmAbi.BACKEND_CUTLASS_SM90)).as("update dev.deepwell.kernel.GemmTileChoice to the native rules").isEmpty();
    if (hasNvfp4WeightKernel()) {
      // NVFP4 weights: the rounds rule among the 256/128/64-row tiles, from one token on; the shapes
      // above whose K the kernel reads (K % 32 == 0), and token counts around the tile heights
      List<long[]> nvfp4w = new ArrayList<>(shapes.stream().filter(sh -> sh[2] % 32 == 0).toList());
      for (long m : new long[] {1, 16, 17, 64, 65, 128, 129, 300, 600, 1000, 2048, 8192}) {
        nvfp4w.add(new long[] {m, 4096, 4096});
        nvfp4w.add(new long[] {m, 14336, 4096});
        nvfp4w.add(new long[] {m, 50257, 768});
      }
      assertThat(disagreements(List.of(GemmInput.NVFP4_WEIGHT), nvfp4w, GemmPreference.provider(KernelProvider.CUTLASS),
          GemmAbi.BACKEND_CUTLASS_SM90)).as("update GemmTileChoice.nvfp4Weight to the native rule").isEmpty();
    }
  }

  @Test
  void theJavaAutoChoiceIsTheNativePlannersAuto() {
    // AUTO across backends: on Hopper cuBLASLt first for FP8 and for BF16 at M <= 256 or with few
    // long-K output tiles, CUTLASS otherwise (GemmKernelSelector.cublasLtFirst against
    // gemm_dispatch.cpp's cublaslt_first), the same CUTLASS tile where CUTLASS is chosen. NVFP4
    // weights: the decode GEMV up to M = 16, then (sm_90) our NVFP4-weight kernel, then the reference.
    List<long[]> shapes = new ArrayList<>();
    for (long m : new long[] {1, 16, 64, 128, 255, 256, 257, 512, 4096}) {
      shapes.add(new long[] {m, 4096, 4096});
      shapes.add(new long[] {m, 14336, 4096});
      shapes.add(new long[] {m, 2304, 768});
    }
    shapes.addAll(List.of(new long[] {768, 768, 16384}, new long[] {2304, 768, 16384}, new long[] {768, 2048, 16384},
        new long[] {4096, 768, 16384}, new long[] {32768, 768, 16384}, new long[] {768, 768, 8192},
        new long[] {768, 768, 8064}, new long[] {16384, 768, 768}, new long[] {8192, 8192, 8192}));
    SplittableRandom r = new SplittableRandom(91);
    for (int i = 0; i < 30; i++) {
      shapes.add(new long[] {4 * (1 + r.nextInt(1024)), 64 * (1 + r.nextInt(128)), 128 * (1 + r.nextInt(128))});
    }
    List<GemmInput> inputs = new ArrayList<>(TENSOR_CORE_FORMATS);
    inputs.add(GemmInput.NVFP4_WEIGHT);
    assertThat(disagreements(inputs, shapes, GemmPreference.AUTO, GemmAbi.BACKEND_AUTO))
        .as("Java AUTO (GemmKernelSelector) against native AUTO (gemm_dispatch.cpp)").isEmpty();
    // NVFP4 weights with K % 32 != 0 (48, 100): neither the GEMV nor the NVFP4-weight kernel reads
    // them, so both planners go on to the reference kernel
    List<long[]> raggedK = List.of(new long[] {8, 4096, 48}, new long[] {300, 4096, 48}, new long[] {17, 1000, 100});
    assertThat(disagreements(List.of(GemmInput.NVFP4_WEIGHT), raggedK, GemmPreference.AUTO, GemmAbi.BACKEND_AUTO))
        .as("Java AUTO against native AUTO, NVFP4 weights of ragged K").isEmpty();
  }

  @Test
  void disabledBackendsAndPreferencesOnTheDevice() {
    // K below GemmKernelSelector.CUBLASLT_FIRST_MIN_K, so that CUTLASS comes before cuBLASLt in the
    // chain and its refusal is recorded.
    GemmProblem p = GemmProblem.builder(512, 512, 32, GemmInput.BF16).build();
    assertThat(GemmKernelSelector.cublasLtFirst(GemmInput.BF16, 90, 512, 512, 32, 132)).isFalse();
    KernelRegistry noCutlass = KernelRegistry.standard().withProviderDisabled(KernelProvider.CUTLASS, "baseline run");
    try (GpuGemm g = GpuGemm.create(fx.scope, noCutlass, false)) {
      GemmPlan plan = g.plan(p, 256, GemmPreference.AUTO);
      assertThat(plan.provider()).isNotEqualTo(KernelProvider.CUTLASS);
      assertThat(plan.selection().rejected()).first().asString().isEqualTo("cutlass: disabled (baseline run)");
      GemmTestData data = GemmTestData.random(p, 3);
      GemmOperands ops = fx.operands(data, 0);
      g.run(plan, ops);
      assertThat(GemmTolerance.check(data, fx.result(p, ops))).isNull();
      assertThat(g.kernelSummary().timedOps()).isZero(); // timing off
      assertThat(g.kernelSummary().totalOps()).isEqualTo(1);
    }
    GemmProblem mx = GemmProblem.builder(512, 512, 512, GemmInput.MXFP8).build();
    assertThatThrownBy(() -> fx.gemm.plan(mx, 256, GemmPreference.provider(KernelProvider.CUBLASLT)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cublaslt cannot run")
        .hasMessageContaining("no mxfp8 kernel in this build");
    // plans are cached per problem, alignment class and preference
    assertThat(fx.gemm.plan(p, 256, GemmPreference.AUTO)).isSameAs(fx.gemm.plan(p, 16, GemmPreference.AUTO));
    assertThat(fx.gemm.plan(p, 8, GemmPreference.AUTO).provider()).isEqualTo(KernelProvider.REFERENCE_GPU);
  }

  @Test
  void theProfilerMeasuresWithEvents() {
    GemmProblem p = GemmProblem.builder(1024, 1024, 1024, GemmInput.BF16).build();
    GemmTestData data = GemmTestData.random(p, 12);
    GemmOperands ops = fx.operands(data, 0);
    GemmPlan plan = fx.gemm.plan(p, ops);
    long before = fx.gemm.kernelSummary().totalOps();
    try (KernelProfiler profiler = new KernelProfiler(fx.stream)) {
      KernelProfile prof = profiler.profile(GemmCall.of(fx.gemm, plan, ops), 2, 7);
      System.out.println("[deepwell] " + prof);
      assertThat(prof.iterations()).isEqualTo(7);
      assertThat(prof.minMs()).isPositive().isLessThanOrEqualTo(prof.medianMs());
      assertThat(prof.meanMs()).isPositive();
      assertThat(prof.tflops()).isCloseTo(p.flops() / (prof.medianMs() / 1e3) / 1e12,
          org.assertj.core.data.Offset.offset(1e-9));
      assertThat(prof.gbps()).isCloseTo((3.0 * 1024 * 1024 * 2) / (prof.medianMs() / 1e3) / 1e9,
          org.assertj.core.data.Offset.offset(1e-9));
      assertThatThrownBy(() -> profiler.profile(GemmCall.of(fx.gemm, plan, ops), -1, 1))
          .isInstanceOf(IllegalArgumentException.class);
    }
    // profiling does not count in the summary
    assertThat(fx.gemm.kernelSummary().totalOps()).isEqualTo(before);
    assertThat(GemmTolerance.check(data, fx.result(p, ops))).isNull();
  }
}
