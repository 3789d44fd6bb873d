package dev.deepwell.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.compiler.CompileOptions;
import dev.deepwell.compiler.Engine;
import dev.deepwell.compiler.GraphCompiler;
import dev.deepwell.ir.GraphCapture;
import dev.deepwell.model.Mode;
import dev.deepwell.model.ModelPresets;
import dev.deepwell.model.Workload;
import dev.deepwell.precision.Precision;
import dev.deepwell.precision.PrecisionConfig;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The Blackwell block-scaled CUTLASS kernels (sm_100a, sm_120a) in the Java mirror: which
 * architectures list them, how the tile choice picks among them (hand-computed rounds), and
 * that planning for a named Blackwell target binds them.
 */
class BlackwellGemmKernelsTest {

  private static final GemmTarget B200 = GemmTarget.named("b200");
  private static final GemmTarget RTX5090 = GemmTarget.named("rtx5090");

  private static GemmSelection select(GemmProblem p, GemmTarget t) {
    return GemmKernelSelector.select(p, GemmKernelCatalog.standard(t.smVersion()), t, 256, GemmPreference.AUTO);
  }

  private static List<String> cutlassNames(int sm, GemmInput in) {
    return GemmKernelCatalog.standard(sm).variants(KernelProvider.CUTLASS, in).stream().map(GemmVariant::name)
        .toList();
  }

  @Test
  void eachArchitectureListsItsOwnCutlassKernels() {
    assertThat(cutlassNames(100, GemmInput.MXFP8)).containsExactly("cutlass_sm100_mxfp8_2sm_256x256x128_c2x1",
        "cutlass_sm100_mxfp8_1sm_128x128x128_c1x1");
    assertThat(cutlassNames(100, GemmInput.NVFP4)).containsExactly("cutlass_sm100_nvfp4_2sm_256x256x256_c2x1",
        "cutlass_sm100_nvfp4_1sm_128x128x256_c1x1");
    assertThat(cutlassNames(120, GemmInput.MXFP8)).containsExactly("cutlass_sm120_mxfp8_coop_128x128x128_c1x1");
    assertThat(cutlassNames(120, GemmInput.NVFP4)).containsExactly("cutlass_sm120_nvfp4_coop_128x128x128_c1x1");
    // The sm_90a kernels load on 9.0 only; sm_100a code does not load on 10.3 either.
    for (int sm : new int[] {100, 120}) {
      for (GemmInput in : List.of(GemmInput.BF16, GemmInput.FP8_TENSOR, GemmInput.FP8_BLOCK128)) {
        assertThat(cutlassNames(sm, in)).as("sm %d %s", sm, in).isEmpty();
      }
    }
    for (int sm : new int[] {0, 80, 89, 103, 121}) {
      assertThat(GemmKernelCatalog.standard(sm).variants().stream().filter(v -> v.provider() == KernelProvider.CUTLASS))
          .as("sm %d", sm).isEmpty();
    }
  }

  @Test
  void hopperKeepsTheStandardCatalogue() {
    assertThat(GemmKernelCatalog.standard(90)).isEqualTo(GemmKernelCatalog.standard());
    assertThat(cutlassNames(90, GemmInput.NVFP4)).isEmpty();
  }

  @Test
  void theOtherBackendsAreTheSameOnEveryArchitecture() {
    Function<GemmKernelCatalog, List<GemmVariant>> nonCutlass = c -> c.variants().stream()
        .filter(v -> v.provider() != KernelProvider.CUTLASS).toList();
    List<GemmVariant> hopper = nonCutlass.apply(GemmKernelCatalog.standard());
    for (int sm : new int[] {100, 120, 89}) {
      assertThat(nonCutlass.apply(GemmKernelCatalog.standard(sm))).as("sm %d", sm).isEqualTo(hopper);
    }
  }

  @Test
  void everyVariantNamesAStandardKernelOfItsArchitecture() {
    Map<String, KernelDescriptor> byId = StandardKernels.all().stream()
        .collect(Collectors.toMap(KernelDescriptor::id, d -> d));
    for (int sm : new int[] {100, 120}) {
      List<GemmVariant> vs = BlackwellGemmKernels.variants(sm);
      assertThat(vs).isNotEmpty();
      for (GemmVariant v : vs) {
        KernelDescriptor d = byId.get(v.descriptorId());
        assertThat(d).as(v.name()).isNotNull();
        assertThat(d.arch().exact()).as(v.name()).contains(sm);
        assertThat(d.inputFormats()).contains(v.input().aFormat());
        assertThat(v.name()).startsWith("cutlass_sm" + sm + "_" + v.input().name().toLowerCase(java.util.Locale.ROOT));
      }
    }
  }

  @Test
  void aTwoSmKernelIsListedWithItsPerSmTile() {
    GemmVariant twoSm = BlackwellGemmKernels.variants(100).get(0);
    assertThat(twoSm.schedule()).isEqualTo(BlackwellGemmKernels.TWO_SM);
    assertThat(twoSm.tileM()).isEqualTo(128);
    assertThat(twoSm.tileN()).isEqualTo(256);
    assertThat(GemmKernelCatalog.tileK(twoSm)).isEqualTo(128);
    // The name parser (for kernels a newer library reports) reads the same facts from the name.
    GemmVariant parsed = GemmKernelCatalog.parseCutlass(GemmInput.MXFP8, 0, twoSm.name(), twoSm.descriptorId())
        .orElseThrow();
    assertThat(parsed).isEqualTo(twoSm);
    GemmVariant oneSm = BlackwellGemmKernels.variants(100).get(3);
    assertThat(GemmKernelCatalog.parseCutlass(GemmInput.NVFP4, 1, oneSm.name(), oneSm.descriptorId()))
        .contains(oneSm);
  }

  @Test
  void largeProblemsOnB200TakeTheTwoSmKernel() {
    // 8192^2 on 148 SMs: 2-SM, 128x256 per SM: 64 x 32 = 2048 tiles, 14 rounds x 32768 = 458752;
    // 1-SM 128x128: 4096 tiles, 28 rounds x 16384 = 458752. A tie: the earlier (2-SM) kernel.
    GemmSelection s = select(GemmProblem.builder(8192, 8192, 8192, GemmInput.MXFP8).build(), B200);
    assertThat(s.provider()).isEqualTo(KernelProvider.CUTLASS);
    assertThat(s.variant().name()).isEqualTo("cutlass_sm100_mxfp8_2sm_256x256x128_c2x1");
    assertThat(s.reason()).startsWith("first choice: cutlass").contains("2048 tiles").contains("14 round(s)");
    GemmSelection nv = select(GemmProblem.builder(8192, 8192, 8192, GemmInput.NVFP4).build(), B200);
    assertThat(nv.variant().name()).isEqualTo("cutlass_sm100_nvfp4_2sm_256x256x256_c2x1");
  }

  @Test
  void problemsThatFitOneRoundTakeTheSmallerTile() {
    // 1536^2: 2-SM 12 x 6 = 72 tiles, 1 round x 32768; 1-SM 12 x 12 = 144 tiles, 1 round x 16384.
    GemmSelection s = select(GemmProblem.builder(1536, 1536, 4096, GemmInput.MXFP8).build(), B200);
    assertThat(s.variant().name()).isEqualTo("cutlass_sm100_mxfp8_1sm_128x128x128_c1x1");
    assertThat(s.reason()).contains("144 tiles of 128x128 in 1 round(s) on 148 SMs");
  }

  @Test
  void rtx5090TakesTheSm120Kernel() {
    GemmSelection s = select(GemmProblem.builder(4096, 4096, 4096, GemmInput.NVFP4).build(), RTX5090);
    assertThat(s.variant().name()).isEqualTo("cutlass_sm120_nvfp4_coop_128x128x128_c1x1");
    assertThat(s.variant().descriptorId()).isEqualTo("cutlass.sm120.gemm.nvfp4");
  }

  @Test
  void rowsThatTmaCannotReadFallBackToTheReferenceWithTheReason() {
    // MXFP8 rows of 100 bytes (K = 100) are not 16-byte multiples; NVFP4 needs K % 32 == 0.
    GemmSelection mx = select(GemmProblem.builder(256, 256, 100, GemmInput.MXFP8).build(), B200);
    assertThat(mx.provider()).isEqualTo(KernelProvider.REFERENCE_GPU);
    assertThat(mx.rejected()).anySatisfy(r -> assertThat(r).startsWith("cutlass:").contains("K=100")
        .contains("multiple of 16"));
    GemmSelection nv = select(GemmProblem.builder(256, 256, 48, GemmInput.NVFP4).build(), B200);
    assertThat(nv.provider()).isEqualTo(KernelProvider.REFERENCE_GPU);
    assertThat(nv.rejected()).anySatisfy(r -> assertThat(r).contains("K=48").contains("multiple of 32"));
    assertThat(select(GemmProblem.builder(256, 256, 64, GemmInput.NVFP4).build(), B200).provider())
        .isEqualTo(KernelProvider.CUTLASS);
  }

  @Test
  void theBlackwellKernelsAreRefusedOnOtherArchitecturesByName() {
    // A catalogue that lists sm_100 kernels (a library built for it) on an H100 target.
    GemmProblem p = GemmProblem.builder(4096, 4096, 4096, GemmInput.NVFP4).build();
    GemmSelection s = GemmKernelSelector.select(p, GemmKernelCatalog.standard(100), GemmTarget.named("h100"), 256,
        GemmPreference.AUTO);
    assertThat(s.provider()).isNotEqualTo(KernelProvider.CUTLASS);
    assertThat(s.rejected()).anySatisfy(r -> assertThat(r).startsWith("cutlass:").contains("sm_100")
        .contains("h100"));
  }

  @Test
  void descriptorIdsAndArguments() {
    assertThat(BlackwellGemmKernels.descriptorId(GemmInput.MXFP8, 100)).contains("cutlass.sm100.gemm.mxfp8");
    assertThat(BlackwellGemmKernels.descriptorId(GemmInput.NVFP4, 120)).contains("cutlass.sm120.gemm.nvfp4");
    assertThat(BlackwellGemmKernels.descriptorId(GemmInput.BF16, 100)).isEmpty();
    assertThat(BlackwellGemmKernels.descriptorId(GemmInput.MXFP8, 90)).isEmpty();
    assertThat(GemmKernelCatalog.cutlassDescriptorId(GemmInput.NVFP4, 100)).contains("cutlass.sm100.gemm.nvfp4");
    assertThat(GemmKernelCatalog.cutlassDescriptorId(GemmInput.BF16, 90)).contains("cutlass.sm90.gemm.bf16");
    assertThatThrownBy(() -> GemmKernelCatalog.standard(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("smVersion").hasMessageContaining("-1");
    assertThatThrownBy(() -> BlackwellGemmKernels.variants(-5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-5");
    assertThatThrownBy(() -> BlackwellGemmKernels.descriptorId(null, 100)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("input");
  }

  @Test
  void planningForBlackwellTargetsBindsTheseKernels() {
    // What `deepwell dryrun --target b200|rtx5090` binds: the block-scaled CUTLASS family whose
    // concrete kernels are the ones above.
    for (String target : List.of("b200", "b100", "rtx5090")) {
      for (Precision precision : List.of(Precision.MXFP8, Precision.NVFP4)) {
        Engine e = GraphCompiler.compile(GraphCapture.capture(ModelPresets.tiny(), new Workload(2, 64, Mode.INFERENCE)),
            CompileOptions.builder().precision(PrecisionConfig.of(precision)).target(CompileTarget.named(target))
                .build());
        KernelBinding qkv = e.binding(e.graph().op("layers.0.attn.qkv").id());
        int sm = CompileTarget.named(target).smVersion();
        GemmInput in = precision == Precision.MXFP8 ? GemmInput.MXFP8 : GemmInput.NVFP4;
        assertThat(qkv.kernel().id()).as("%s %s", target, precision)
            .isEqualTo("cutlass.sm" + sm + ".gemm." + in.name().toLowerCase(java.util.Locale.ROOT));
        List<GemmVariant> concrete = GemmKernelCatalog.standard(sm).variants(KernelProvider.CUTLASS, in);
        assertThat(concrete).as("%s %s", target, precision).isNotEmpty()
            .allSatisfy(v -> assertThat(v.descriptorId()).isEqualTo(qkv.kernel().id()));
      }
    }
  }
}
