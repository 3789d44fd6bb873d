package dev.deepwell.kernel;

/**
 * Which dimension of a GEMM operand is contiguous in memory. For A ({@code M x K}) and B
 * ({@code N x K}), {@link #K_MAJOR} means rows of K values one after another (A row-major
 * {@code [M, K]}, B row-major {@code [N, K]}); {@link #MN_MAJOR} means the operand is stored
 * transposed ({@code [K, M]} or {@code [K, N]} row-major).
 *
 * <p>Both operands K-major is the "TN" layout of the C ABI (deepwell/gemm.h), the only one
 * Hopper's tensor cores read 8-bit operands in; a backward GEMM gets it by quantizing the
 * transposed copy it needs (the COL axis of {@code dev.deepwell.quant}).
 */
public enum OperandMajor {
  K_MAJOR,
  MN_MAJOR
}
