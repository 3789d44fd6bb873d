package dev.deepwell.gpu.gemm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.gpu.quant.Bf16Matrix;
import dev.deepwell.gpu.quant.Fp8ScaleOrder;
import dev.deepwell.gpu.quant.GpuQuantizedTensor;
import dev.deepwell.gpu.quant.MicroscaleManager;
import dev.deepwell.kernel.GemmActivation;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmOutput;
import dev.deepwell.kernel.GemmPreference;
import dev.deepwell.kernel.GemmProblem;
import dev.deepwell.kernel.GemmVariant;
import dev.deepwell.kernel.KernelProvider;
import dev.deepwell.kernel.KernelSummary;
import dev.deepwell.quant.Fp8BlockShape;
import dev.deepwell.quant.QuantFormat;
import dev.deepwell.quant.QuantOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every GEMM kernel the loaded library offers against the FP64 reference on the same quantized
 * operands ({@link GemmTolerance} gives the bounds and why): each configuration forced in turn
 * with the epilogues its backend has, ragged and random shapes through the fallback chain,
 * zero-sized problems, NaN propagation, operands quantized on the GPU, misaligned pointers.
 */
@Tag("gpu")
class GemmKernelsGpuTest {

  private static GpuGemmFixture fx;

  @BeforeAll
  static void open() {
    fx = GpuGemmFixture.openOrSkip();
    System.out.println("[deepwell] GEMM target " + fx.gemm.target() + "; kernels: " + fx.gemm.catalog().variants()
        .stream().map(GemmVariant::name).toList() + (fx.gemm.notes().isEmpty() ? "" : "; notes: " + fx.gemm.notes()));
  }

  @AfterAll
  static void close() {
    if (fx != null) {
      System.out.println("[deepwell] GEMM kernel summary of this class:\n" + fx.gemm.kernelSummary().toTable());
      fx.close();
    }
  }

  private static void assertClose(GemmTestData data, GpuGemmFixture.Run run) {
    assertThat(GemmTolerance.check(data, run.d(), run.plan().kernelName()))
        .as("%s on %s", data.problem, run.plan().kernelName()).isNull();
  }

  /** Problems one configuration of {@code v}'s backend runs: its epilogues, both output types. */
  private static List<GemmProblem> problemsFor(GemmVariant v) {
    GemmInput in = v.input();
    // M and N not multiples of any tile; N a multiple of 8 and K of 16 (TMA rows); K = 3 blocks.
    // The decode GEMV takes M <= 16 only (NvFp4GemvGpuTest covers it in depth).
    GemmProblem base = GemmProblem.builder(v.provider() == KernelProvider.DEEPWELL_GPU ? 13 : 264, 200, 384, in).build();
    if (v.provider() == KernelProvider.CUBLASLT) {
      return List.of(base, base.toBuilder().bias(true).residual(true).alpha(0.5f).build(),
          base.toBuilder().output(GemmOutput.FP32).residual(true).build());
    }
    return List.of(base,
        base.toBuilder().activation(GemmActivation.GELU).bias(true).residual(true).alpha(0.5f).outScale(1.25f).build(),
        base.toBuilder().activation(GemmActivation.SILU).bias(true).output(GemmOutput.FP32).outScale(-2f).build());
  }

  @TestFactory
  Stream<DynamicTest> everyKernelTheLibraryOffersMatchesTheReference() {
    List<DynamicTest> tests = new ArrayList<>();
    for (GemmVariant v : fx.gemm.catalog().variants()) {
      if (fx.gemm.target().unavailable().containsKey(v.provider())) {
        System.out.println("[deepwell] skipping " + v.name() + ": " + fx.gemm.target().unavailable().get(v.provider()));
        continue;
      }
      if (v.provider() == KernelProvider.CUTLASS && fx.gemm.target().smVersion() != 90) {
        continue;
      }
      for (GemmProblem p : problemsFor(v)) {
        tests.add(DynamicTest.dynamicTest(v.name() + ": " + p, () -> {
          GemmTestData data = GemmTestData.random(p, 1000 + v.index() + 31L * p.hashCode());
          GpuGemmFixture.Run run = fx.run(data, GemmPreference.variant(v.provider(), v.index()), 0);
          assertThat(run.plan().provider()).isEqualTo(v.provider());
          assertThat(run.plan().kernelName()).isEqualTo(v.name());
          assertClose(data, run);
        }));
      }
    }
    return tests.stream();
  }

  @Test
  void raggedShapesRunThroughTheChainAndStayCorrect() {
    int[][] shapes = {{37, 23, 45}, {1, 1, 1}, {131, 72, 144}, {132, 72, 144}, {128, 64, 200}, {3, 520, 16},
        {517, 8, 33}};
    for (GemmInput in : GemmInput.values()) {
      for (int[] s : shapes) {
        GemmProblem p = GemmProblem.builder(s[0], s[1], s[2], in).activation(GemmActivation.GELU).bias(true).build();
        GemmTestData data = GemmTestData.random(p, 7L * s[0] + s[1] + in.ordinal());
        GpuGemmFixture.Run run = fx.run(data, GemmPreference.AUTO, 0);
        assertThat(run.plan().provider()).as(p.toString()).isNotEqualTo(KernelProvider.CPU);
        assertClose(data, run);
      }
    }
  }

  @Test
  void randomShapesAndEpilogues() {
    SplittableRandom r = new SplittableRandom(2026);
    GemmActivation[] acts = GemmActivation.values();
    for (int i = 0; i < 24; i++) {
      GemmInput in = GemmInput.values()[i % GemmInput.values().length];
      int m = 1 + r.nextInt(300);
      int n = 8 * (1 + r.nextInt(40)) + (r.nextInt(4) == 0 ? r.nextInt(8) : 0);
      int k = 16 * (1 + r.nextInt(40)) + (r.nextInt(4) == 0 ? r.nextInt(16) : 0);
      GemmProblem p = GemmProblem.builder(m, n, k, in).activation(acts[r.nextInt(acts.length)])
          .bias(r.nextBoolean()).residual(r.nextBoolean()).alpha((float) r.nextDouble(0.25, 2))
          .output(r.nextBoolean() ? GemmOutput.BF16 : GemmOutput.FP32).build();
      GemmTestData data = GemmTestData.random(p, i);
      assertClose(data, fx.run(data, GemmPreference.AUTO, 0));
    }
  }

  @Test
  void zeroSizedProblemsAreNoOpsOrEpilogueOnly() {
    for (GemmInput in : GemmInput.values()) {
      // M = 0 and N = 0: nothing is launched, nothing written.
      GemmProblem m0 = GemmProblem.builder(0, 64, 128, in).build();
      GemmPlan plan = fx.gemm.run(m0, GemmOperands.builder().build());
      assertThat(plan.problem().isEmpty()).isTrue();
      GemmProblem n0 = GemmProblem.builder(16, 0, 128, in).bias(true).build();
      fx.gemm.run(n0, GemmOperands.builder().build());
      // K = 0: D = outScale * act(bias) + residual, on the host.
      GemmProblem k0 = GemmProblem.builder(24, 40, 0, in).activation(GemmActivation.SILU).bias(true).residual(true)
          .outScale(0.5f).build();
      GemmTestData data = GemmTestData.random(k0, 3);
      GpuGemmFixture.Run run = fx.run(data, GemmPreference.AUTO, 0);
      assertThat(run.plan().provider()).isEqualTo(KernelProvider.CPU);
      // Each GPU backend passes it over; a backend without a kernel for the format at all may say
      // that first, but K=0 must be named.
      assertThat(run.plan().selection().rejected()).anySatisfy(reason -> assertThat(reason).contains("K=0"));
      assertClose(data, run);
    }
    // D of an N = 0 problem is left as it was
    byte[] pattern = new byte[64];
    Arrays.fill(pattern, (byte) 0x5A);
    GemmProblem n0 = GemmProblem.builder(16, 0, 128, GemmInput.BF16).build();
    var d = fx.upload(pattern, 0);
    fx.gemm.run(n0, GemmOperands.builder().d(DeviceView.of(d)).build());
    assertThat(fx.download(d, 0, 64)).containsOnly((byte) 0x5A);
  }

  @Test
  void aNanInARowOfAPoisonsThatRowOnEveryGpuBackend() {
    GemmProblem p = GemmProblem.builder(64, 64, 128, GemmInput.BF16).build();
    float[] x = GemmTestData.values(new SplittableRandom(5), 64, 128);
    float[] w = GemmTestData.values(new SplittableRandom(6), 64, 128);
    x[17 * 128 + 100] = Float.NaN;
    GemmTestData data = GemmTestData.of(p, x, w, new SplittableRandom(7));
    for (KernelProvider provider : new KernelProvider[] {KernelProvider.CUTLASS, KernelProvider.CUBLASLT,
        KernelProvider.REFERENCE_GPU, KernelProvider.CPU}) {
      if (fx.gemm.target().unavailable().containsKey(provider)
          || (provider == KernelProvider.CUTLASS && fx.gemm.target().smVersion() != 90)) {
        continue;
      }
      GpuGemmFixture.Run run = fx.run(data, GemmPreference.provider(provider), 0);
      for (int i = 0; i < 64; i++) {
        for (int j = 0; j < 64; j++) {
          assertThat(Float.isNaN(run.d()[i * 64 + j])).as("%s D[%d, %d]", provider, i, j).isEqualTo(i == 17);
        }
      }
      assertClose(data, run);
    }
  }

  @Test
  void misalignedOperandsFallBackToTheReferenceKernel() {
    // M above GemmKernelSelector.CUBLASLT_FIRST_MAX_M and K below CUBLASLT_FIRST_MIN_K: CUTLASS is
    // the first choice on Hopper.
    GemmProblem p = GemmProblem.builder(384, 128, 32, GemmInput.BF16).build();
    GemmTestData data = GemmTestData.random(p, 8);
    GemmOperands aligned = fx.operands(data, 0);
    GemmPlan fast = fx.gemm.plan(p, aligned);
    GemmOperands offset = fx.operands(data, 8); // BF16 elements stay 2-byte aligned
    GemmPlan plan = fx.gemm.run(p, offset);
    if (fx.gemm.target().smVersion() == 90) {
      assertThat(fast.provider()).isEqualTo(KernelProvider.CUTLASS);
      assertThatThrownBy(() -> fx.gemm.run(fast, offset)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("needs 16-byte aligned operands (TMA), these are aligned to 8 byte(s)");
    }
    assertThat(plan.provider()).isEqualTo(KernelProvider.REFERENCE_GPU);
    assertThat(plan.selection().rejected()).anySatisfy(r -> assertThat(r).contains("aligned to 8 byte(s)"));
    assertThat(GemmTolerance.check(data, fx.result(p, offset))).isNull();
  }

  @Test
  void operandsQuantizedOnTheGpuFeedTheGemmDirectly() {
    int m = 256;
    int n = 192;
    int k = 384;
    SplittableRandom r = new SplittableRandom(77);
    float[] x = GemmTestData.bf16Values(r, m, k);
    float[] w = GemmTestData.bf16Values(r, n, k);
    try (MicroscaleManager mm = MicroscaleManager.create(fx.scope)) {
      Bf16Matrix xd = Bf16Matrix.of(fx.scope.allocateTensor(16, m, k));
      Bf16Matrix wd = Bf16Matrix.of(fx.scope.allocateTensor(16, n, k));
      fx.uploadBf16(xd, x);
      fx.uploadBf16(wd, w);
      record Case(GemmInput in, QuantFormat format, QuantOptions aOpts, QuantOptions bOpts, Fp8ScaleOrder aOrder) {}
      QuantOptions d = QuantOptions.defaults();
      List<Case> cases = List.of(new Case(GemmInput.FP8_TENSOR, QuantFormat.FP8_TENSOR, d, d, Fp8ScaleOrder.ROW_MAJOR),
          new Case(GemmInput.FP8_BLOCK128, QuantFormat.FP8_BLOCK, d,
              QuantOptions.builder().fp8BlockShape(Fp8BlockShape.WEIGHT_128X128).build(), Fp8ScaleOrder.MN_MAJOR),
          new Case(GemmInput.MXFP8, QuantFormat.MXFP8_E4M3, d, d, Fp8ScaleOrder.ROW_MAJOR),
          new Case(GemmInput.NVFP4, QuantFormat.NVFP4, d, d, Fp8ScaleOrder.ROW_MAJOR));
      for (Case c : cases) {
        GpuQuantizedTensor qa = mm.quantize(xd, c.format, c.aOpts, c.aOrder);
        GpuQuantizedTensor qb = mm.quantize(wd, c.format, c.bOpts, Fp8ScaleOrder.ROW_MAJOR);
        GemmProblem p = GemmProblem.builder(m, n, k, c.in).activation(GemmActivation.GELU).build();
        GemmTestData data = GemmTestData.of(p, x, w, new SplittableRandom(1));
        // the GPU quantizer is byte-exact with the reference, so the reference's operands are these
        assertThat(qa.toHost(fx.stream)).isEqualTo(data.qa);
        assertThat(qb.toHost(fx.stream)).isEqualTo(data.qb);
        var dOut = fx.scope.allocateTensor(16, m, n);
        GemmOperands ops = GemmOperands.builder().quantizedA(qa).quantizedB(qb).d(DeviceView.of(dOut)).build();
        GemmPlan plan = fx.gemm.run(p, ops);
        assertThat(GemmTolerance.check(data, fx.result(p, ops))).as(c.in + " on " + plan.kernelName()).isNull();
        if (c.in == GemmInput.FP8_BLOCK128) {
          // row-major activation scales are refused before launch, with the fix named
          GpuQuantizedTensor rowMajor = mm.quantize(xd, c.format, c.aOpts, Fp8ScaleOrder.ROW_MAJOR);
          GemmOperands bad = ops.toBuilder().quantizedA(rowMajor).build();
          assertThatThrownBy(() -> fx.gemm.run(p, bad)).isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("Fp8ScaleOrder.MN_MAJOR");
        }
      }
    }
  }

  @Test
  void theSummarySharesOpsAndTimeAmongTheBackends() {
    try (GpuGemm gemm = GpuGemm.create(fx.scope)) {
      GemmProblem aligned = GemmProblem.builder(256, 256, 256, GemmInput.BF16).build();
      GemmProblem ragged = GemmProblem.builder(100, 100, 100, GemmInput.BF16).build();
      GemmTestData a = GemmTestData.random(aligned, 1);
      GemmTestData b = GemmTestData.random(ragged, 2);
      GemmOperands oa = fx.operands(a, 0);
      GemmOperands ob = fx.operands(b, 0);
      for (int i = 0; i < 3; i++) {
        gemm.run(aligned, oa);
      }
      gemm.run(ragged, ob);
      gemm.run(ragged, ob, GemmPreference.provider(KernelProvider.CPU));
      KernelSummary s = gemm.kernelSummary();
      assertThat(s.totalOps()).isEqualTo(5);
      assertThat(s.timedOps()).isEqualTo(5);
      double opShares = s.providers().stream().mapToDouble(KernelSummary.ProviderShare::opShare).sum();
      double timeShares = s.providers().stream().mapToDouble(KernelSummary.ProviderShare::timeShare).sum();
      assertThat(opShares).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
      assertThat(timeShares).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
      assertThat(s.share(KernelProvider.CPU).ops()).isEqualTo(1);
      assertThat(s.providers()).allSatisfy(p -> assertThat(p.seconds()).isPositive());
      GemmPlan raggedPlan = gemm.plan(ragged, ob);
      assertThat(s.fallbacks()).containsKeys(raggedPlan.selection().rejected().toArray(new String[0]));
      System.out.println("[deepwell] summary:\n" + s.toTable());
      gemm.clearSummary();
      assertThat(gemm.kernelSummary().totalOps()).isZero();
    }
  }

  @Test
  void aClosedGemmOrBufferIsRefused() {
    GemmProblem p = GemmProblem.builder(64, 64, 64, GemmInput.BF16).build();
    GemmTestData data = GemmTestData.random(p, 4);
    GemmOperands ops = fx.operands(data, 0);
    ops.a().memory().buffer().orElseThrow().close();
    assertThatThrownBy(() -> fx.gemm.run(p, ops)).isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("a is closed");
    GpuGemm g = GpuGemm.create(fx.scope);
    g.close();
    assertThatThrownBy(() -> g.run(p, fx.operands(data, 0))).isInstanceOf(IllegalStateException.class)
        .hasMessage("GpuGemm is closed");
  }
}
