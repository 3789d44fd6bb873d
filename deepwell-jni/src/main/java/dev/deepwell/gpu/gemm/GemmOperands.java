package dev.deepwell.gpu.gemm;

import dev.deepwell.gpu.DeviceBuffer;
import dev.deepwell.gpu.quant.Fp8ScaleOrder;
import dev.deepwell.gpu.quant.GpuQuantizedTensor;
import dev.deepwell.quant.Fp8BlockShape;
import dev.deepwell.quant.QuantFormat;
import dev.deepwell.quant.QuantOptions;
import dev.deepwell.quant.ScaleLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The device memory of one GEMM call, as deepwell/gemm.h lays it out: A [M,K] and B [N,K] (rows
 * of K values, {@code ceil(K/2)} bytes per row for NVFP4), D [M,N], the scales of the input
 * format, the optional bias [N] and residual [M,N] (output type; the residual may be D itself).
 * Which fields a problem needs and what sizes, shapes and alignments they must have is checked by
 * {@link GpuGemm} before anything is launched. Immutable; built with {@link #builder()}.
 *
 * <p>Quantized operands from {@code MicroscaleManager} go in whole with {@link Builder#quantizedA(GpuQuantizedTensor)}
 * and {@link Builder#quantizedB(GpuQuantizedTensor)}: codes, block scales and tensor scale land in the
 * right fields, and the format is checked against the problem. For FP8 block128, quantize A with
 * {@link Fp8ScaleOrder#MN_MAJOR} (the GEMM reads its scales M-contiguous) and B with
 * {@link Fp8BlockShape#WEIGHT_128X128}. For NVFP4-weight ({@code GemmInput.NVFP4_WEIGHT}) A is the
 * plain BF16 activation tensor ({@link Builder#a(DeviceView)}) and B the NVFP4 weights
 * ({@link Builder#quantizedB(GpuQuantizedTensor)}, without the Hadamard transform): no scaleA or
 * tensorScaleA.
 */
public final class GemmOperands {

  /** A field of the C ABI's dw_gemm_args, for messages and checks. */
  enum Field {
    A("a"), B("b"), D("d"), SCALE_A("scaleA"), SCALE_B("scaleB"), TENSOR_SCALE_A("tensorScaleA"),
    TENSOR_SCALE_B("tensorScaleB"), BIAS("bias"), RESIDUAL("residual");

    final String label;

    Field(String label) {
      this.label = label;
    }
  }

  private final DeviceView[] views;

  private GemmOperands(DeviceView[] views) {
    this.views = views;
  }

  public static Builder builder() {
    return new Builder();
  }

  DeviceView get(Field f) {
    return views[f.ordinal()];
  }

  public DeviceView a() {
    return get(Field.A);
  }

  public DeviceView b() {
    return get(Field.B);
  }

  public DeviceView d() {
    return get(Field.D);
  }

  /** The present fields in C ABI order. */
  List<Field> present() {
    List<Field> l = new ArrayList<>();
    for (Field f : Field.values()) {
      if (views[f.ordinal()] != null) {
        l.add(f);
      }
    }
    return l;
  }

  /** A builder preset to these operands (to swap one buffer, e.g. a rotating input). */
  public Builder toBuilder() {
    Builder b = new Builder();
    System.arraycopy(views, 0, b.views, 0, views.length);
    return b;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("GemmOperands{");
    for (Field f : present()) {
      sb.append(sb.length() > 13 ? ", " : "").append(f.label).append('=').append(get(f));
    }
    return sb.append('}').toString();
  }

  /** Mutable builder; a null view clears the field. */
  public static final class Builder {
    private final DeviceView[] views = new DeviceView[Field.values().length];

    private Builder() {}

    private Builder set(Field f, DeviceView v) {
      views[f.ordinal()] = v;
      return this;
    }

    public Builder a(DeviceView v) {
      return set(Field.A, v);
    }

    public Builder b(DeviceView v) {
      return set(Field.B, v);
    }

    public Builder d(DeviceView v) {
      return set(Field.D, v);
    }

    /** FP8 per tensor: its one FP32; block formats: the block scales (see gemm.h). */
    public Builder scaleA(DeviceView v) {
      return set(Field.SCALE_A, v);
    }

    public Builder scaleB(DeviceView v) {
      return set(Field.SCALE_B, v);
    }

    /** NVFP4 only: A's FP32 tensor scale. */
    public Builder tensorScaleA(DeviceView v) {
      return set(Field.TENSOR_SCALE_A, v);
    }

    public Builder tensorScaleB(DeviceView v) {
      return set(Field.TENSOR_SCALE_B, v);
    }

    public Builder bias(DeviceView v) {
      return set(Field.BIAS, v);
    }

    public Builder residual(DeviceView v) {
      return set(Field.RESIDUAL, v);
    }

    /** A from a quantized copy whose stored rows are M and stored columns K. */
    public Builder quantizedA(GpuQuantizedTensor q) {
      return quantized(q, Field.A, Field.SCALE_A, Field.TENSOR_SCALE_A);
    }

    /** B from a quantized copy whose stored rows are N and stored columns K. */
    public Builder quantizedB(GpuQuantizedTensor q) {
      return quantized(q, Field.B, Field.SCALE_B, Field.TENSOR_SCALE_B);
    }

    private Builder quantized(GpuQuantizedTensor q, Field data, Field scales, Field tensor) {
      Objects.requireNonNull(q, "quantized " + data.label);
      if (q.isClosed()) {
        throw new IllegalStateException(data.label + " is closed: " + q);
      }
      DeviceView.Memory dm = memory(q.data());
      DeviceView.Memory sm = q.scales().map(Builder::memory).orElse(null);
      DeviceView.Memory tm = q.tensorScale().map(Builder::memory).orElse(null);
      DeviceView[] parts = quantizedParts(data.label, q.format(), q.options(), q.fp8ScaleOrder(), q.storedRows(),
          q.storedCols(), q.scaleRows(), q.scaleCols(), dm, sm, tm);
      set(data, parts[0]);
      set(scales, parts[1]);
      set(tensor, parts[2]);
      return this;
    }

    private static DeviceView.Memory memory(DeviceBuffer b) {
      return DeviceView.of(b).memory();
    }

    public GemmOperands build() {
      return new GemmOperands(views.clone());
    }
  }

  /**
   * The (data, scales, tensorScale) views of a quantized operand, each with its shape: data
   * [storedRows, storedCols]; block scales [scaleRows, scaleCols] (FP8 block scales stored
   * MN_MAJOR: [scaleCols, scaleRows]); FP8 per tensor's one FP32 as the scale, NVFP4's as the
   * tensor scale. Rejects what no GEMM of gemm.h reads.
   */
  static DeviceView[] quantizedParts(String operand, QuantFormat f, QuantOptions o, Fp8ScaleOrder order,
      int storedRows, int storedCols, int scaleRows, int scaleCols, DeviceView.Memory data, DeviceView.Memory scales,
      DeviceView.Memory tensorScale) {
    Objects.requireNonNull(f, "format");
    Objects.requireNonNull(o, "options");
    Objects.requireNonNull(data, "data");
    if (f == QuantFormat.MXFP8_E5M2 || f == QuantFormat.MXFP4) {
      throw new IllegalArgumentException(operand + " is " + f.cliName() + ": the GEMMs of deepwell/gemm.h read MXFP8 "
          + "as E4M3 only (mxfp8-e4m3) and have no MXFP4 kernel");
    }
    if (o.scaleLayout() != ScaleLayout.ROW_MAJOR) {
      throw new IllegalArgumentException(operand + "'s scales are " + o.scaleLayout() + ": the GEMMs read row-major "
          + "block scales (quantize with ScaleLayout.ROW_MAJOR; the swizzled layout is for sm_100 GEMMs)");
    }
    QuantTag tag = new QuantTag(f, o);
    int bits = f.elementFormat().bits();
    DeviceView d = DeviceView.of(data, 0, bits, new long[] {storedRows, storedCols}, tag);
    if (f == QuantFormat.FP8_TENSOR) {
      return new DeviceView[] {d, floatScalar(operand, tensorScale, tag), null};
    }
    if (scales == null) {
      throw new IllegalArgumentException(operand + " (" + f.cliName() + ") has no block scales");
    }
    DeviceView s;
    if (f == QuantFormat.FP8_BLOCK) {
      long[] shape = order == Fp8ScaleOrder.MN_MAJOR ? new long[] {scaleCols, scaleRows} : new long[] {scaleRows,
          scaleCols};
      s = DeviceView.of(scales, 0, 32, shape, tag);
    } else {
      s = DeviceView.of(scales, 0, 8, new long[] {scaleRows, scaleCols}, tag);
    }
    DeviceView t = f.isNvfp4() ? floatScalar(operand, tensorScale, tag) : null;
    return new DeviceView[] {d, s, t};
  }

  private static DeviceView floatScalar(String operand, DeviceView.Memory m, QuantTag tag) {
    if (m == null) {
      throw new IllegalArgumentException(operand + " (" + tag.format().cliName() + ") has no tensor scale");
    }
    return DeviceView.of(m, 0, 32, new long[] {1}, tag);
  }
}
