package dev.deepwell.gpu.quant;

import dev.deepwell.gpu.CudaStream;
import dev.deepwell.gpu.DeviceBuffer;
import dev.deepwell.gpu.PinnedHostBuffer;
import dev.deepwell.quant.Axis;
import dev.deepwell.quant.QuantFormat;
import dev.deepwell.quant.QuantOptions;
import dev.deepwell.quant.QuantizedTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.Optional;

/**
 * One quantized copy of a BF16 matrix in device memory: the codes, the block scales (in the
 * layout the consuming GEMM reads) and, for NVFP4 and FP8 per-tensor, the FP32 tensor decode
 * scale as one device float. Same meaning, byte for byte, as the Java reference's
 * {@link QuantizedTensor}; {@link #toHost} returns exactly that. Made by {@link MicroscaleManager};
 * closing it frees its device buffers.
 */
public final class GpuQuantizedTensor implements AutoCloseable {

  private final CopyLayout layout;
  private final DeviceBuffer data;
  private final DeviceBuffer scales;
  private final DeviceBuffer tensorScale;

  GpuQuantizedTensor(CopyLayout layout, DeviceBuffer data, DeviceBuffer scales, DeviceBuffer tensorScale) {
    this.layout = layout;
    this.data = data;
    this.scales = scales;
    this.tensorScale = tensorScale;
  }

  CopyLayout layout() {
    return layout;
  }

  public QuantFormat format() {
    return layout.format;
  }

  /** Rows of the original input. */
  public int rows() {
    return layout.rows;
  }

  /** Columns of the original input. */
  public int cols() {
    return layout.cols;
  }

  public QuantOptions options() {
    return layout.options;
  }

  public Axis axis() {
    return layout.options.axis();
  }

  public Fp8ScaleOrder fp8ScaleOrder() {
    return layout.order;
  }

  /** Rows of the stored codes: {@code rows} for ROW, {@code cols} for COL. */
  public int storedRows() {
    return layout.storedRows;
  }

  /** Columns of the stored codes (the quantized axis). */
  public int storedCols() {
    return layout.storedCols;
  }

  /** Rows of the logical scale matrix (0 for FP8 per-tensor). */
  public int scaleRows() {
    return layout.scaleRows;
  }

  /** Columns of the logical scale matrix (0 for FP8 per-tensor). */
  public int scaleCols() {
    return layout.scaleCols;
  }

  /** The codes: FP8 one per byte, FP4 two per byte (low nibble first), in stored order. */
  public DeviceBuffer data() {
    ensureOpen();
    return data;
  }

  /** The block scales; empty for FP8 per-tensor. */
  public Optional<DeviceBuffer> scales() {
    ensureOpen();
    return Optional.ofNullable(scales);
  }

  /** The FP32 tensor decode scale (one float); present for NVFP4, NVFP4_2D and FP8_TENSOR. */
  public Optional<DeviceBuffer> tensorScale() {
    ensureOpen();
    return Optional.ofNullable(tensorScale);
  }

  public boolean isClosed() {
    return data.isClosed();
  }

  void ensureOpen() {
    if (isClosed()) throw new IllegalStateException("GpuQuantizedTensor is closed: " + this);
  }

  /**
   * Copies the tensor to the host (waiting for the stream) as the reference's value type. FP8
   * block scales stored {@link Fp8ScaleOrder#MN_MAJOR} come back row-major.
   *
   * @throws IllegalArgumentException if the tensor has more than 2^31 - 1 elements (no Java array holds it)
   */
  public QuantizedTensor toHost(CudaStream stream) {
    Objects.requireNonNull(stream, "stream");
    ensureOpen();
    if ((long) layout.rows * layout.cols > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("[" + layout.rows + ", " + layout.cols + "] has more elements than a Java array holds");
    }
    byte[] codes = download(stream, data, layout.dataBytes);
    byte[] scaleBytes = scales == null ? new byte[0] : download(stream, scales, layout.scaleBytes);
    if (layout.order == Fp8ScaleOrder.MN_MAJOR) scaleBytes = mnMajorToRowMajor(scaleBytes, layout.scaleRows, layout.scaleCols);
    float ts = 1f;
    if (tensorScale != null) {
      byte[] t = download(stream, tensorScale, 4);
      ts = ByteBuffer.wrap(t).order(ByteOrder.LITTLE_ENDIAN).getFloat();
    }
    return QuantizedTensor.of(layout.format, layout.rows, layout.cols, layout.options, codes, scaleBytes, ts);
  }

  static byte[] download(CudaStream stream, DeviceBuffer src, long bytes) {
    byte[] out = new byte[Math.toIntExact(bytes)];
    if (bytes == 0) return out;
    try (PinnedHostBuffer host = PinnedHostBuffer.allocate(bytes)) {
      stream.copyDeviceToHost(src, 0, host, 0, bytes);
      stream.synchronize();
      host.read(0, out);
    }
    return out;
  }

  /** FP32 entries: (m, kb) at kb * rows + m  ->  m * cols + kb. */
  static byte[] mnMajorToRowMajor(byte[] mn, int rows, int cols) {
    byte[] out = new byte[mn.length];
    for (int m = 0; m < rows; m++) {
      for (int kb = 0; kb < cols; kb++) {
        System.arraycopy(mn, 4 * (kb * rows + m), out, 4 * (m * cols + kb), 4);
      }
    }
    return out;
  }

  /** Frees the device buffers (idempotent). */
  @Override
  public void close() {
    data.close();
    if (scales != null) scales.close();
    if (tensorScale != null) tensorScale.close();
  }

  @Override
  public String toString() {
    return "GpuQuantizedTensor{" + layout.format.cliName() + " [" + layout.rows + ", " + layout.cols + "] axis="
        + layout.options.axis() + " scales [" + layout.scaleRows + ", " + layout.scaleCols + "] "
        + (layout.order == Fp8ScaleOrder.MN_MAJOR ? "MN_MAJOR" : layout.options.scaleLayout()) + "}";
  }
}
