package dev.deepwell.gpu;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What loading the native library found.
 *
 * @param state          outcome
 * @param reason         one line: why not ready, or what was loaded
 * @param library        the file that was loaded or tried (null when none was found)
 * @param driverVersion  CUDA version of the driver, e.g. 13000 (0 when unknown)
 * @param runtimeVersion CUDA runtime the library was built with, e.g. 13000 (0 when not loaded)
 * @param deviceCount    visible CUDA devices (0 unless READY)
 */
public record NativeLoadResult(
    NativeLoadState state, String reason, Path library, int driverVersion, int runtimeVersion, int deviceCount) {

  public NativeLoadResult {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(reason, "reason");
    if (deviceCount < 0) throw new IllegalArgumentException("deviceCount must be >= 0, got " + deviceCount);
  }

  static NativeLoadResult failed(NativeLoadState state, String reason, Path library) {
    return new NativeLoadResult(state, reason, library, 0, 0, 0);
  }

  public boolean isReady() {
    return state == NativeLoadState.READY;
  }

  public Optional<Path> libraryPath() {
    return Optional.ofNullable(library);
  }

  /** "ready: ..." or "no NVIDIA driver: libcuda.so.1 could not be opened: ...". */
  public String summary() {
    return state.description() + ": " + reason;
  }
}
