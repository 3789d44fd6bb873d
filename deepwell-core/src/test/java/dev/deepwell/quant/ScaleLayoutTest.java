package dev.deepwell.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScaleLayoutTest {

  @Test
  void swizzledOffsetsMatchHandComputedEntries() {
    // [200, 6] pads to [256, 8]: two 128x4 tiles per 128-row band, 512 bytes per tile.
    ScaleLayout s = ScaleLayout.SWIZZLED_128X4;
    assertThat(s.sizeBytes(200, 6)).isEqualTo(256 * 8);
    assertThat(s.offset(0, 0, 200, 6)).isEqualTo(0);
    assertThat(s.offset(0, 3, 200, 6)).isEqualTo(3);
    assertThat(s.offset(1, 0, 200, 6)).isEqualTo(16); // (1 % 32) * 16
    assertThat(s.offset(32, 0, 200, 6)).isEqualTo(4); // ((32 / 32) % 4) * 4
    assertThat(s.offset(33, 1, 200, 6)).isEqualTo(21); // 16 + 4 + 1
    assertThat(s.offset(127, 3, 200, 6)).isEqualTo(511); // 31*16 + 3*4 + 3
    assertThat(s.offset(0, 4, 200, 6)).isEqualTo(512); // second tile of band 0
    assertThat(s.offset(128, 0, 200, 6)).isEqualTo(1024); // first tile of band 1 (tile 2)
    // r = 199: band 1, tile 1*2 + 5/4 = 3 -> 1536; (199 % 32) * 16 = 112; ((199/32) % 4) * 4 = 8.
    assertThat(s.offset(199, 5, 200, 6)).isEqualTo(1536 + 112 + 8 + 1);
    assertThat(ScaleLayout.ROW_MAJOR.offset(199, 5, 200, 6)).isEqualTo(199 * 6 + 5);
  }

  @Test
  void swizzledOffsetsAreABijectionOntoTheUnpaddedEntries() {
    int rows = 256;
    int cols = 8;
    Set<Integer> seen = new HashSet<>();
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int off = ScaleLayout.SWIZZLED_128X4.offset(r, c, rows, cols);
        assertThat(off).isBetween(0, rows * cols - 1);
        assertThat(seen.add(off)).as("duplicate offset %d at (%d,%d)", off, r, c).isTrue();
      }
    }
  }

  @Test
  void roundTripIsIdentityAndPaddingIsZero() {
    Random rnd = new Random(3);
    int[][] shapes = {{37, 2}, {1, 1}, {128, 4}, {129, 5}, {300, 17}};
    for (int[] shape : shapes) {
      int rows = shape[0];
      int cols = shape[1];
      byte[] rowMajor = new byte[rows * cols];
      rnd.nextBytes(rowMajor);
      byte[] swz = ScaleLayout.convert(rowMajor, rows, cols, ScaleLayout.ROW_MAJOR,
          ScaleLayout.SWIZZLED_128X4);
      assertThat(swz).hasSize(ScaleLayout.SWIZZLED_128X4.sizeBytes(rows, cols));
      byte[] back = ScaleLayout.convert(swz, rows, cols, ScaleLayout.SWIZZLED_128X4,
          ScaleLayout.ROW_MAJOR);
      assertThat(back).containsExactly(rowMajor);
      // Every byte not addressed by a logical entry is padding and must be zero.
      boolean[] used = new boolean[swz.length];
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          used[ScaleLayout.SWIZZLED_128X4.offset(r, c, rows, cols)] = true;
        }
      }
      for (int i = 0; i < swz.length; i++) {
        if (!used[i]) {
          assertThat(swz[i]).as("padding byte %d of %dx%d", i, rows, cols).isZero();
        }
      }
    }
  }

  @Test
  void raggedThirtySevenRowsPadTo128By4() {
    byte[] rowMajor = new byte[37 * 2];
    for (int i = 0; i < rowMajor.length; i++) {
      rowMajor[i] = (byte) (i + 1);
    }
    byte[] swz = ScaleLayout.convert(rowMajor, 37, 2, ScaleLayout.ROW_MAJOR,
        ScaleLayout.SWIZZLED_128X4);
    assertThat(swz).hasSize(512);
    assertThat(swz[0]).isEqualTo((byte) 1); // (0,0)
    assertThat(swz[1]).isEqualTo((byte) 2); // (0,1)
    assertThat(swz[2]).isZero(); // (0,2) is column padding
    assertThat(swz[4]).isEqualTo(rowMajor[32 * 2]); // (32,0)
    assertThat(swz[4 * 16 + 4 + 1]).isEqualTo(rowMajor[36 * 2 + 1]); // (36,1)
    assertThat(swz[5 * 16 + 4]).isZero(); // (37,0) is row padding
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> ScaleLayout.convert(new byte[5], 2, 3, ScaleLayout.ROW_MAJOR,
        ScaleLayout.SWIZZLED_128X4))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scales.length 5");
    assertThatThrownBy(() -> ScaleLayout.convert(null, 2, 3, ScaleLayout.ROW_MAJOR,
        ScaleLayout.ROW_MAJOR))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scales");
    assertThatThrownBy(() -> ScaleLayout.ROW_MAJOR.offset(2, 0, 2, 3))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("r 2");
    assertThatThrownBy(() -> ScaleLayout.SWIZZLED_128X4.offset(0, 3, 2, 3))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("c 3");
    assertThatThrownBy(() -> ScaleLayout.ROW_MAJOR.sizeBytes(-1, 3))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[-1, 3]");
  }
}
