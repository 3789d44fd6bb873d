package dev.deepwell.gpu.gemm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.deepwell.gpu.gemm.GemmOperands.Field;
import dev.deepwell.gpu.quant.Bf16Matrix;
import dev.deepwell.gpu.quant.Fp8ScaleOrder;
import dev.deepwell.gpu.quant.GpuQuantizedTensor;
import dev.deepwell.gpu.quant.MicroscaleManager;
import dev.deepwell.kernel.GemmActivation;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmKernelCatalog;
import dev.deepwell.kernel.GemmKernelSelector;
import dev.deepwell.kernel.GemmOutput;
import dev.deepwell.kernel.GemmPreference;
import dev.deepwell.kernel.GemmProblem;
import dev.deepwell.kernel.KernelProvider;
import dev.deepwell.quant.QuantFormat;
import dev.deepwell.quant.QuantOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Deepwell's decode GEMV (NVFP4 weights x BF16 activations, src/gemm/gemv_nvfp4.cu and its TMA
 * engine gemv_nvfp4_tma.cu, which the plan takes for 8-16 tokens on 8K+ weight rows) on the GPU
 * against the FP64 product of the operands as the reference quantizer of {@code dev.deepwell.quant}
 * made them ({@link GemmTestData}; {@link GemmTolerance} gives the bounds): token counts 1..16
 * over both MMA token tiles, ragged N, K from one 128-step to a cluster-wide split, every
 * epilogue, weights quantized on the GPU, NaN and zero scales, and the fallback past M = 16 (our
 * sm90 NVFP4-weight kernel on Hopper where the library has it, else the reference kernel).
 */
@Tag("gpu")
class NvFp4GemvGpuTest {

  private static final GemmPreference GEMV = GemmPreference.provider(KernelProvider.DEEPWELL_GPU);
  private static GpuGemmFixture fx;

  @BeforeAll
  static void open() {
    fx = GpuGemmFixture.openOrSkip();
  }

  @AfterAll
  static void close() {
    if (fx != null) {
      System.out.println("[deepwell] NVFP4-weight GEMV kernel summary:\n" + fx.gemm.kernelSummary().toTable());
      fx.close();
    }
  }

  /** Skips (visibly) where the library or the device has no GEMV. */
  private static void assumeGemv() {
    String absent = fx.gemm.target().unavailable().get(KernelProvider.DEEPWELL_GPU);
    boolean built = !fx.gemm.catalog().variants(KernelProvider.DEEPWELL_GPU, GemmInput.NVFP4_WEIGHT).isEmpty();
    boolean arch = fx.gemm.target().smVersion() >= 90;
    if (absent != null || !built || !arch) {
      System.out.println("[deepwell] NVFP4-weight GEMV tests skipped: " + (absent != null ? absent
          : !built ? "the library has no GEMV" : "the library ships no GEMV code for sm_" + fx.gemm.target().smVersion()));
    }
    assumeTrue(absent == null && built && arch, "no decode GEMV here");
  }

  private static void assertClose(GemmTestData data, GpuGemmFixture.Run run) {
    assertThat(GemmTolerance.check(data, run.d())).as("%s on %s", data.problem, run.plan().kernelName()).isNull();
  }

  @Test
  void everyTokenCountShapeAndEpilogueMatchesTheFp64Reference() {
    assumeGemv();
    long[] ms = {1, 2, 3, 8, 9, 16};
    // N: one row block, ragged, many; K: one step, ragged steps, a K split over a full cluster;
    // 8320 x 1280: the TMA engine from 8 tokens on (65 row blocks, a last stage of half its K)
    long[][] nks = {{8, 128}, {77, 96}, {264, 384}, {1000, 2048}, {4096, 1024}, {200, 1184}, {8320, 1280}};
    List<GemmProblem> problems = new ArrayList<>();
    for (long m : ms) {
      for (long[] nk : nks) {
        GemmProblem base = GemmProblem.builder(m, nk[0], nk[1], GemmInput.NVFP4_WEIGHT).build();
        problems.add(base);
        problems.add(base.toBuilder().activation(GemmActivation.GELU).bias(true).residual(true).alpha(0.5f)
            .outScale(1.25f).output(GemmOutput.FP32).build());
      }
    }
    GemmProblem silu = GemmProblem.builder(16, 512, 512, GemmInput.NVFP4_WEIGHT).activation(GemmActivation.SILU)
        .bias(true).alpha(-2f).build();
    problems.add(silu);
    int i = 0;
    for (GemmProblem p : problems) {
      GemmTestData data = GemmTestData.random(p, 400 + i++);
      GpuGemmFixture.Run run = fx.run(data, GEMV, 0);
      assertThat(run.plan().provider()).isEqualTo(KernelProvider.DEEPWELL_GPU);
      assertThat(run.plan().kernelName()).isEqualTo(GemmKernelCatalog.GEMV_NVFP4_WEIGHT.name());
      assertClose(data, run);
    }
  }

  /** Whether AUTO has our sm90 NVFP4-weight kernel after the GEMV: a Hopper device and a library that has it. */
  private static boolean hopperKernel() {
    return fx.gemm.target().smVersion() == 90
        && !fx.gemm.catalog().variants(KernelProvider.CUTLASS, GemmInput.NVFP4_WEIGHT).isEmpty()
        && !fx.gemm.target().unavailable().containsKey(KernelProvider.CUTLASS);
  }

  @Test
  void autoChoosesTheGemvForDecodeAndTheHopperKernelOrTheReferencePastItsLimit() {
    assumeGemv();
    GemmTestData decode = GemmTestData.random(GemmProblem.builder(4, 256, 512, GemmInput.NVFP4_WEIGHT).build(), 1);
    GpuGemmFixture.Run fast = fx.run(decode, GemmPreference.AUTO, 0);
    assertThat(fast.plan().provider()).isEqualTo(KernelProvider.DEEPWELL_GPU);
    assertThat(fast.plan().selection().rejected()).isEmpty();
    assertClose(decode, fast);
    // 17 x 256: 17 tokens fit the 64-row tile (the rule of GemmTileChoice / gemm_sm90_select.cpp)
    long m = GemmKernelSelector.GEMV_MAX_M + 1;
    GemmTestData prefill = GemmTestData.random(GemmProblem.builder(m, 256, 512, GemmInput.NVFP4_WEIGHT).build(), 2);
    GpuGemmFixture.Run slow = fx.run(prefill, GemmPreference.AUTO, 0);
    if (hopperKernel()) {
      assertThat(slow.plan().provider()).isEqualTo(KernelProvider.CUTLASS);
      assertThat(slow.plan().kernelName()).isEqualTo("sm90_nvfp4w_fused_bf16_64x128x64");
      assertThat(slow.plan().selection().rejected()).hasSize(1);
    } else {
      assertThat(slow.plan().provider()).isEqualTo(KernelProvider.REFERENCE_GPU);
    }
    assertThat(slow.plan().selection().rejected().get(0)).startsWith("deepwell-gpu: M=17 exceeds the decode GEMV's");
    assertClose(prefill, slow);
    // K not a multiple of 32: neither the GEMV nor the Hopper kernel; the reference kernel, still right
    GemmTestData ragged = GemmTestData.random(GemmProblem.builder(5, 40, 100, GemmInput.NVFP4_WEIGHT).build(), 3);
    GpuGemmFixture.Run r = fx.run(ragged, GemmPreference.AUTO, 0);
    assertThat(r.plan().provider()).isEqualTo(KernelProvider.REFERENCE_GPU);
    if (hopperKernel()) {
      assertThat(r.plan().selection().rejected())
          .contains("cutlass: K=100 must be a multiple of 32 (16-byte rows of the NVFP4 weights for TMA)");
    }
    assertClose(ragged, r);
    // misaligned pointers (8 bytes): passed over with the reason (by the Hopper kernel too), the reference runs
    GemmOperands offset = fx.operands(decode, 8);
    GemmPlan plan = fx.gemm.run(decode.problem, offset);
    assertThat(plan.provider()).isEqualTo(KernelProvider.REFERENCE_GPU);
    assertThat(plan.selection().rejected().get(0)).contains("aligned to 8 byte(s)");
    if (hopperKernel()) {
      assertThat(plan.selection().rejected().get(1)).startsWith("cutlass:").contains("aligned to 8 byte(s)");
    }
    assertThat(GemmTolerance.check(decode, fx.result(decode.problem, offset))).isNull();
  }

  @Test
  void theGemvAndTheReferenceKernelAgreeOnTheSameOperands() {
    assumeGemv();
    GemmProblem p = GemmProblem.builder(11, 1032, 2080, GemmInput.NVFP4_WEIGHT).output(GemmOutput.FP32).build();
    GemmTestData data = GemmTestData.random(p, 21);
    float[] gemv = fx.run(data, GEMV, 0).d();
    float[] ref = fx.run(data, GemmPreference.provider(KernelProvider.REFERENCE_GPU), 0).d();
    assertThat(GemmTolerance.check(data, gemv)).isNull();
    assertThat(GemmTolerance.check(data, ref)).isNull();
    double num = 0;
    double den = 0;
    for (int i = 0; i < gemv.length; i++) {
      num += (gemv[i] - ref[i]) * (double) (gemv[i] - ref[i]);
      den += ref[i] * (double) ref[i];
    }
    assertThat(Math.sqrt(num / den)).isLessThan(1e-5); // both sum exact products in FP32
  }

  @Test
  void nanAndZeroScalesReachTheOutputAsTheFormatSays() {
    assumeGemv();
    GemmProblem p = GemmProblem.builder(6, 300, 512, GemmInput.NVFP4_WEIGHT).output(GemmOutput.FP32).bias(true).build();
    GemmTestData data = GemmTestData.random(p, 31);
    float[] good = fx.run(data, GEMV, 0).d();
    assertThat(GemmTolerance.check(data, good)).isNull();
    // UE4M3 0x7F (NaN) in weight row 123, block 5: D[:, 123] is NaN; nothing else moves
    byte[] scales = data.args.get(Field.SCALE_B).clone();
    scales[123 * 32 + 5] = 0x7F;
    // a zero scale in row 7, block 0: exactly that block's products vanish
    scales[7 * 32] = 0;
    GemmOperands ops = fx.operands(data, 0).toBuilder().scaleB(DeviceView.of(fx.upload(scales, 0))).build();
    fx.gemm.run(p, ops, GEMV);
    float[] d = fx.result(p, ops);
    java.util.Map<Field, byte[]> hostArgs = new java.util.EnumMap<>(data.args);
    hostArgs.put(Field.SCALE_B, scales);
    float[] want = GemmOperandCodec.decodeOutput(p.output(), HostGemm.compute(p, hostArgs));
    for (int i = 0; i < 6; i++) {
      for (int j = 0; j < 300; j++) {
        int at = i * 300 + j;
        assertThat(Float.isNaN(d[at])).as("D[%d, %d]", i, j).isEqualTo(j == 123);
        if (j != 123 && j != 7) {
          assertThat(d[at]).as("D[%d, %d]", i, j).isEqualTo(good[at]);
        }
        if (j == 7) {
          assertThat((double) d[at]).isCloseTo(want[at], org.assertj.core.data.Offset.offset(1e-4 * (1
              + Math.abs(want[at]))));
        }
      }
    }
  }

  @Test
  void weightsQuantizedOnTheGpuFeedTheGemvDirectly() {
    assumeGemv();
    int m = 16;
    int n = 520;
    int k = 1024;
    SplittableRandom r = new SplittableRandom(99);
    float[] x = GemmTestData.bf16Values(r, m, k);
    float[] w = GemmTestData.bf16Values(r, n, k);
    try (MicroscaleManager mm = MicroscaleManager.create(fx.scope)) {
      var xt = fx.scope.allocateTensor(16, m, k);
      Bf16Matrix xd = Bf16Matrix.of(xt);
      Bf16Matrix wd = Bf16Matrix.of(fx.scope.allocateTensor(16, n, k));
      fx.uploadBf16(xd, x);
      fx.uploadBf16(wd, w);
      for (QuantFormat f : new QuantFormat[] {QuantFormat.NVFP4, QuantFormat.NVFP4_2D}) {
        GpuQuantizedTensor qw = mm.quantize(wd, f, QuantOptions.defaults(), Fp8ScaleOrder.ROW_MAJOR);
        GemmProblem p = GemmProblem.builder(m, n, k, GemmInput.NVFP4_WEIGHT).activation(GemmActivation.GELU).build();
        var dOut = fx.scope.allocateTensor(16, m, n);
        GemmOperands ops = GemmOperands.builder().a(DeviceView.of(xt)).quantizedB(qw)
            .d(DeviceView.of(dOut)).build();
        GemmPlan plan = fx.gemm.run(p, ops);
        assertThat(plan.provider()).isEqualTo(KernelProvider.DEEPWELL_GPU);
        float[] got = fx.result(p, ops);
        if (f == QuantFormat.NVFP4) {
          // the GPU quantizer is byte-exact with the reference, so the reference's operands are these
          GemmTestData data = GemmTestData.of(p, x, w, new SplittableRandom(1));
          assertThat(qw.toHost(fx.stream)).isEqualTo(data.qb);
          assertThat(GemmTolerance.check(data, got)).as(plan.kernelName()).isNull();
        } else {
          // 2-D weights: the reference backend on the very same device operands
          GemmOperands refOps = ops.toBuilder().d(DeviceView.of(fx.scope.allocateTensor(16, m, n))).build();
          fx.gemm.run(p, refOps, GemmPreference.provider(KernelProvider.REFERENCE_GPU));
          float[] ref = fx.result(p, refOps);
          for (int i = 0; i < got.length; i++) {
            assertThat((double) got[i]).isCloseTo(ref[i], org.assertj.core.data.Offset.offset(
                0x1p-7 * Math.abs(ref[i]) + 1e-3));
          }
        }
      }
    }
  }
}
