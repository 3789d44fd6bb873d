package dev.deepwell.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Java mirror of the sm90 MXFP8 way and the fused kernel's split-K model ({@link Mxfp8FusedSplit},
 * {@link GemmTileChoice}) against deepwell-cuda/tests/gemm/mxfp8_fused_choices.txt, the table the
 * native build checks gemm_sm90_select.cpp against (mxfp8_fused_choice_check): 2880 problems on 132,
 * 114 and 78 SMs, so that the two planners agree without a GPU to compare them on.
 */
class Mxfp8FusedChoicesContractTest {

  private static final Path TABLE = NativeChoiceTables.path("mxfp8_fused_choices.txt");
  private static final List<GemmVariant> MXFP8 =
      GemmKernelCatalog.standard(90).variants(KernelProvider.CUTLASS, GemmInput.MXFP8);
  private static final int[] TILES = {256, 192, 128};

  @Test
  void everyRowOfTheNativeTableIsTheJavaChoice() throws IOException {
    assumeTrue(Files.isRegularFile(TABLE), () -> "no table next to this module (" + TABLE.toAbsolutePath() + ")");
    List<String> disagreements = new ArrayList<>();
    int rows = 0;
    for (String line : Files.readAllLines(TABLE)) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      rows++;
      long[] f = java.util.Arrays.stream(line.trim().split(" +")).mapToLong(Long::parseLong).toArray();
      int sms = (int) f[0];
      long m = f[1], n = f[2], k = f[3];
      StringBuilder got = new StringBuilder();
      got.append(sms).append(' ').append(m).append(' ').append(n).append(' ').append(k).append(' ')
          .append(way(m, n, k, sms));
      for (int t : TILES) {
        Mxfp8FusedSplit s = Mxfp8FusedSplit.of(m, n, k, t, sms);
        got.append(' ').append(s.splits()).append(' ').append(s.splitKTiles()).append(' ').append(s.cost());
      }
      if (!got.toString().equals(line.trim())) {
        disagreements.add("table " + line.trim() + " | java " + got);
      }
    }
    assertThat(rows).isEqualTo(2880);
    assertThat(disagreements).as("update Mxfp8FusedSplit / GemmTileChoice to gemm_sm90_select.cpp").isEmpty();
  }

  /** The native way's number: 0 the dequantizing pass, 1/2/3 the fused kernel 128x256/192/128. */
  private static int way(long m, long n, long k, int sms) {
    String name = GemmTileChoice.choose(MXFP8, GemmProblem.builder(m, n, k, GemmInput.MXFP8).build(), sms)
        .variant().name();
    return switch (name) {
      case "sm90_mxfp8_fused_bf16_128x256x64" -> 1;
      case "sm90_mxfp8_fused_bf16_128x192x64" -> 2;
      case "sm90_mxfp8_fused_bf16_128x128x64" -> 3;
      default -> {
        assertThat(name).containsPattern("^(cutlass_sm90_mxfp8_deq_|mxfp8_deq_deepwell_sm90_)");
        yield 0;
      }
    };
  }
}
