package dev.deepwell.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.compiler.CompileOptions;
import dev.deepwell.compiler.Engine;
import dev.deepwell.compiler.GraphCompiler;
import dev.deepwell.ir.Fusion;
import dev.deepwell.ir.GraphCapture;
import dev.deepwell.ir.OpKind;
import dev.deepwell.ir.TensorFormat;
import dev.deepwell.model.ActivationKind;
import dev.deepwell.model.Mode;
import dev.deepwell.model.ModelPresets;
import dev.deepwell.model.ModelSpec;
import dev.deepwell.model.SequentialSpec;
import dev.deepwell.model.Workload;
import dev.deepwell.precision.Precision;
import dev.deepwell.precision.PrecisionConfig;
import dev.deepwell.precision.UnsupportedPrecisionMode;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KernelRegistryTest {

  private static Engine compile(ModelSpec spec, Workload w, PrecisionConfig c, String target,
      KernelRegistry registry) {
    return GraphCompiler.compile(GraphCapture.capture(spec, w), CompileOptions.builder()
        .precision(c).target(CompileTarget.named(target)).registry(registry).build());
  }

  private static KernelBinding binding(Engine e, String op) {
    return e.binding(e.graph().op(op).id());
  }

  @Test
  void blackwellBindsBlockScaledCutlassFirst() {
    Engine e = compile(ModelPresets.benchmark(), new Workload(8, 1024, Mode.TRAINING),
        PrecisionConfig.of(Precision.MXFP8), "b200", KernelRegistry.standard());
    KernelBinding qkv = binding(e, "layers.0.attn.qkv");
    assertThat(qkv.kernel().id()).isEqualTo("cutlass.sm100.gemm.mxfp8");
    assertThat(qkv.reason()).startsWith("first choice: cutlass");
    assertThat(qkv.rejected()).isEmpty();
    assertThat(binding(e, "layers.0.attn.core").kernel().id()).isEqualTo("cutlass.sm100.fmha");
    assertThat(binding(e, "layers.0.attn_norm").kernel().id()).isEqualTo("ref.rmsnorm");
    assertThat(binding(e, "layers.0.attn_norm").rejected()).hasSize(2);
  }

  @Test
  void hopperEmulatesMxfp8WithTheReasonsRecorded() {
    PrecisionConfig emulate = PrecisionConfig.builder().defaultCompute(Precision.MXFP8)
        .unsupportedPrecision(UnsupportedPrecisionMode.EMULATE).build();
    Workload w = new Workload(8, 1024, Mode.TRAINING);
    Engine e = compile(ModelPresets.benchmark(), w, emulate, "h100", KernelRegistry.standard());
    // No block-scaled MMA on Hopper: the CUTLASS kernel runs on BF16 copies of the operands.
    KernelBinding qkv = binding(e, "layers.0.attn.qkv");
    assertThat(qkv.kernel().id()).isEqualTo("cutlass.sm90.gemm.mxfp8");
    assertThat(qkv.kernel().emulated()).isTrue();
    assertThat(qkv.reason()).startsWith("first choice: cutlass");
    assertThat(qkv.rejected()).isEmpty();
    // Without CUTLASS the reference kernel emulates it, each provider passed over with its reason.
    Engine noCutlass = compile(ModelPresets.benchmark(), w, emulate, "h100",
        KernelRegistry.standard().withProviderDisabled(KernelProvider.CUTLASS, "native library not loaded"));
    KernelBinding ref = binding(noCutlass, "layers.0.attn.qkv");
    assertThat(ref.kernel().id()).isEqualTo("ref.gemm.dequant");
    assertThat(ref.kernel().emulated()).isTrue();
    assertThat(ref.rejected()).hasSize(2);
    assertThat(ref.rejected().get(0)).isEqualTo("cutlass: disabled (native library not loaded)");
    assertThat(ref.rejected().get(1)).startsWith("cublaslt: ");
    assertThat(ref.reason()).contains("fallback to reference-gpu after 2 provider(s)");
  }

  @Test
  void unalignedVocabularyFallsBackToCublasLt() {
    Engine e = compile(ModelPresets.gpt2Small(), new Workload(1, 64, Mode.INFERENCE),
        PrecisionConfig.of(Precision.BF16), "h100", KernelRegistry.standard());
    KernelBinding head = binding(e, "lm_head");
    assertThat(head.kernel().id()).isEqualTo("cublaslt.gemm.bf16");
    assertThat(head.rejected()).singleElement().asString()
        .contains("needs K and N multiples of 8, got K=768, N=50257");
    assertThat(e.stepMemory().kernelWorkspace()).isEqualTo(StandardKernels.CUBLASLT_WORKSPACE);
    // GPT-2's fc + GELU became one GEMM with a GELU epilogue.
    assertThat(e.graph().op("layers.0.mlp.fc").fused()).containsExactly(Fusion.GELU);
  }

  @Test
  void fusionSupportDecidesTheProvider() {
    SequentialSpec s = SequentialSpec.builder("silu").maxSeqLen(8).inputFeatures(64)
        .linear("fc", 64, 64, true).activation("act", ActivationKind.SILU).build();
    Workload w = new Workload(1, 8, Mode.INFERENCE);
    KernelRegistry noCutlass = KernelRegistry.standard()
        .withProviderDisabled(KernelProvider.CUTLASS, "native library not loaded");
    Engine e = compile(s, w, PrecisionConfig.of(Precision.BF16), "h100", noCutlass);
    KernelBinding fc = binding(e, "fc");
    assertThat(e.graph().op("fc").fused()).containsExactly(Fusion.SILU);
    assertThat(fc.kernel().id()).isEqualTo("ref.gemm");
    assertThat(fc.rejected().get(0)).isEqualTo("cutlass: disabled (native library not loaded)");
    assertThat(fc.rejected().get(1)).contains("cannot fuse [SILU]");
    Engine withCutlass = compile(s, w, PrecisionConfig.of(Precision.BF16), "h100",
        KernelRegistry.standard());
    assertThat(binding(withCutlass, "fc").kernel().id()).isEqualTo("cutlass.sm90.gemm.bf16");
  }

  @Test
  void cpuTargetBindsCpuKernels() {
    Engine e = GraphCompiler.compile(GraphCapture.capture(ModelPresets.tiny(),
        new Workload(1, 8, Mode.TRAINING)), CompileOptions.builder()
        .precision(PrecisionConfig.of(Precision.NVFP4)).build());
    for (KernelBinding b : e.bindings()) {
      assertThat(b.provider()).isEqualTo(KernelProvider.CPU);
      assertThat(b.rejected()).hasSize(3).allMatch(r -> r.endsWith("target cpu has no GPU"));
    }
  }

  @Test
  void registryValidation() {
    KernelDescriptor k = KernelRegistry.standard().kernel("ref.add");
    assertThatThrownBy(() -> KernelRegistry.of(List.of(k, k)))
        .hasMessageContaining("duplicate kernel id ref.add");
    assertThatThrownBy(() -> KernelRegistry.standard()
        .withProviderDisabled(KernelProvider.CPU, "x")).hasMessageContaining("last resort");
    assertThatThrownBy(() -> KernelRegistry.standard().kernel("nope"))
        .hasMessageContaining("no kernel with id 'nope'");
    assertThatThrownBy(() -> new KernelDescriptor("x", KernelProvider.CUTLASS, OpKind.ADD,
        ArchSupport.from(90), Set.of(TensorFormat.BF16), Set.of(TensorFormat.BF16),
        Set.of(TensorFormat.BF16), Set.of(), 1, 0, false, ""))
        .hasMessageContaining("weight formats are given exactly for GEMM ops");
    assertThatThrownBy(() -> new KernelDescriptor("x", KernelProvider.CUTLASS, OpKind.ADD,
        ArchSupport.cpu(), Set.of(TensorFormat.BF16), Set.of(), Set.of(TensorFormat.BF16),
        Set.of(), 1, 0, false, "")).hasMessageContaining("CPU kernels and only they");
  }

  @Test
  void anOpNoProviderCanRunIsAnErrorListingEveryReason() {
    KernelRegistry gpuOnly = KernelRegistry.of(List.of(
        KernelRegistry.standard().kernel("cutlass.sm100.gemm.bf16")));
    assertThatThrownBy(() -> GraphCompiler.compile(GraphCapture.capture(ModelPresets.tiny(),
        new Workload(1, 8, Mode.INFERENCE)), CompileOptions.builder().registry(gpuOnly).build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no kernel for op 'embedding'")
        .hasMessageContaining("cpu: no EMBEDDING kernel");
  }
}
