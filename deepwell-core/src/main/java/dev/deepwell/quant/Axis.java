package dev.deepwell.quant;

/**
 * Which way the scale blocks run over a row-major {@code [rows, cols]} input.
 *
 * <ul>
 *   <li>{@link #ROW}: blocks are {@code 1 x B} runs along a row; the data is stored row-major
 *       {@code [rows, cols]} and block scales form a {@code [rows, cols/B]} matrix. This is the
 *       copy a GEMM reads when the reduction (K) dimension is the input's columns.
 *   <li>{@link #COL}: blocks are {@code B x 1} runs down a column; the data is stored
 *       <em>transposed</em>, row-major {@code [cols, rows]}, with scales {@code [cols, rows/B]},
 *       which is what a GEMM that reduces over the input's rows (e.g. the weight-gradient GEMM)
 *       needs.
 * </ul>
 *
 * With round-to-nearest, {@code quantize(x, COL)} is byte-identical to
 * {@code quantize(transpose(x), ROW)}. With stochastic rounding the random bits follow the
 * element's index in the original input (see {@link Philox4x32}), so the ROW and COL copies of one
 * tensor round each element with the same random number.
 */
public enum Axis {
  ROW,
  COL
}
