package dev.deepwell.gpu.gemm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.deepwell.kernel.GemmActivation;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmKernelCatalog;
import dev.deepwell.kernel.GemmKernelSelector;
import dev.deepwell.kernel.GemmOutput;
import dev.deepwell.kernel.GemmVariant;
import dev.deepwell.kernel.KernelProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Java side's copies of the C side's facts, read from the C sources of this checkout: the
 * codes of deepwell/gemm.h and the kernel tables the mirror catalogue repeats. A change on one
 * side without the other fails here, on any machine, rather than on the GPU.
 */
class GemmAbiContractTest {

  /** deepwell-cuda from the module folder (Maven) or the checkout's root. */
  private static final Path CUDA = Files.isDirectory(Path.of("..", "deepwell-cuda"))
      ? Path.of("..", "deepwell-cuda") : Path.of("deepwell-cuda");

  private static String read(String relative) throws IOException {
    Path p = CUDA.resolve(relative);
    assumeTrue(Files.isRegularFile(p), () -> "no C sources next to this module (" + p.toAbsolutePath() + ")");
    return Files.readString(p);
  }

  private static Map<String, Integer> constants(String source, String prefix) {
    Map<String, Integer> m = new HashMap<>();
    Matcher mt = Pattern.compile("\\b" + prefix + "(\\w+)\\s*=\\s*(\\d+)").matcher(source);
    while (mt.find()) {
      m.put(mt.group(1), Integer.parseInt(mt.group(2)));
    }
    Matcher def = Pattern.compile("#define\\s+" + prefix + "(\\w+)\\s+(\\d+)").matcher(source);
    while (def.find()) {
      m.put(def.group(1), Integer.parseInt(def.group(2)));
    }
    return m;
  }

  @Test
  void enumCodesMatchGemmH() throws IOException {
    String h = read("include/deepwell/gemm.h");
    Map<String, Integer> in = constants(h, "DW_GEMM_IN_");
    assertThat(in).hasSize(GemmInput.values().length);
    for (GemmInput i : GemmInput.values()) {
      assertThat(in).as(i.name()).containsEntry(i.name(), GemmAbi.input(i));
    }
    Map<String, Integer> out = constants(h, "DW_GEMM_OUT_");
    assertThat(out).hasSize(GemmOutput.values().length).containsEntry("BF16", GemmAbi.output(GemmOutput.BF16))
        .containsEntry("F32", GemmAbi.output(GemmOutput.FP32));
    Map<String, Integer> act = constants(h, "DW_GEMM_ACT_");
    assertThat(act).hasSize(GemmActivation.values().length);
    for (GemmActivation a : GemmActivation.values()) {
      assertThat(act).containsEntry(a.name(), GemmAbi.activation(a));
    }
    Map<String, Integer> backend = constants(h, "DW_GEMM_BACKEND_");
    assertThat(backend).containsEntry("AUTO", GemmAbi.BACKEND_AUTO)
        .containsEntry("CUTLASS_SM90", GemmAbi.backend(KernelProvider.CUTLASS))
        .containsEntry("CUBLASLT", GemmAbi.backend(KernelProvider.CUBLASLT))
        .containsEntry("REFERENCE", GemmAbi.backend(KernelProvider.REFERENCE_GPU))
        .containsEntry("GEMV", GemmAbi.backend(KernelProvider.DEEPWELL_GPU));
    assertThat(GemmAbi.provider(GemmAbi.BACKEND_GEMV)).isEqualTo(KernelProvider.DEEPWELL_GPU);
    // the longest kernel name the Java catalogue accepts is what dw_gemm_plan_info.name holds
    assertThat(h).contains("char name[" + (GemmVariant.MAX_NAME_BYTES + 1) + "];");
    assertThat(constants(h, "DW_GEMM_GEMV_")).containsEntry("MAX_M", GemmKernelSelector.GEMV_MAX_M);
    // the status codes live in deepwell.h or gemm.h
    Map<String, Integer> errors = constants(read("include/deepwell/deepwell.h") + h, "DW_ERROR_");
    assertThat(errors).containsEntry("GEMM_UNSUPPORTED", GemmAbi.DW_ERROR_GEMM_UNSUPPORTED);
    assertThat(errors).containsEntry("INVALID_ARGUMENT", GemmAbi.DW_ERROR_INVALID_ARGUMENT)
        .containsEntry("LIBRARY_MISSING", GemmAbi.DW_ERROR_LIBRARY_MISSING)
        .containsEntry("INTERNAL", GemmAbi.DW_ERROR_INTERNAL);
  }

  @Test
  void theMirrorCatalogueListsTheCutlassTablesInOrder() throws IOException {
    Map<GemmInput, String> files = Map.of(GemmInput.BF16, "src/gemm/gemm_sm90_bf16.cu", GemmInput.FP8_TENSOR,
        "src/gemm/gemm_sm90_fp8_tensor.cu", GemmInput.FP8_BLOCK128, "src/gemm/gemm_sm90_fp8_blockwise.cu");
    // entry<Config>("name") rows, and VariantEntry{"name", ...} rows written out (the BF16 split-K
    // with a separate reduction, whose runner is not a CUTLASS Config)
    Pattern entry = Pattern.compile("(?:entry<\\w+>\\(|VariantEntry\\{)\"([^\"]+)\"");
    for (Map.Entry<GemmInput, String> f : files.entrySet()) {
      List<String> names = new ArrayList<>();
      Matcher mt = entry.matcher(read(f.getValue()));
      while (mt.find()) {
        names.add(mt.group(1));
      }
      List<String> mirror = GemmKernelCatalog.standard().variants(KernelProvider.CUTLASS, f.getKey()).stream()
          .map(GemmVariant::name).toList();
      assertThat(mirror).as("GemmKernelCatalog.standard() for %s must list %s's table in order", f.getKey(),
          f.getValue()).isEqualTo(names);
    }
  }

  @Test
  void theMirrorCatalogueListsTheNvfp4WeightKernelsNamesInOrder() throws IOException {
    // our sm90 NVFP4-weight family names its variants in one array, tile heights in the names
    List<String> names = new ArrayList<>();
    Matcher mt = Pattern.compile("\"(sm90_nvfp4w_[^\"]+)\"").matcher(read("src/gemm/gemm_sm90_nvfp4w.cu"));
    while (mt.find()) {
      names.add(mt.group(1));
    }
    List<String> mirror = GemmKernelCatalog.standard().variants(KernelProvider.CUTLASS, GemmInput.NVFP4_WEIGHT)
        .stream().map(GemmVariant::name).toList();
    assertThat(mirror).as("GemmKernelCatalog.standard() for NVFP4_WEIGHT must list gemm_sm90_nvfp4w.cu's names in "
        + "order").isEqualTo(names);
    Map<String, Integer> family = constants(read("src/gemm/gemm_sm90_nvfp4w.h"), "kNvfp4w");
    assertThat(family).containsEntry("Variants", mirror.size()).containsEntry("TileN", 128);
  }

  @Test
  void theCublasLtFirstBoundsAreTheNativeAutoOnes() throws IOException {
    String dispatch = read("src/gemm/gemm_dispatch.cpp");
    Map<String, Long> bounds = new HashMap<>();
    Matcher m = Pattern.compile("constexpr int64_t (kCublasLtFirst\\w+) = (\\d+);").matcher(dispatch);
    while (m.find()) {
      bounds.put(m.group(1), Long.parseLong(m.group(2)));
    }
    assertThat(bounds).containsOnly(Map.entry("kCublasLtFirstMaxM", GemmKernelSelector.CUBLASLT_FIRST_MAX_M),
        Map.entry("kCublasLtFirstMinK", GemmKernelSelector.CUBLASLT_FIRST_MIN_K));
  }

  @Test
  void theOtherBackendsNamesAppearInTheirSources() throws IOException {
    String lt = read("src/gemm/gemm_cublaslt.cpp");
    String dispatch = read("src/gemm/gemm_dispatch.cpp");
    String gemv = read("src/gemm/gemv_nvfp4.cu");
    for (GemmVariant v : GemmKernelCatalog.standard().variants()) {
      if (v.provider() == KernelProvider.CUBLASLT) {
        assertThat(lt).contains("\"" + v.name() + "\"");
      } else if (v.provider() == KernelProvider.REFERENCE_GPU) {
        assertThat(dispatch).contains("\"" + v.name() + "\"");
      } else if (v.provider() == KernelProvider.DEEPWELL_GPU) {
        assertThat(gemv).contains("\"" + v.name() + "\"");
      }
    }
  }
}
