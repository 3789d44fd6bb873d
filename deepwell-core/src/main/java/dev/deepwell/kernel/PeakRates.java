package dev.deepwell.kernel;

import dev.deepwell.precision.Precision;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Dense (no structured sparsity) tensor-core peak throughput of a GPU per operand precision, in
 * FLOP/s. Policy data for the roofline model, from NVIDIA datasheets (H100 SXM5, H200 SXM, HGX
 * B200/B100, RTX 5090 whitepaper: FP32-accumulate figures); a value of 0 means the GPU has no
 * tensor cores for that precision. FP8_BLOCK and MXFP8 are assumed to run at the FP8 rate.
 *
 * @param bf16 BF16 inputs, FP32 accumulation
 * @param fp8  FP8 (E4M3/E5M2) inputs, including block-scaled MXFP8 on Blackwell
 * @param fp4  NVFP4 inputs (Blackwell only)
 * @param fp32 FP32 on CUDA cores (not TF32)
 */
public record PeakRates(double bf16, double fp8, double fp4, double fp32) {

  private static final double T = 1e12;

  private static final Map<String, PeakRates> BY_TARGET = Map.of(
      "h100", new PeakRates(989.4 * T, 1978.9 * T, 0, 66.9 * T),
      "h200", new PeakRates(989.4 * T, 1978.9 * T, 0, 66.9 * T),
      "b200", new PeakRates(2250 * T, 4500 * T, 9000 * T, 75 * T),
      "b100", new PeakRates(1750 * T, 3500 * T, 7000 * T, 60 * T),
      "rtx5090", new PeakRates(209.5 * T, 419 * T, 838 * T, 104.8 * T));

  public PeakRates {
    if (!(bf16 > 0) || fp8 < 0 || fp4 < 0 || !(fp32 > 0)) {
      throw new IllegalArgumentException("peak rates must be positive (fp8/fp4 may be 0), got "
          + bf16 + ", " + fp8 + ", " + fp4 + ", " + fp32);
    }
  }

  /** Peak FLOP/s of a GEMM in {@code p}, or 0 when the GPU has no tensor cores for it. */
  public double flops(Precision p) {
    switch (p) {
      case FP32:
        return fp32;
      case BF16:
        return bf16;
      case FP8:
      case FP8_BLOCK:
      case MXFP8:
        return fp8;
      case NVFP4:
        return fp4;
      default:
        throw new AssertionError(p);
    }
  }

  /** The table entry of a named target ("b200", ...). */
  public static Optional<PeakRates> forTarget(String name) {
    if (name == null) {
      throw new NullPointerException("name");
    }
    return Optional.ofNullable(BY_TARGET.get(name.toLowerCase(Locale.ROOT)));
  }

  /**
   * Rates for a probed GPU of compute capability {@code sm}: the table entry of the same
   * architecture (sm_90 -> H100, sm_100/103 -> B200, sm_120/121 -> RTX 5090). A different SKU of
   * the same architecture has other clocks and SM counts, so this is an approximation.
   */
  public static Optional<PeakRates> forSm(int sm) {
    switch (sm) {
      case 90:
        return forTarget("h100");
      case 100:
      case 103:
        return forTarget("b200");
      case 120:
      case 121:
        return forTarget("rtx5090");
      default:
        return Optional.empty();
    }
  }
}
