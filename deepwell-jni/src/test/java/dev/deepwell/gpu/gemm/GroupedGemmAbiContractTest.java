package dev.deepwell.gpu.gemm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The grouped GEMM's Java copies of C facts, read from this checkout's C sources: a change on one
 * side without the other fails here, on any machine, rather than on the GPU.
 */
class GroupedGemmAbiContractTest {

  private static final Path CUDA = Files.isDirectory(Path.of("..", "deepwell-cuda"))
      ? Path.of("..", "deepwell-cuda") : Path.of("deepwell-cuda");

  private static String read(String relative) throws IOException {
    Path p = CUDA.resolve(relative);
    assumeTrue(Files.isRegularFile(p), () -> "no C sources next to this module (" + p.toAbsolutePath() + ")");
    return Files.readString(p);
  }

  @Test
  void limitsMatchGemmGroupedH() throws IOException {
    String h = read("include/deepwell/gemm_grouped.h");
    Matcher m = Pattern.compile("#define\\s+DW_GEMM_GROUPED_MAX_GROUPS\\s+(\\d+)").matcher(h);
    assertThat(m.find()).as("DW_GEMM_GROUPED_MAX_GROUPS in gemm_grouped.h").isTrue();
    assertThat(Integer.parseInt(m.group(1))).isEqualTo(GroupedGemmProblem.MAX_GROUPS);
    assertThat(h).contains("Pointers must be 16-byte aligned");
    assertThat(GroupedGemmValidator.TENSOR_ALIGNMENT).isEqualTo(16);
    String dispatch = read("src/gemm/gemm_grouped.cpp");
    assertThat(dispatch).contains("% " + GpuGroupedGemm.WORKSPACE_ALIGNMENT + " != 0");
  }

  @Test
  void eachCutlassFamilyHasTheConfigurationsTheLibraryTestExpects() throws IOException {
    for (String family : new String[] {"bf16", "fp8_block"}) {
      String src = read("src/gemm/gemm_sm90_grouped_" + family + ".cu");
      long entries = Pattern.compile("grouped_entry<").matcher(src).results().count();
      assertThat(entries).as("configurations in gemm_sm90_grouped_%s.cu (GroupedGemmNativesLibraryTest)", family)
          .isEqualTo(2);
    }
  }
}
