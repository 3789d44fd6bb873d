package dev.deepwell.quant;

import dev.deepwell.format.ElementFormat;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The block-quantized tensor formats Deepwell produces, with their CLI names.
 *
 * <table>
 *   <caption>Formats</caption>
 *   <tr><th>format</th><th>elements</th><th>block</th><th>block scale</th>
 *       <th>tensor scale</th></tr>
 *   <tr><td>MXFP8_E4M3</td><td>FP8 E4M3</td><td>32</td><td>E8M0</td><td>-</td></tr>
 *   <tr><td>MXFP8_E5M2</td><td>FP8 E5M2</td><td>32</td><td>E8M0</td><td>-</td></tr>
 *   <tr><td>MXFP4</td><td>FP4 E2M1</td><td>32</td><td>E8M0</td><td>-</td></tr>
 *   <tr><td>NVFP4</td><td>FP4 E2M1</td><td>16 (1x16)</td><td>UE4M3</td><td>FP32</td></tr>
 *   <tr><td>NVFP4_2D</td><td>FP4 E2M1</td><td>16 (16x16 tile)</td><td>UE4M3</td><td>FP32</td></tr>
 *   <tr><td>FP8_TENSOR</td><td>FP8 E4M3</td><td>whole tensor</td><td>-</td><td>FP32</td></tr>
 *   <tr><td>FP8_BLOCK</td><td>FP8 E4M3</td><td>1x128 or 128x128</td><td>FP32</td><td>-</td></tr>
 * </table>
 */
public enum QuantFormat {
  MXFP8_E4M3("mxfp8-e4m3", 32, ElementFormat.FP8_E4M3, ElementFormat.E8M0),
  MXFP8_E5M2("mxfp8-e5m2", 32, ElementFormat.FP8_E5M2, ElementFormat.E8M0),
  MXFP4("mxfp4", 32, ElementFormat.FP4_E2M1, ElementFormat.E8M0),
  NVFP4("nvfp4", 16, ElementFormat.FP4_E2M1, ElementFormat.UE4M3),
  NVFP4_2D("nvfp4-2d", 16, ElementFormat.FP4_E2M1, ElementFormat.UE4M3),
  FP8_TENSOR("fp8-tensor", 0, ElementFormat.FP8_E4M3, null),
  FP8_BLOCK("fp8-block", 128, ElementFormat.FP8_E4M3, null);

  private final String cliName;
  private final int blockSize;
  private final ElementFormat elementFormat;
  private final ElementFormat scaleFormat;

  QuantFormat(String cliName, int blockSize, ElementFormat elementFormat,
      ElementFormat scaleFormat) {
    this.cliName = cliName;
    this.blockSize = blockSize;
    this.elementFormat = elementFormat;
    this.scaleFormat = scaleFormat;
  }

  /** The name used on the command line and in plans, e.g. {@code "mxfp8-e4m3"}. */
  public String cliName() {
    return cliName;
  }

  /**
   * Elements per scale block along the quantized axis: 32 for MX, 16 for NVFP4, 128 for FP8_BLOCK,
   * 0 for FP8_TENSOR (one scale for the whole tensor).
   */
  public int blockSize() {
    return blockSize;
  }

  /** The format of the quantized elements. */
  public ElementFormat elementFormat() {
    return elementFormat;
  }

  /** The format of the one-byte block scales (E8M0 or UE4M3), or null where scales are FP32. */
  public ElementFormat scaleFormat() {
    return scaleFormat;
  }

  /** True for the MX formats (E8M0 block scales over 32 elements). */
  public boolean isMx() {
    return this == MXFP8_E4M3 || this == MXFP8_E5M2 || this == MXFP4;
  }

  /** True for NVFP4 and NVFP4_2D. */
  public boolean isNvfp4() {
    return this == NVFP4 || this == NVFP4_2D;
  }

  /** True when block scales are one-byte codes, the only kind the swizzled layout applies to. */
  public boolean hasByteScales() {
    return scaleFormat != null;
  }

  /** The format whose {@link #cliName()} is {@code name}. */
  public static QuantFormat fromCliName(String name) {
    if (name == null) {
      throw new IllegalArgumentException("format name must not be null; valid: " + validNames());
    }
    for (QuantFormat f : values()) {
      if (f.cliName.equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "unknown quantization format '" + name + "'; valid: " + validNames());
  }

  private static String validNames() {
    return Arrays.stream(values()).map(QuantFormat::cliName).collect(Collectors.joining(", "));
  }
}
