package dev.deepwell.quant;

/**
 * Block shape of {@link QuantFormat#FP8_BLOCK} (the DeepSeek-V3 / cuBLAS blockwise FP8 scheme).
 *
 * <ul>
 *   <li>{@link #ACT_1X128}: one FP32 scale per {@code 1 x 128} run along the quantized axis
 *       (activations and gradients); scale matrix {@code [storedRows, storedCols/128]}.
 *   <li>{@link #WEIGHT_128X128}: one FP32 scale per {@code 128 x 128} tile (weights); scale matrix
 *       {@code [ceil(storedRows/128), storedCols/128]}, one entry per tile.
 * </ul>
 *
 * "Stored" rows/cols are the data's storage orientation (see {@link Axis}).
 */
public enum Fp8BlockShape {
  ACT_1X128(1, 128),
  WEIGHT_128X128(128, 128);

  private final int tileRows;
  private final int tileCols;

  Fp8BlockShape(int tileRows, int tileCols) {
    this.tileRows = tileRows;
    this.tileCols = tileCols;
  }

  /** Rows of one scale tile in the storage orientation (1 or 128). */
  public int tileRows() {
    return tileRows;
  }

  /** Elements of one scale tile along the quantized axis (always 128). */
  public int tileCols() {
    return tileCols;
  }
}
