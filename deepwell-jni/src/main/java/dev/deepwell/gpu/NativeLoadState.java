package dev.deepwell.gpu;

/** Outcome of loading the native library and checking the driver, from best to worst. */
public enum NativeLoadState {
  /** Library loaded, driver new enough, at least one device visible. */
  READY("ready", true),
  /** Library loaded and driver found, but no CUDA device is visible. */
  NO_GPU("no GPU", true),
  /** Library loaded, but libcuda.so.1 (the NVIDIA driver) could not be opened. */
  NO_DRIVER("no NVIDIA driver", true),
  /** Library loaded, but the driver supports an older CUDA than the library was built with. */
  DRIVER_TOO_OLD("driver too old", true),
  /** No library file: the jar was built without a CUDA toolchain, or the override points nowhere. */
  LIBRARY_MISSING("native library missing", false),
  /** The file exists but could not be extracted or loaded (wrong architecture, missing system library). */
  LOAD_FAILED("native library failed to load", false),
  /** Not Linux on x86-64: no native library is built for this platform. */
  UNSUPPORTED_PLATFORM("unsupported platform", false);

  private final String description;
  private final boolean loaded;

  NativeLoadState(String description, boolean loaded) {
    this.description = description;
    this.loaded = loaded;
  }

  public String description() {
    return description;
  }

  /** Whether the library itself is in the process (its non-GPU functions can be called). */
  public boolean libraryLoaded() {
    return loaded;
  }
}
