package dev.deepwell.gpu.quant;

import dev.deepwell.gpu.CudaStream;
import dev.deepwell.gpu.DeviceBuffer;
import dev.deepwell.gpu.DeviceScope;
import dev.deepwell.gpu.DeviceTensor;
import dev.deepwell.gpu.NativeLibrary;
import dev.deepwell.quant.Axis;
import dev.deepwell.quant.QuantFormat;
import dev.deepwell.quant.QuantOptions;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Quantizes and dequantizes BF16 device matrices on the GPU, byte for byte as the Java reference
 * quantizers of {@code dev.deepwell.quant} (MXFP8 E4M3/E5M2, MXFP4, NVFP4 1-D and 16x16, FP8 per
 * tensor, FP8 1x128 / 128x128), with every {@link QuantOptions} option: both scale rules, the
 * 128x4 tiled scale layout of sm_100 GEMMs, stochastic rounding, the 16-point random Hadamard
 * transform.
 *
 * <p>One kernel pass reads the input once and writes the ROW copy, the COL copy (transposed), or
 * both ({@link #quantizeRowAndCol}). NVFP4 and FP8 per-tensor first reduce the tensor amax on the
 * device (one extra read of the input); nothing is copied to the host. When the tensor amax is
 * already on the device (a producer kernel's epilogue, a delayed-scaling history, or
 * {@link #amaxInto} earlier on the stream), the {@code ...WithAmax} methods take it instead and
 * read the input once.
 *
 * <p>All work is enqueued on the scope's stream and is asynchronous; outputs are allocated from
 * the scope (or passed in, for {@link #quantizeInto}, which allocates nothing and can be captured
 * into a CUDA graph). Every argument is checked here, before any native call: a shape that does
 * not fit the block size, a misaligned or non-contiguous input view, a closed buffer or tensor,
 * an option the format rejects each throw an exception that names the problem.
 *
 * <pre>{@code
 * try (CudaStream stream = device.createStream(); DeviceScope scope = DeviceScope.open(stream);
 *      MicroscaleManager mm = MicroscaleManager.create(scope)) {
 *   QuantizedPair q = mm.quantizeRowAndCol(Bf16Matrix.of(x), QuantFormat.MXFP8_E4M3, QuantOptions.defaults());
 *   ...
 * }
 * }</pre>
 */
public final class MicroscaleManager implements AutoCloseable {

  /**
   * Device workspace (DW_QUANT_WORKSPACE_BYTES) of the amax reduction and of the quantize kernel's
   * tile counter (its CTAs claim groups of tiles from it); the manager's calls share it, which is
   * safe because they are ordered on the scope's stream.
   */
  static final int WORKSPACE_BYTES = 256;

  private final DeviceScope scope;
  private final CudaStream stream;
  private final long streamHandle;
  private final DeviceBuffer workspace;

  private MicroscaleManager(DeviceScope scope, long streamHandle, DeviceBuffer workspace) {
    this.scope = scope;
    this.stream = scope.stream();
    this.streamHandle = streamHandle;
    this.workspace = workspace;
  }

  /**
   * A manager that enqueues on {@code scope}'s stream and allocates its outputs from {@code scope}.
   *
   * @throws dev.deepwell.gpu.GpuUnavailableException without a usable GPU
   */
  public static MicroscaleManager create(DeviceScope scope) {
    Objects.requireNonNull(scope, "scope");
    NativeLibrary.requireReady();
    CudaStream stream = scope.stream();
    if (stream.isClosed()) throw new IllegalStateException("the scope's stream is closed: " + stream);
    long handle = QuantNatives.streamHandle(stream);
    return new MicroscaleManager(scope, handle, scope.allocate(WORKSPACE_BYTES));
  }

  public CudaStream stream() {
    return stream;
  }

  // ---- allocation -------------------------------------------------------------------------

  /** Device buffers for one copy of a {@code [rows, cols]} input in {@code options.axis()}. */
  public GpuQuantizedTensor allocate(QuantFormat format, int rows, int cols, QuantOptions options) {
    return allocate(format, rows, cols, options, Fp8ScaleOrder.ROW_MAJOR);
  }

  /** As {@link #allocate(QuantFormat, int, int, QuantOptions)}, with the FP8 block scales' order. */
  public GpuQuantizedTensor allocate(QuantFormat format, int rows, int cols, QuantOptions options,
      Fp8ScaleOrder fp8ScaleOrder) {
    CopyLayout layout = CopyLayout.of(format, rows, cols, options, fp8ScaleOrder);
    ensureOpen();
    return allocate(layout);
  }

  private GpuQuantizedTensor allocate(CopyLayout layout) {
    DeviceBuffer data = scope.allocate(layout.dataBytes);
    DeviceBuffer scales = layout.scaleBytes > 0 ? scope.allocate(layout.scaleBytes) : null;
    DeviceBuffer ts = layout.hasTensorScale ? scope.allocate(4) : null;
    return new GpuQuantizedTensor(layout, data, scales, ts);
  }

  // ---- quantize -----------------------------------------------------------------------------

  /** One copy of {@code x} in {@code options.axis()}, newly allocated from the scope. */
  public GpuQuantizedTensor quantize(Bf16Matrix x, QuantFormat format, QuantOptions options) {
    return quantize(x, format, options, Fp8ScaleOrder.ROW_MAJOR);
  }

  /** As {@link #quantize(Bf16Matrix, QuantFormat, QuantOptions)}, with the FP8 block scales' order. */
  public GpuQuantizedTensor quantize(Bf16Matrix x, QuantFormat format, QuantOptions options,
      Fp8ScaleOrder fp8ScaleOrder) {
    Objects.requireNonNull(x, "x");
    CopyLayout layout = CopyLayout.of(format, x.rows(), x.cols(), options, fp8ScaleOrder);
    ensureOpen();
    x.address();  // closed-buffer check before allocating
    GpuQuantizedTensor out = allocate(layout);
    boolean row = layout.options.axis() == Axis.ROW;
    launchQuantize(x, row ? out : null, row ? null : out);
    return out;
  }

  /** One copy of a rank-2 BF16 tensor; see {@link #quantize(Bf16Matrix, QuantFormat, QuantOptions)}. */
  public GpuQuantizedTensor quantize(DeviceTensor x, QuantFormat format, QuantOptions options) {
    return quantize(Bf16Matrix.of(x), format, options);
  }

  /**
   * The ROW and the COL copy of {@code x} from one read of it (one kernel pass), newly allocated.
   * {@code options.axis()} is ignored; the copies carry ROW and COL. Both dimensions must be
   * multiples of the block size (FP8 per-tensor: any shape).
   */
  public QuantizedPair quantizeRowAndCol(Bf16Matrix x, QuantFormat format, QuantOptions options) {
    return quantizeRowAndCol(x, format, options, Fp8ScaleOrder.ROW_MAJOR);
  }

  /** As {@link #quantizeRowAndCol(Bf16Matrix, QuantFormat, QuantOptions)}, with the FP8 block scales' order. */
  public QuantizedPair quantizeRowAndCol(Bf16Matrix x, QuantFormat format, QuantOptions options,
      Fp8ScaleOrder fp8ScaleOrder) {
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(options, "options");
    CopyLayout rowLayout = CopyLayout.of(format, x.rows(), x.cols(), options.toBuilder().axis(Axis.ROW).build(),
        fp8ScaleOrder);
    CopyLayout colLayout = rowLayout.withAxis(Axis.COL);
    ensureOpen();
    x.address();
    GpuQuantizedTensor row = allocate(rowLayout);
    GpuQuantizedTensor col = allocate(colLayout);
    launchQuantize(x, row, col);
    return new QuantizedPair(row, col);
  }

  /**
   * Quantizes {@code x} into preallocated copies (from {@link #allocate}): {@code rowOut} (axis ROW)
   * and/or {@code colOut} (axis COL), either may be null, not both. With both, one pass writes
   * both, and they must agree on format, shape and every option but the axis. Allocates nothing.
   */
  public void quantizeInto(Bf16Matrix x, GpuQuantizedTensor rowOut, GpuQuantizedTensor colOut) {
    Objects.requireNonNull(x, "x");
    if (rowOut == null && colOut == null) throw new IllegalArgumentException("rowOut and colOut are both null");
    ensureOpen();
    checkOutputs(x, rowOut, colOut);
    x.address();
    launchQuantize(x, rowOut, colOut);
  }

  private void checkOutputs(Bf16Matrix x, GpuQuantizedTensor rowOut, GpuQuantizedTensor colOut) {
    if (rowOut != null) checkOutput(x, rowOut, Axis.ROW, "rowOut");
    if (colOut != null) checkOutput(x, colOut, Axis.COL, "colOut");
    if (rowOut != null && colOut != null) {
      CopyLayout r = rowOut.layout(), c = colOut.layout();
      if (r.format != c.format || r.order != c.order
          || !r.options.equals(c.options.toBuilder().axis(Axis.ROW).build())) {
        throw new IllegalArgumentException("rowOut (" + r.format.cliName() + ", " + r.options + ", " + r.order
            + ") and colOut (" + c.format.cliName() + ", " + c.options + ", " + c.order
            + ") must share format and options apart from the axis");
      }
    }
  }

  // ---- quantize with a given tensor amax --------------------------------------------------------

  /**
   * As {@link #quantize(Bf16Matrix, QuantFormat, QuantOptions)}, for the formats with a tensor
   * scale (NVFP4, NVFP4_2D, FP8_TENSOR; not with the Hadamard transform), with the tensor amax read
   * from {@code amax} (one FP32 at {@code amaxOffset}, 4-byte aligned, on the manager's device)
   * when the kernel runs, instead of reduced from {@code x}: the input is read once. With the
   * largest |x| over x's finite elements (what {@link #amaxInto} writes) the bytes equal
   * {@link #quantize}'s; any other finite value {@code >= 0} is used as the tensor amax of the same
   * formulas (delayed scaling; elements beyond it saturate). NaN, infinite or negative values give
   * unspecified codes.
   */
  public GpuQuantizedTensor quantizeWithAmax(Bf16Matrix x, QuantFormat format, QuantOptions options, DeviceBuffer amax,
      long amaxOffset) {
    Objects.requireNonNull(x, "x");
    checkGivenAmaxFormat(format, options);
    CopyLayout layout = CopyLayout.of(format, x.rows(), x.cols(), options, Fp8ScaleOrder.ROW_MAJOR);
    ensureOpen();
    checkAmax(amax, amaxOffset);
    x.address();
    GpuQuantizedTensor out = allocate(layout);
    boolean row = layout.options.axis() == Axis.ROW;
    launchQuantizeWithAmax(x, row ? out : null, row ? null : out, amax, amaxOffset);
    return out;
  }

  /** As {@link #quantizeRowAndCol(Bf16Matrix, QuantFormat, QuantOptions)} with a given tensor amax; see {@link #quantizeWithAmax}. */
  public QuantizedPair quantizeRowAndColWithAmax(Bf16Matrix x, QuantFormat format, QuantOptions options, DeviceBuffer amax,
      long amaxOffset) {
    Objects.requireNonNull(x, "x");
    checkGivenAmaxFormat(format, options);
    CopyLayout rowLayout = CopyLayout.of(format, x.rows(), x.cols(), options.toBuilder().axis(Axis.ROW).build(),
        Fp8ScaleOrder.ROW_MAJOR);
    CopyLayout colLayout = rowLayout.withAxis(Axis.COL);
    ensureOpen();
    checkAmax(amax, amaxOffset);
    x.address();
    GpuQuantizedTensor row = allocate(rowLayout);
    GpuQuantizedTensor col = allocate(colLayout);
    launchQuantizeWithAmax(x, row, col, amax, amaxOffset);
    return new QuantizedPair(row, col);
  }

  /** As {@link #quantizeInto} with a given tensor amax; see {@link #quantizeWithAmax}. Allocates nothing. */
  public void quantizeIntoWithAmax(Bf16Matrix x, GpuQuantizedTensor rowOut, GpuQuantizedTensor colOut, DeviceBuffer amax,
      long amaxOffset) {
    Objects.requireNonNull(x, "x");
    if (rowOut == null && colOut == null) throw new IllegalArgumentException("rowOut and colOut are both null");
    CopyLayout any = rowOut != null ? rowOut.layout() : colOut.layout();
    checkGivenAmaxFormat(any.format, any.options);
    ensureOpen();
    checkOutputs(x, rowOut, colOut);
    checkAmax(amax, amaxOffset);
    x.address();
    launchQuantizeWithAmax(x, rowOut, colOut, amax, amaxOffset);
  }

  /**
   * The formats and options a given tensor amax applies to (no GPU needed): a tensor scale, and
   * no Hadamard transform (its two views need the amaxes of the transformed values).
   */
  static void checkGivenAmaxFormat(QuantFormat format, QuantOptions options) {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(options, "options");
    if (format != QuantFormat.NVFP4 && format != QuantFormat.NVFP4_2D && format != QuantFormat.FP8_TENSOR) {
      throw new IllegalArgumentException("a given tensor amax applies only to formats with a tensor scale "
          + "(nvfp4, nvfp4-2d, fp8-tensor), not " + format.cliName());
    }
    if (options.hadamard16()) {
      throw new IllegalArgumentException("hadamard16 needs the amax of each transformed view, which the manager "
          + "reduces itself: use quantize / quantizeRowAndCol without a given amax");
    }
  }

  /** Where a given amax may be read: 4 bytes at {@code offset} inside {@code size}, 4-byte aligned (no GPU needed). */
  static void checkAmaxLocation(long size, long address, long offset) {
    if (offset < 0 || offset > size - 4) {
      throw new IndexOutOfBoundsException("amaxOffset " + offset + " leaves no 4 bytes in a " + size + "-byte buffer");
    }
    if (((address + offset) & 3) != 0) throw new IllegalArgumentException("amax + amaxOffset is not 4-byte aligned");
  }

  private void checkAmax(DeviceBuffer amax, long amaxOffset) {
    Objects.requireNonNull(amax, "amax");
    if (amax.isClosed()) throw new IllegalStateException("amax is closed: " + amax);
    checkAmaxLocation(amax.size(), amax.address(), amaxOffset);
    checkDevice(amax, "amax");
  }

  private void launchQuantizeWithAmax(Bf16Matrix x, GpuQuantizedTensor row, GpuQuantizedTensor col, DeviceBuffer amax,
      long amaxOffset) {
    checkDevice(x.buffer(), "x");
    CopyLayout any = row != null ? row.layout() : col.layout();
    NativeLibrary.requireReady();
    try {
      QuantNatives.quantizeWithAmax(handle(), any.nativeOptions(), any.options.seed(), x.address(), x.rows(), x.cols(),
          row == null ? 0 : row.data().address(), scalesAddress(row), tensorScaleAddress(row),
          col == null ? 0 : col.data().address(), scalesAddress(col), tensorScaleAddress(col),
          amax.address() + amaxOffset);
    } finally {
      Reference.reachabilityFence(x);
      Reference.reachabilityFence(row);
      Reference.reachabilityFence(col);
      Reference.reachabilityFence(amax);
      Reference.reachabilityFence(this);
    }
  }

  private void checkOutput(Bf16Matrix x, GpuQuantizedTensor out, Axis axis, String name) {
    if (out.isClosed()) throw new IllegalStateException(name + " is closed: " + out);
    if (out.axis() != axis) throw new IllegalArgumentException(name + " must have axis " + axis + ", got " + out.axis());
    if (out.rows() != x.rows() || out.cols() != x.cols()) {
      throw new IllegalArgumentException(name + " is for a [" + out.rows() + ", " + out.cols()
          + "] input, x is [" + x.rows() + ", " + x.cols() + "]");
    }
    checkDevice(out.data(), name);
  }

  private void checkDevice(DeviceBuffer b, String name) {
    if (b.device().ordinal() != stream.device().ordinal()) {
      throw new IllegalArgumentException(name + " is on device " + b.device().ordinal() + ", the manager's stream on "
          + stream.device().ordinal());
    }
  }

  private void launchQuantize(Bf16Matrix x, GpuQuantizedTensor row, GpuQuantizedTensor col) {
    checkDevice(x.buffer(), "x");
    CopyLayout any = row != null ? row.layout() : col.layout();
    NativeLibrary.requireReady();
    try {
      QuantNatives.quantize(handle(), any.nativeOptions(), any.options.seed(), x.address(), x.rows(), x.cols(),
          row == null ? 0 : row.data().address(), scalesAddress(row), tensorScaleAddress(row),
          col == null ? 0 : col.data().address(), scalesAddress(col), tensorScaleAddress(col), workspace.address());
    } finally {
      Reference.reachabilityFence(x);
      Reference.reachabilityFence(row);
      Reference.reachabilityFence(col);
      Reference.reachabilityFence(this);
    }
  }

  private static long scalesAddress(GpuQuantizedTensor q) {
    return q == null ? 0 : q.scales().map(DeviceBuffer::address).orElse(0L);
  }

  private static long tensorScaleAddress(GpuQuantizedTensor q) {
    return q == null ? 0 : q.tensorScale().map(DeviceBuffer::address).orElse(0L);
  }

  // ---- dequantize ---------------------------------------------------------------------------

  /** A new {@code [rows, cols]} device tensor (x's orientation) of {@code q}'s dequantized values. */
  public DeviceTensor dequantize(GpuQuantizedTensor q, DequantType type) {
    Objects.requireNonNull(q, "q");
    Objects.requireNonNull(type, "type");
    q.ensureOpen();
    ensureOpen();
    DeviceTensor out = scope.allocateTensor(type.bits(), q.rows(), q.cols());
    dequantizeInto(q, out);
    return out;
  }

  /**
   * Dequantizes {@code q} into {@code out}, a {@code [rows, cols]} tensor of 32-bit (FP32) or
   * 16-bit (BF16) elements.
   */
  public void dequantizeInto(GpuQuantizedTensor q, DeviceTensor out) {
    Objects.requireNonNull(q, "q");
    Objects.requireNonNull(out, "out");
    q.ensureOpen();
    if (out.isClosed()) throw new IllegalStateException("out is closed: " + out);
    ensureOpen();
    if (out.elementBits() != 32 && out.elementBits() != 16) {
      throw new IllegalArgumentException("out must hold 32-bit (FP32) or 16-bit (BF16) elements, got "
          + out.elementBits() + "-bit");
    }
    long[] shape = out.shape();
    if (shape.length != 2 || shape[0] != q.rows() || shape[1] != q.cols()) {
      throw new IllegalArgumentException("out must be [" + q.rows() + ", " + q.cols() + "], got "
          + java.util.Arrays.toString(shape));
    }
    checkDevice(out.buffer(), "out");
    checkDevice(q.data(), "q");
    CopyLayout l = q.layout();
    NativeLibrary.requireReady();
    try {
      QuantNatives.dequantize(handle(), l.nativeOptions(), l.options.seed(), l.rows, l.cols,
          l.options.axis() == Axis.ROW ? 0 : 1, q.data().address(), scalesAddress(q), tensorScaleAddress(q),
          out.buffer().address(), out.elementBits() == 32 ? 0 : 1);
    } finally {
      Reference.reachabilityFence(q);
      Reference.reachabilityFence(out);
      Reference.reachabilityFence(this);
    }
  }

  // ---- amax ---------------------------------------------------------------------------------

  /**
   * The largest |x| over the finite elements of {@code x} (0 if none), reduced on the device into
   * {@code out} (4 bytes at {@code outOffset}, 4-byte aligned) as an FP32. Asynchronous.
   */
  public void amaxInto(Bf16Matrix x, DeviceBuffer out, long outOffset) {
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(out, "out");
    if (out.isClosed()) throw new IllegalStateException("out is closed: " + out);
    if (outOffset < 0 || outOffset > out.size() - 4) {
      throw new IndexOutOfBoundsException("outOffset " + outOffset + " leaves no 4 bytes in a " + out.size() + "-byte buffer");
    }
    if (((out.address() + outOffset) & 3) != 0) throw new IllegalArgumentException("out + outOffset is not 4-byte aligned");
    ensureOpen();
    checkDevice(x.buffer(), "x");
    checkDevice(out, "out");
    NativeLibrary.requireReady();
    try {
      QuantNatives.amax(handle(), x.address(), x.elementCount(), out.address() + outOffset);
    } finally {
      Reference.reachabilityFence(x);
      Reference.reachabilityFence(out);
      Reference.reachabilityFence(this);
    }
  }

  /** {@link #amaxInto} into the manager's workspace, then waits for the stream and returns the value. */
  public float amax(Bf16Matrix x) {
    amaxInto(x, workspace, 0);
    byte[] b = GpuQuantizedTensor.download(stream, workspace, 4);
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getFloat();
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  private long handle() {
    if (stream.isClosed()) throw new IllegalStateException("the manager's stream is closed: " + stream);
    return streamHandle;
  }

  private void ensureOpen() {
    if (workspace.isClosed()) throw new IllegalStateException("MicroscaleManager is closed");
    if (stream.isClosed()) throw new IllegalStateException("the manager's stream is closed: " + stream);
  }

  /** Frees the workspace. Tensors it made stay valid (they belong to the scope). */
  @Override
  public void close() {
    workspace.close();
  }
}
