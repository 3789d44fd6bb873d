package dev.deepwell.gpu.quant;

import java.util.Objects;

/**
 * The row-wise and column-wise quantized copies of one matrix, written by one kernel pass
 * ({@link MicroscaleManager#quantizeRowAndCol}): what a training step needs for the forward GEMM
 * (ROW) and the weight-gradient / data-gradient GEMMs (COL). Closing it closes both.
 */
public final class QuantizedPair implements AutoCloseable {

  private final GpuQuantizedTensor row;
  private final GpuQuantizedTensor col;

  QuantizedPair(GpuQuantizedTensor row, GpuQuantizedTensor col) {
    this.row = Objects.requireNonNull(row, "row");
    this.col = Objects.requireNonNull(col, "col");
  }

  /** The ROW copy: codes [rows, cols]. */
  public GpuQuantizedTensor row() {
    return row;
  }

  /** The COL copy: codes of the transpose, [cols, rows]. */
  public GpuQuantizedTensor col() {
    return col;
  }

  @Override
  public void close() {
    try {
      row.close();
    } finally {
      col.close();
    }
  }
}
