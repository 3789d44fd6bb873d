package dev.deepwell.kernel.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.KernelProvider;
import java.util.List;
import org.junit.jupiter.api.Test;

class GemmBenchSummaryTest {

  static final GemmBenchShape CUBE = GemmBenchShape.cube(1000);

  /** A measurement that takes {@code ms} per call. 1000^3: 2e9 flops, so 2 / ms TFLOP/s... times 1e-3. */
  static GemmBenchMeasurement ms(double ms) {
    return GemmBenchMeasurement.of("k", KernelProvider.CUTLASS, new double[] {ms}, 10, 2, true);
  }

  static GemmBenchResult row(GemmBenchShape s, GemmPass p, GemmInput in, Double ours, Double lt) {
    return new GemmBenchResult(new GemmBenchCase(s, p, in), ours == null ? null : ms(ours),
        ours == null ? "no kernel" : null, lt == null ? null : ms(lt), lt == null ? "no cuBLASLt kernel" : null,
        List.of());
  }

  @Test
  void throughputAndRatiosFollowFromTheTimes() {
    GemmBenchResult r = row(CUBE, GemmPass.FWD, GemmInput.BF16, 0.004, 0.005);
    // 2 * 1e9 flops in 4 us = 500 TFLOP/s; in 5 us = 400.
    assertThat(r.oursTflops()).isCloseTo(500, within(1e-9));
    assertThat(r.cublasLtTflops()).isCloseTo(400, within(1e-9));
    assertThat(r.ratioToCublasLt()).isCloseTo(1.25, within(1e-12));
    GemmBenchResult none = row(CUBE, GemmPass.FWD, GemmInput.FP8_BLOCK128, 0.002, null);
    assertThat(none.cublasLtTflops()).isNaN();
    assertThat(none.ratioToCublasLt()).isNaN();
    assertThat(row(CUBE, GemmPass.FWD, GemmInput.NVFP4, null, null).oursTflops()).isNaN();
  }

  @Test
  void theRatioToBf16IsAtTheSameShapeAndPass() {
    GemmBenchShape other = GemmBenchShape.of(1000, 1000, 2000);
    GemmBenchResult bf16Fwd = row(other, GemmPass.FWD, GemmInput.BF16, 0.010, 0.010);
    GemmBenchResult bf16Dgrad = row(other, GemmPass.DGRAD, GemmInput.BF16, 0.020, 0.010);
    GemmBenchResult blockDgrad = row(other, GemmPass.DGRAD, GemmInput.FP8_BLOCK128, 0.008, null);
    GemmBenchResult blockCube = row(CUBE, GemmPass.FWD, GemmInput.FP8_BLOCK128, 0.008, null);
    GemmBenchSummary s = GemmBenchSummary.of(List.of(bf16Fwd, bf16Dgrad, blockDgrad, blockCube));
    assertThat(s.ratioToBf16(blockDgrad)).isCloseTo(2.5, within(1e-12)); // 0.020 / 0.008
    assertThat(s.ratioToBf16(blockCube)).isNaN(); // no BF16 row of the cube
    assertThat(s.ratioToBf16(bf16Fwd)).isNaN();
  }

  @Test
  void perFormatLinesAreGeometricMeansOverTheRowsThatRan() {
    GemmBenchShape a = GemmBenchShape.of(1000, 1000, 1000);
    GemmBenchShape b = GemmBenchShape.of(1000, 1000, 4000);
    List<GemmBenchResult> rows = List.of(
        row(a, GemmPass.FWD, GemmInput.BF16, 0.004, 0.002), // ours/lt 0.5
        row(b, GemmPass.FWD, GemmInput.BF16, 0.008, 0.016), // ours/lt 2
        row(a, GemmPass.FWD, GemmInput.FP8_BLOCK128, 0.001, null), // vs bf16 4
        row(b, GemmPass.FWD, GemmInput.FP8_BLOCK128, 0.008, null), // vs bf16 1
        row(b, GemmPass.DGRAD, GemmInput.FP8_BLOCK128, null, null)); // did not run
    List<GemmBenchSummary.FormatLine> lines = GemmBenchSummary.of(rows).perFormat();
    assertThat(lines).extracting(GemmBenchSummary.FormatLine::format)
        .containsExactly(GemmInput.BF16, GemmInput.FP8_BLOCK128);
    GemmBenchSummary.FormatLine bf16 = lines.get(0);
    assertThat(bf16.vsCublasLt()).isCloseTo(1.0, within(1e-12)); // sqrt(0.5 * 2)
    assertThat(bf16.vsCublasLtRows()).isEqualTo(2);
    assertThat(bf16.geomeanTflops()).isCloseTo(Math.sqrt(500.0 * 1000.0), within(1e-9));
    assertThat(bf16.vsBf16()).isNaN();
    GemmBenchSummary.FormatLine block = lines.get(1);
    assertThat(block.cases()).isEqualTo(3);
    assertThat(block.measured()).isEqualTo(2);
    assertThat(block.vsCublasLt()).isNaN();
    assertThat(block.vsCublasLtRows()).isZero();
    assertThat(block.vsBf16()).isCloseTo(2.0, within(1e-12)); // sqrt(4 * 1)
    assertThat(block.vsBf16Rows()).isEqualTo(2);
  }

  @Test
  void geomeanOfNothingIsNaNAndOfNonPositiveValuesAnError() {
    assertThat(GemmBenchSummary.geomean(List.of())).isNaN();
    assertThat(GemmBenchSummary.geomean(List.of(2.0, 8.0))).isCloseTo(4.0, within(1e-12));
    assertThatThrownBy(() -> GemmBenchSummary.geomean(List.of(1.0, 0.0))).hasMessageContaining("positive");
  }

  @Test
  void measurementsAreTheMedianOverRoundsAndRefuseNonsense() {
    GemmBenchMeasurement odd = GemmBenchMeasurement.of("k", KernelProvider.CUTLASS, new double[] {3, 1, 2}, 5, 2,
        true);
    assertThat(odd.medianMs()).isEqualTo(2);
    assertThat(odd.minMs()).isEqualTo(1);
    assertThat(odd.maxMs()).isEqualTo(3);
    assertThat(odd.spread()).isEqualTo(1.0);
    assertThat(GemmBenchMeasurement.of("k", KernelProvider.CUBLASLT, new double[] {4, 1, 2, 3}, 5, 2, false)
        .medianMs()).isEqualTo(2.5);
    assertThatThrownBy(() -> GemmBenchMeasurement.of("k", KernelProvider.CUTLASS, new double[0], 1, 1, true))
        .hasMessageContaining("no rounds");
    assertThatThrownBy(() -> GemmBenchMeasurement.of("k", KernelProvider.CUTLASS, new double[] {0}, 1, 1, true))
        .hasMessageContaining("medianMs must be positive");
    assertThatThrownBy(() -> GemmBenchMeasurement.of("k", KernelProvider.CUTLASS, new double[] {Double.NaN}, 1, 1,
        true)).hasMessageContaining("medianMs");
    assertThatThrownBy(() -> new GemmBenchResult(new GemmBenchCase(CUBE, GemmPass.FWD, GemmInput.BF16), ms(1),
        "why", null, "n/a", List.of())).hasMessageContaining("exactly one of ours");
  }
}
