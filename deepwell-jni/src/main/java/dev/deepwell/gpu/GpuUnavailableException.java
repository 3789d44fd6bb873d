package dev.deepwell.gpu;

import java.util.Objects;

/** A GPU operation was asked for, but the native library is not usable here; says why. */
public final class GpuUnavailableException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final NativeLoadState state;

  public GpuUnavailableException(NativeLoadState state, String reason) {
    super("GPU unavailable (" + Objects.requireNonNull(state, "state").description() + "): " + reason);
    this.state = state;
  }

  public NativeLoadState state() {
    return state;
  }
}
