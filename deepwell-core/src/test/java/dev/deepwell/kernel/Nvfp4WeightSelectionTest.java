package dev.deepwell.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.ir.Attrs;
import dev.deepwell.ir.Graph;
import dev.deepwell.ir.LayerRole;
import dev.deepwell.ir.Op;
import dev.deepwell.ir.OpKind;
import dev.deepwell.ir.Shape;
import dev.deepwell.ir.TensorFormat;
import dev.deepwell.ir.TensorValue;
import dev.deepwell.ir.ValueKind;
import dev.deepwell.model.Mode;
import dev.deepwell.model.Workload;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * NVFP4 weights x BF16 activations (issue 5's inference format): which kernel a problem gets,
 * why each other one was passed over, and that Deepwell's decode GEMV never shows up in the
 * reasons of any other format.
 */
class Nvfp4WeightSelectionTest {

  private static final GemmKernelCatalog CATALOG = GemmKernelCatalog.standard();
  private static final GemmTarget H100 = GemmTarget.named("h100");
  private static final String GEMV = "gemv_nvfp4_weight_bf16_mma";

  private static GemmProblem problem(long m, long n, long k) {
    return GemmProblem.builder(m, n, k, GemmInput.NVFP4_WEIGHT).build();
  }

  private static GemmSelection select(GemmProblem p, GemmTarget t, int align) {
    return GemmKernelSelector.select(p, CATALOG, t, align, GemmPreference.AUTO);
  }

  @Test
  void theFormatIsBf16ActivationsAndNvfp4Weights() {
    GemmInput in = GemmInput.NVFP4_WEIGHT;
    assertThat(in.aFormat()).isEqualTo(TensorFormat.BF16);
    assertThat(in.bFormat()).isEqualTo(TensorFormat.NVFP4);
    assertThat(in.aElementBits()).isEqualTo(16);
    assertThat(in.bElementBits()).isEqualTo(4);
    assertThat(in.elementBits()).isEqualTo(4);
    assertThat(in.kBlock()).isEqualTo(16);
    assertThat(in.isScaled()).isTrue();
    assertThat(in.hasAScales()).isFalse();
    assertThat(in.hasTensorScale()).isTrue();
    assertThat(GemmInput.NVFP4.hasAScales()).isTrue();
    assertThat(GemmInput.BF16.hasAScales()).isFalse();
    assertThat(GemmInput.NVFP4.aElementBits()).isEqualTo(4);
    assertThat(GemmInput.of(TensorFormat.BF16, TensorFormat.NVFP4)).contains(in);
    assertThat(GemmInput.of(TensorFormat.BF16, TensorFormat.NVFP4_2D)).contains(in);
    assertThat(GemmInput.of(TensorFormat.BF16, TensorFormat.BF16)).contains(GemmInput.BF16);
    assertThat(GemmInput.of(TensorFormat.NVFP4, TensorFormat.NVFP4)).contains(GemmInput.NVFP4);
    assertThat(in.displayName()).isEqualTo("nvfp4-weight");
  }

  @Test
  void decodeShapesRunDeepwellsGemvFirst() {
    for (long m : new long[] {1, 2, 3, 8, 16}) {
      for (long[] nk : new long[][] {{4096, 4096}, {14336, 4096}, {4096, 14336}, {8192, 8192}, {32768, 768},
          {77, 96}}) {
        GemmSelection s = select(problem(m, nk[0], nk[1]), H100, 256);
        assertThat(s.provider()).as("M=%d N=%d K=%d", m, nk[0], nk[1]).isEqualTo(KernelProvider.DEEPWELL_GPU);
        assertThat(s.variant().name()).isEqualTo(GEMV);
        assertThat(s.variant().descriptorId()).isEqualTo("deepwell.gemv.nvfp4_weight");
        assertThat(s.reason()).startsWith("first choice: deepwell-gpu");
        assertThat(s.rejected()).isEmpty();
      }
    }
    // newer GPUs run it from PTX; the library ships no sm_80 code
    assertThat(select(problem(4, 4096, 4096), GemmTarget.named("b200"), 256).provider())
        .isEqualTo(KernelProvider.DEEPWELL_GPU);
    assertThat(select(problem(4, 4096, 4096), GemmTarget.gpu("a100", 80, 108), 256).rejected().get(0))
        .startsWith("deepwell-gpu: needs sm_90+, target is a100");
    // any N, with a BF16 or FP32 output and every epilogue
    GemmProblem all = GemmProblem.builder(16, 50257, 768, GemmInput.NVFP4_WEIGHT).output(GemmOutput.FP32)
        .activation(GemmActivation.SILU).bias(true).residual(true).alpha(2f).outScale(0.5f).build();
    assertThat(select(all, H100, 256).provider()).isEqualTo(KernelProvider.DEEPWELL_GPU);
  }

  @Test
  void mOverTheGemvLimitFallsBackToTheHopperKernelElseTheReferenceWithEveryReason() {
    // Hopper: our sm90 NVFP4-weight kernel (Nvfp4WeightHopperKernelTest covers it)
    GemmSelection s = select(problem(GemmKernelSelector.GEMV_MAX_M + 1, 4096, 4096), H100, 256);
    assertThat(s.provider()).isEqualTo(KernelProvider.CUTLASS);
    assertThat(s.variant().descriptorId()).isEqualTo("cutlass.sm90.gemm.nvfp4_weight");
    assertThat(s.rejected()).containsExactly(
        "deepwell-gpu: M=17 exceeds the decode GEMV's 16 rows (DW_GEMM_GEMV_MAX_M; larger M is compute, not weight "
            + "streaming)");
    assertThat(s.reason()).startsWith("fallback to cutlass after 1 backend(s)");
    assertThat(s.isFallback()).isTrue();
    // elsewhere (a build for sm_100, a B200): the reference kernel
    GemmSelection b = GemmKernelSelector.select(problem(GemmKernelSelector.GEMV_MAX_M + 1, 4096, 4096),
        GemmKernelCatalog.standard(100), GemmTarget.named("b200"), 256, GemmPreference.AUTO);
    assertThat(b.provider()).isEqualTo(KernelProvider.REFERENCE_GPU);
    assertThat(b.variant().name()).isEqualTo("reference_nvfp4_weight");
    assertThat(b.variant().descriptorId()).isEqualTo("ref.gemm.nvfp4_weight");
    assertThat(b.rejected()).containsExactly(
        "deepwell-gpu: M=17 exceeds the decode GEMV's 16 rows (DW_GEMM_GEMV_MAX_M; larger M is compute, not weight "
            + "streaming)",
        "cutlass: no nvfp4-weight kernel in this build", "cublaslt: no nvfp4-weight kernel in this build");
    assertThat(b.reason()).startsWith("fallback to reference-gpu after 3 backend(s)");
  }

  @Test
  void kOrPointersTheGemvCannotReadFallBack() {
    GemmSelection ragged = select(problem(4, 256, 100), H100, 256);
    assertThat(ragged.provider()).isEqualTo(KernelProvider.REFERENCE_GPU);
    assertThat(ragged.rejected().get(0))
        .isEqualTo("deepwell-gpu: K=100 must be a multiple of 32 (16-byte chunks of the NVFP4 weight rows)");
    assertThat(ragged.rejected().get(1))
        .isEqualTo("cutlass: K=100 must be a multiple of 32 (16-byte rows of the NVFP4 weights for TMA)");
    GemmSelection misaligned = select(problem(4, 256, 256), H100, 8);
    assertThat(misaligned.provider()).isEqualTo(KernelProvider.REFERENCE_GPU);
    assertThat(misaligned.rejected().get(0))
        .isEqualTo("deepwell-gpu: needs 16-byte aligned operands (vector loads), these are aligned to 8 byte(s)");
    assertThat(misaligned.rejected().get(1))
        .isEqualTo("cutlass: needs 16-byte aligned operands (TMA), these are aligned to 8 byte(s)");
    GemmSelection onCpu = select(problem(4, 256, 256), GemmTarget.cpu(), 256);
    assertThat(onCpu.provider()).isEqualTo(KernelProvider.CPU);
    assertThat(onCpu.variant().name()).isEqualTo("cpu_nvfp4_weight");
    assertThat(onCpu.rejected()).first().isEqualTo("deepwell-gpu: target cpu has no GPU");
    GemmSelection k0 = select(problem(4, 256, 0), H100, 256);
    assertThat(k0.provider()).isEqualTo(KernelProvider.CPU);
    assertThat(k0.rejected().get(0)).startsWith("deepwell-gpu: K=0: an empty reduction");
  }

  @Test
  void aBuildWithoutTheGemvSaysSo() {
    List<GemmVariant> l = new java.util.ArrayList<>(CATALOG.variants());
    l.removeIf(v -> v.provider() == KernelProvider.DEEPWELL_GPU);
    GemmSelection s = GemmKernelSelector.select(problem(1, 4096, 4096), GemmKernelCatalog.of(l), H100, 256,
        GemmPreference.AUTO);
    // on Hopper the sm90 NVFP4-weight kernel is next in the chain, whatever M
    assertThat(s.provider()).isEqualTo(KernelProvider.CUTLASS);
    assertThat(s.rejected()).containsExactly("deepwell-gpu: no nvfp4-weight kernel in this build");
    KernelRegistry disabled = KernelRegistry.standard().withProviderDisabled(KernelProvider.DEEPWELL_GPU, "measuring");
    GemmSelection d = disabled.selectGemm(problem(1, 4096, 4096), CATALOG, H100, 256, GemmPreference.AUTO);
    assertThat(d.rejected().get(0)).isEqualTo("deepwell-gpu: disabled (measuring)");
  }

  @Test
  void otherFormatsNeverMentionTheGemv() {
    for (GemmInput in : GemmInput.values()) {
      if (in == GemmInput.NVFP4_WEIGHT) {
        continue;
      }
      for (GemmTarget t : new GemmTarget[] {H100, GemmTarget.cpu(), GemmTarget.named("b200")}) {
        GemmSelection s = select(GemmProblem.builder(64, 50, 100, in).build(), t, 8);
        assertThat(s.rejected()).as("%s on %s", in, t).noneMatch(r -> r.startsWith("deepwell-gpu"));
      }
    }
    KernelRegistry disabled = KernelRegistry.standard().withProviderDisabled(KernelProvider.DEEPWELL_GPU, "off");
    GemmSelection bf16 = disabled.selectGemm(GemmProblem.builder(4096, 4096, 4096, GemmInput.BF16).build(), CATALOG,
        H100, 256, GemmPreference.AUTO);
    assertThat(bf16.rejected()).isEmpty();
    assertThat(bf16.provider()).isEqualTo(KernelProvider.CUTLASS);
  }

  @Test
  void askingForTheGemvExplicitlyIsTakenOrRefused() {
    GemmSelection s = GemmKernelSelector.select(problem(8, 4096, 4096), CATALOG, H100, 256,
        GemmPreference.provider(KernelProvider.DEEPWELL_GPU));
    assertThat(s.reason()).startsWith("asked for deepwell-gpu");
    assertThatThrownBy(() -> GemmKernelSelector.select(problem(32, 4096, 4096), CATALOG, H100, 256,
        GemmPreference.provider(KernelProvider.DEEPWELL_GPU)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("deepwell-gpu cannot run GEMM nvfp4-weight M=32").hasMessageContaining("exceeds");
    assertThatThrownBy(() -> GemmKernelSelector.select(GemmProblem.builder(8, 64, 64, GemmInput.BF16).build(), CATALOG,
        H100, 256, GemmPreference.provider(KernelProvider.DEEPWELL_GPU)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no bf16 kernel in this build");
    assertThatThrownBy(() -> GemmKernelSelector.select(problem(8, 64, 64), CATALOG, H100, 256,
        GemmPreference.variant(KernelProvider.DEEPWELL_GPU, 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has 1 nvfp4-weight variant(s)");
  }

  @Test
  void theCatalogueAndTheStandardKernelsAgree() {
    assertThat(CATALOG.variants(KernelProvider.DEEPWELL_GPU, GemmInput.NVFP4_WEIGHT))
        .containsExactly(GemmKernelCatalog.GEMV_NVFP4_WEIGHT);
    assertThat(CATALOG.counts(GemmInput.NVFP4_WEIGHT)).containsEntry(KernelProvider.DEEPWELL_GPU, 1)
        .containsEntry(KernelProvider.CUTLASS, 3).containsEntry(KernelProvider.REFERENCE_GPU, 1)
        .containsEntry(KernelProvider.CPU, 1).doesNotContainKey(KernelProvider.CUBLASLT);
    for (GemmInput in : GemmInput.values()) {
      assertThat(GemmKernelCatalog.deepwellVariants(in)).hasSize(in == GemmInput.NVFP4_WEIGHT ? 1 : 0);
    }
    KernelDescriptor gemv = KernelRegistry.standard().kernel("deepwell.gemv.nvfp4_weight");
    assertThat(gemv.provider()).isEqualTo(KernelProvider.DEEPWELL_GPU);
    assertThat(gemv.inputFormats()).containsExactly(TensorFormat.BF16);
    assertThat(gemv.weightFormats()).containsExactlyInAnyOrder(TensorFormat.NVFP4, TensorFormat.NVFP4_2D);
    assertThat(gemv.emulated()).isFalse();
    assertThat(gemv.arch().minSm()).isEqualTo(90);
    KernelDescriptor ref = KernelRegistry.standard().kernel("ref.gemm.nvfp4_weight");
    assertThat(ref.provider()).isEqualTo(KernelProvider.REFERENCE_GPU);
    assertThat(ref.inputFormats()).containsExactly(TensorFormat.BF16);
  }

  // ---- binding a graph's LINEAR op ------------------------------------------------------------

  /** One LINEAR op x [m, k] (BF16) times w [n, k] in {@code weight}, BF16 out. */
  private static Graph linear(long m, long n, long k, TensorFormat weight) {
    Map<Integer, TensorValue> values = new LinkedHashMap<>();
    values.put(0, new TensorValue(0, "x", Shape.of(m, k), TensorFormat.BF16, ValueKind.INPUT, -1));
    values.put(1, new TensorValue(1, "w", Shape.of(n, k), weight, ValueKind.PARAMETER, -1));
    values.put(2, new TensorValue(2, "y", Shape.of(m, n), TensorFormat.BF16, ValueKind.ACTIVATION, -1));
    Op op = new Op(0, OpKind.LINEAR, "proj", LayerRole.MLP_DOWN, 0, List.of(0, 1), List.of(2), Attrs.empty(), null,
        List.of());
    return new Graph("gemv", new Workload(1, 1, Mode.INFERENCE), List.of(op), values, List.of(0), List.of(2));
  }

  private static KernelBinding bind(Graph g, String target) {
    return KernelRegistry.standard().bind(g.ops().get(0), g, CompileTarget.named(target));
  }

  @Test
  void aDecodeLinearWithNvfp4WeightsBindsTheGemvElseTheHopperKernelElseTheReference() {
    KernelBinding decode = bind(linear(8, 4096, 4096, TensorFormat.NVFP4), "h100");
    assertThat(decode.kernel().id()).isEqualTo("deepwell.gemv.nvfp4_weight");
    assertThat(decode.reason()).startsWith("first choice: deepwell-gpu");
    assertThat(decode.rejected()).isEmpty();
    assertThat(bind(linear(8, 4096, 4096, TensorFormat.NVFP4_2D), "h100").kernel().id())
        .isEqualTo("deepwell.gemv.nvfp4_weight");
    KernelBinding prefill = bind(linear(512, 4096, 4096, TensorFormat.NVFP4), "h100");
    assertThat(prefill.kernel().id()).isEqualTo("cutlass.sm90.gemm.nvfp4_weight");
    assertThat(prefill.rejected()).containsExactly(
        "deepwell-gpu: deepwell.gemv.nvfp4_weight is a decode GEMV: M=512 exceeds 16");
    // any N (50257: no multiple of 8), 2-D weights too
    assertThat(bind(linear(512, 50257, 4096, TensorFormat.NVFP4_2D), "h100").kernel().id())
        .isEqualTo("cutlass.sm90.gemm.nvfp4_weight");
    KernelBinding ragged = bind(linear(8, 4096, 100, TensorFormat.NVFP4), "h100");
    assertThat(ragged.kernel().id()).isEqualTo("ref.gemm.nvfp4_weight");
    assertThat(ragged.rejected().get(0)).contains("needs K a multiple of 32, got K=100");
    assertThat(ragged.rejected().get(1)).isEqualTo("cutlass: cutlass.sm90.gemm.nvfp4_weight needs K a multiple of "
        + "32 (16-byte rows of the NVFP4 weights for TMA), got K=100");
    KernelBinding blackwell = bind(linear(512, 4096, 4096, TensorFormat.NVFP4), "b200");
    assertThat(blackwell.kernel().id()).isEqualTo("ref.gemm.nvfp4_weight");
    assertThat(blackwell.rejected().get(1)).isEqualTo("cutlass: cutlass.sm90.gemm.nvfp4_weight needs sm_90, "
        + "target is b200 (sm_100)");
    // BF16 weights: the GEMV is not considered at all
    KernelBinding bf16 = bind(linear(8, 4096, 4096, TensorFormat.BF16), "h100");
    assertThat(bf16.kernel().id()).isEqualTo("cutlass.sm90.gemm.bf16");
    assertThat(bf16.rejected()).isEmpty();
    assertThat(bind(linear(8, 4096, 4096, TensorFormat.BF16), "cpu").rejected())
        .noneMatch(r -> r.startsWith("deepwell-gpu"));
  }
}
