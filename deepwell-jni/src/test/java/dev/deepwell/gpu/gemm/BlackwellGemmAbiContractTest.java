package dev.deepwell.gpu.gemm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmKernelCatalog;
import dev.deepwell.kernel.GemmVariant;
import dev.deepwell.kernel.KernelProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Java side's copies of the Blackwell GEMM facts of the C sources of this checkout: the
 * CUTLASS_SM100 / CUTLASS_SM120 backend codes, the scale-layout codes and the desc field that
 * carries them, and the sm100 / sm120 kernel tables that {@link GemmKernelCatalog#standard(int)}
 * mirrors. A change on one side without the other fails here, without a GPU.
 */
class BlackwellGemmAbiContractTest {

  private static final Path CUDA = Files.isDirectory(Path.of("..", "deepwell-cuda"))
      ? Path.of("..", "deepwell-cuda") : Path.of("deepwell-cuda");

  private static String read(String relative) throws IOException {
    Path p = CUDA.resolve(relative);
    assumeTrue(Files.isRegularFile(p), () -> "no C sources next to this module (" + p.toAbsolutePath() + ")");
    return Files.readString(p);
  }

  private static int constant(String source, String name) {
    Matcher mt = Pattern.compile("\\b" + name + "\\s*=\\s*(\\d+)").matcher(source);
    assertThat(mt.find()).as("%s in gemm.h", name).isTrue();
    return Integer.parseInt(mt.group(1));
  }

  /** The names of the entry<...>("name") rows of the table `array` in `source`, in order. */
  private static List<String> table(String source, String array) {
    Matcher start = Pattern.compile("const VariantEntry " + array + "\\[\\]\\s*=\\s*\\{").matcher(source);
    assertThat(start.find()).as("table %s", array).isTrue();
    int end = source.indexOf("};", start.end());
    Matcher entry = Pattern.compile("entry<\\w+>\\(\"([^\"]+)\"\\)").matcher(source.substring(start.end(), end));
    List<String> names = new ArrayList<>();
    while (entry.find()) {
      names.add(entry.group(1));
    }
    return names;
  }

  private static List<String> mirror(int sm, GemmInput in) {
    return GemmKernelCatalog.standard(sm).variants(KernelProvider.CUTLASS, in).stream().map(GemmVariant::name)
        .toList();
  }

  @Test
  void backendAndScaleLayoutCodesMatchGemmH() throws IOException {
    String h = read("include/deepwell/gemm.h");
    assertThat(constant(h, "DW_GEMM_BACKEND_CUTLASS_SM100")).isEqualTo(GemmAbi.BACKEND_CUTLASS_SM100);
    assertThat(constant(h, "DW_GEMM_BACKEND_CUTLASS_SM120")).isEqualTo(GemmAbi.BACKEND_CUTLASS_SM120);
    assertThat(constant(h, "DW_GEMM_SCALES_ROW_MAJOR")).isEqualTo(GemmAbi.SCALES_ROW_MAJOR);
    assertThat(constant(h, "DW_GEMM_SCALES_SWIZZLED_128X4")).isEqualTo(GemmAbi.SCALES_SWIZZLED_128X4);
  }

  @Test
  void theScaleLayoutIsTheLastFieldOfTheDescAndJavaCallsLeaveItRowMajor() throws IOException {
    String h = read("include/deepwell/gemm.h");
    Matcher desc = Pattern.compile("typedef struct dw_gemm_desc \\{(.*?)\\} dw_gemm_desc;", Pattern.DOTALL).matcher(h);
    assertThat(desc.find()).isTrue();
    List<String> fields = new ArrayList<>();
    Matcher f = Pattern.compile("^\\s*[\\w ]+?\\b(\\w+)(?:,\\s*\\w+)*;", Pattern.MULTILINE).matcher(desc.group(1));
    while (f.find()) {
      fields.add(f.group(1));
    }
    // Added at the end, so the fields before it keep their offsets (the plan's copy of the desc
    // grows into what was padding: dw_gemm_plan_info keeps its size, GemmNativesLibraryTest).
    assertThat(fields).endsWith("has_bias", "has_residual", "scale_layout");
    // The JNI glue builds the desc from a zeroed struct: every Java plan says ROW_MAJOR, which
    // every backend takes (the Blackwell ones re-lay the scales into their workspace).
    Path jni = CUDA.resolveSibling("deepwell-jni").resolve("src/main/cpp/gemm_jni.cpp");
    assumeTrue(Files.isRegularFile(jni), () -> "no JNI sources at " + jni.toAbsolutePath());
    String glue = Files.readString(jni);
    assertThat(glue).contains("std::memset(&desc, 0, sizeof desc);").doesNotContain("desc.scale_layout =");
  }

  @Test
  void theMirrorListsTheSm100AndSm120TablesInOrder() throws IOException {
    String sm100 = read("src/gemm/gemm_sm100_blockscaled.cu");
    String sm120 = read("src/gemm/gemm_sm120_blockscaled.cu");
    assertThat(mirror(100, GemmInput.MXFP8)).isEqualTo(table(sm100, "kMxfp8")).isNotEmpty();
    assertThat(mirror(100, GemmInput.NVFP4)).isEqualTo(table(sm100, "kNvfp4")).isNotEmpty();
    assertThat(mirror(120, GemmInput.MXFP8)).isEqualTo(table(sm120, "kMxfp8")).isNotEmpty();
    assertThat(mirror(120, GemmInput.NVFP4)).isEqualTo(table(sm120, "kNvfp4")).isNotEmpty();
  }

  @Test
  void cutlassIsOneBackendPerArchitecture() {
    assertThat(GemmAbi.backend(KernelProvider.CUTLASS, 90)).isEqualTo(GemmAbi.BACKEND_CUTLASS_SM90);
    assertThat(GemmAbi.backend(KernelProvider.CUTLASS, 100)).isEqualTo(GemmAbi.BACKEND_CUTLASS_SM100);
    assertThat(GemmAbi.backend(KernelProvider.CUTLASS, 120)).isEqualTo(GemmAbi.BACKEND_CUTLASS_SM120);
    // Architectures without kernels of their own ask the sm_90 backend, which refuses them by name.
    assertThat(GemmAbi.backend(KernelProvider.CUTLASS, 103)).isEqualTo(GemmAbi.BACKEND_CUTLASS_SM90);
    assertThat(GemmAbi.backend(KernelProvider.CUBLASLT, 100)).isEqualTo(GemmAbi.BACKEND_CUBLASLT);
    assertThat(GemmAbi.backend(KernelProvider.REFERENCE_GPU, 120)).isEqualTo(GemmAbi.BACKEND_REFERENCE);
    for (int b : new int[] {GemmAbi.BACKEND_CUTLASS_SM90, GemmAbi.BACKEND_CUTLASS_SM100,
        GemmAbi.BACKEND_CUTLASS_SM120}) {
      assertThat(GemmAbi.provider(b)).isEqualTo(KernelProvider.CUTLASS);
      assertThat(GemmAbi.cutlassBackend(GemmAbi.cutlassArch(b))).isEqualTo(b);
    }
    assertThatThrownBy(() -> GemmAbi.cutlassArch(GemmAbi.BACKEND_REFERENCE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a CUTLASS backend");
  }

  @Test
  void theDispatcherRefusesOtherArchitecturesByName() throws IOException {
    // What a plan for CUTLASS_SM100/SM120 answers off its architecture (the C side's wording is
    // what GpuGemm records as the reason CUTLASS was passed over).
    String dispatch = read("src/gemm/gemm_blockscaled_dispatch.cpp");
    assertThat(dispatch).contains("\"sm_100a\"", "\"sm_120a\"")
        .contains("kernels are built for %s and need compute capability %d.%d (%s); device %d has %d.%d");
  }
}
