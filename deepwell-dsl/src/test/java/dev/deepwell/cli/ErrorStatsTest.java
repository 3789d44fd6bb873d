package dev.deepwell.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ErrorStatsTest {

  @Test
  void handComputedVector() {
    // signal = 1 + 4 + 0 + 9 = 14; errors 0.5, 0, 0.25, -1: noise = 0.25 + 0.0625 + 1 = 1.3125
    float[] x = {1, 2, 0, -3};
    float[] y = {0.5f, 2, -0.25f, -2};
    ErrorStats s = ErrorStats.compare(x, y);
    assertThat(s.relativeRmsError()).isCloseTo(Math.sqrt(1.3125 / 14), within(1e-15));
    assertThat(s.sqnrDb()).isCloseTo(10 * Math.log10(14 / 1.3125), within(1e-12));
    assertThat(s.maxAbsError()).isEqualTo(1.0);
    assertThat(s.nonFinite()).isZero();
  }

  @Test
  void exactReconstructionHasInfiniteSqnr() {
    ErrorStats s = ErrorStats.compare(new float[] {3, 4}, new float[] {3, 4});
    assertThat(s.relativeRmsError()).isZero();
    assertThat(s.sqnrDb()).isInfinite();
    assertThat(s.maxAbsError()).isZero();
  }

  @Test
  void nonFiniteReconstructionsAreCountedNotAccumulated() {
    ErrorStats s = ErrorStats.compare(new float[] {1, 1, 2}, new float[] {Float.NaN,
        Float.POSITIVE_INFINITY, 2});
    assertThat(s.nonFinite()).isEqualTo(2);
    assertThat(s.maxAbsError()).isZero();
  }

  @Test
  void rejectsMismatchedOrEmptyInputs() {
    assertThatThrownBy(() -> ErrorStats.compare(new float[2], new float[3]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 != y.length 3");
    assertThatThrownBy(() -> ErrorStats.compare(new float[0], new float[0]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    assertThatThrownBy(() -> ErrorStats.compare(null, new float[0]))
        .isInstanceOf(NullPointerException.class);
  }
}
