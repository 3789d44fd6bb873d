package dev.deepwell.gpu.gemm;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The memory of one grouped GEMM call, as deepwell/gemm_grouped.h lays it out: packed A
 * {@code [sum M_g, K]}, B {@code [G, N, K]}, D {@code [sum M_g, N]} (buffers for
 * {@code maxTotalM} rows), the FP8 block128 scales (A's per group: group g's
 * {@code [ceil(K/128), M_g]} block, M-contiguous, after the blocks of the earlier groups; B's
 * {@code [G, ceil(N/128), ceil(K/128)]}), the optional bias {@code [G, N]} of the output type,
 * and the group sizes: either int32 {@code [G]} in device memory (what a routing kernel writes;
 * nothing is read back to the host) or a host {@code int[G]}. With device sizes an optional
 * int32 flag receives 1 when the device had to clamp them (a negative size, or more rows than
 * {@code maxTotalM}). {@link GpuGroupedGemm} checks everything before launching. Immutable; built
 * with {@link #builder()}.
 */
public final class GroupedGemmOperands {

  /** A field of the C ABI's dw_gemm_grouped_args, for messages and checks. */
  enum Field {
    A("a"), B("b"), D("d"), SCALE_A("scaleA"), SCALE_B("scaleB"), BIAS("bias"), GROUP_SIZES("groupSizes"),
    SIZES_CLAMPED("sizesClamped");

    final String label;

    Field(String label) {
      this.label = label;
    }
  }

  private final DeviceView[] views;
  private final int[] hostSizes;

  private GroupedGemmOperands(DeviceView[] views, int[] hostSizes) {
    this.views = views;
    this.hostSizes = hostSizes;
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

  /** The device group sizes, if given that way. */
  public Optional<DeviceView> deviceGroupSizes() {
    return Optional.ofNullable(get(Field.GROUP_SIZES));
  }

  /** A copy of the host group sizes, if given that way. */
  public Optional<int[]> hostGroupSizes() {
    return hostSizes == null ? Optional.empty() : Optional.of(hostSizes.clone());
  }

  /** The host sizes without a copy (null when absent), for the validator and the launch. */
  int[] hostSizesUnsafe() {
    return hostSizes;
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    System.arraycopy(views, 0, b.views, 0, views.length);
    b.hostSizes = hostSizes;
    return b;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("GroupedGemmOperands{");
    String sep = "";
    for (Field f : Field.values()) {
      if (views[f.ordinal()] != null) {
        sb.append(sep).append(f.label).append('=').append(views[f.ordinal()]);
        sep = ", ";
      }
    }
    if (hostSizes != null) {
      sb.append(sep).append("hostGroupSizes=").append(hostSizes.length <= 16 ? Arrays.toString(hostSizes)
          : "[" + hostSizes.length + " groups]");
    }
    return sb.append('}').toString();
  }

  /** Mutable builder; a null view clears the field. Group sizes: the last of the two setters wins. */
  public static final class Builder {
    private final DeviceView[] views = new DeviceView[Field.values().length];
    private int[] hostSizes;

    private Builder() {}

    private Builder set(Field f, DeviceView v) {
      views[f.ordinal()] = v;
      return this;
    }

    /** Packed A [maxTotalM, K] (its first sum M_g rows are read). */
    public Builder a(DeviceView v) {
      return set(Field.A, v);
    }

    /** B [G, N, K]: expert g's weight [N, K] at g N K elements. */
    public Builder b(DeviceView v) {
      return set(Field.B, v);
    }

    /** D [maxTotalM, N] of the output type (its first sum M_g rows are written). */
    public Builder d(DeviceView v) {
      return set(Field.D, v);
    }

    /** FP8 block128: A's per-group scale blocks (FP32). */
    public Builder scaleA(DeviceView v) {
      return set(Field.SCALE_A, v);
    }

    /** FP8 block128: B's [G, ceil(N/128), ceil(K/128)] scales (FP32). */
    public Builder scaleB(DeviceView v) {
      return set(Field.SCALE_B, v);
    }

    /** Bias [G, N] of the output type. */
    public Builder bias(DeviceView v) {
      return set(Field.BIAS, v);
    }

    /** Group sizes as int32 [G] in device memory; clears host sizes. */
    public Builder groupSizes(DeviceView deviceSizes) {
      Objects.requireNonNull(deviceSizes, "deviceSizes");
      hostSizes = null;
      return set(Field.GROUP_SIZES, deviceSizes);
    }

    /** Group sizes on the host (copied); clears device sizes. */
    public Builder groupSizes(int[] hostSizes) {
      Objects.requireNonNull(hostSizes, "hostSizes");
      this.hostSizes = hostSizes.clone();
      return set(Field.GROUP_SIZES, null);
    }

    /** Optional int32 the run sets to 1 when it clamped device group sizes, else to 0. */
    public Builder sizesClamped(DeviceView flag) {
      return set(Field.SIZES_CLAMPED, flag);
    }

    public GroupedGemmOperands build() {
      return new GroupedGemmOperands(views.clone(), hostSizes);
    }
  }
}
