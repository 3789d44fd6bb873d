package dev.deepwell.gpu.gemm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.deepwell.quant.ScaleLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The 128x4 tiled block-scale layout, one definition on both sides: the Java quantizer's
 * {@link ScaleLayout#SWIZZLED_128X4} against deepwell-cuda/tests/gemm/scale_swizzle_vectors.txt,
 * the vectors derived from CUTLASS's layout definition that the native formula (the re-layout
 * kernel's, gemm_blockscaled.h) and CUTLASS itself are checked against on every native build
 * (tests/gemm/scale_layout_check.cpp). Scales quantized in Java with SWIZZLED_128X4 can therefore
 * be given to the GEMM as DW_GEMM_SCALES_SWIZZLED_128X4, and row-major ones are re-laid natively
 * to the same bytes.
 */
class GemmScaleLayoutContractTest {

  private static final Path VECTORS = (Files.isDirectory(Path.of("..", "deepwell-cuda"))
      ? Path.of("..", "deepwell-cuda") : Path.of("deepwell-cuda")).resolve("tests/gemm/scale_swizzle_vectors.txt");

  @Test
  void javaScaleLayoutMatchesTheVectors() throws IOException {
    assumeTrue(Files.isRegularFile(VECTORS), () -> "no vectors next to this module (" + VECTORS.toAbsolutePath() + ")");
    List<String> lines = Files.readAllLines(VECTORS);
    int sizes = 0;
    int offsets = 0;
    for (String line : lines) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.trim().split("\\s+");
      int rows = Integer.parseInt(f[1]);
      int cols = Integer.parseInt(f[2]);
      if (f[0].equals("size")) {
        assertThat(ScaleLayout.SWIZZLED_128X4.sizeBytes(rows, cols)).as(line).isEqualTo(Integer.parseInt(f[3]));
        sizes++;
      } else {
        assertThat(f[0]).as(line).isEqualTo("at");
        int r = Integer.parseInt(f[3]);
        int c = Integer.parseInt(f[4]);
        assertThat(ScaleLayout.SWIZZLED_128X4.offset(r, c, rows, cols)).as(line).isEqualTo(Integer.parseInt(f[5]));
        offsets++;
      }
    }
    // Every shape has its size line; ragged shapes (1 x 1 up to 4097 x 257) and tile corners.
    assertThat(sizes).isGreaterThanOrEqualTo(12);
    assertThat(offsets).isGreaterThanOrEqualTo(400);
  }

  @Test
  void aWholeMatrixRoundTripsThroughTheTiledLayoutAsTheNativeReLayoutDoes() {
    // The native re-layout writes every padding byte as 0 and reads only real entries back:
    // the same contract as ScaleLayout.convert. 300 x 33 covers partial tiles in both directions.
    int rows = 300;
    int cols = 33;
    byte[] rowMajor = new byte[rows * cols];
    for (int i = 0; i < rowMajor.length; i++) {
      rowMajor[i] = (byte) (i * 31 + 7);
    }
    byte[] tiled = ScaleLayout.convert(rowMajor, rows, cols, ScaleLayout.ROW_MAJOR, ScaleLayout.SWIZZLED_128X4);
    assertThat(tiled).hasSize(384 * 36);
    int padding = 0;
    boolean[] used = new boolean[tiled.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int o = ScaleLayout.SWIZZLED_128X4.offset(r, c, rows, cols);
        assertThat(used[o]).as("offset %d used twice", o).isFalse();
        used[o] = true;
      }
    }
    for (int i = 0; i < tiled.length; i++) {
      if (!used[i]) {
        assertThat(tiled[i]).as("padding byte %d", i).isZero();
        padding++;
      }
    }
    assertThat(padding).isEqualTo(384 * 36 - rows * cols);
    assertThat(ScaleLayout.convert(tiled, rows, cols, ScaleLayout.SWIZZLED_128X4, ScaleLayout.ROW_MAJOR))
        .isEqualTo(rowMajor);
  }
}
