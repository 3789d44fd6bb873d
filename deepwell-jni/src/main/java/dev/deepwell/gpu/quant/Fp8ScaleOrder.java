package dev.deepwell.gpu.quant;

/**
 * Order of the FP32 block scales of an {@code FP8_BLOCK} 1x128 copy on the device.
 *
 * <ul>
 *   <li>{@link #ROW_MAJOR}: {@code [storedRows, storedCols/128]} row-major, as the Java reference
 *       ({@code dev.deepwell.quant.Fp8BlockQuantizer}) stores them.
 *   <li>{@link #MN_MAJOR}: entry {@code (m, kb)} at {@code kb * storedRows + m}, the layout in
 *       which the sm_90 blockwise FP8 GEMM reads its A operand's scales ({@code deepwell/gemm.h}),
 *       so no re-layout pass runs between quantization and the GEMM.
 * </ul>
 *
 * {@link GpuQuantizedTensor#toHost} always returns row-major scales.
 */
public enum Fp8ScaleOrder {
  ROW_MAJOR,
  MN_MAJOR
}
