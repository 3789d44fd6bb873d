package dev.deepwell.gpu;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Deepwell native library of this JVM: loaded once, on first use, from the file named by
 * {@code -Ddeepwell.native.library} / {@code DEEPWELL_NATIVE_LIBRARY} or else from this jar
 * (extracted to {@code ~/.cache/deepwell/native/}, see {@code deepwell.native.cache}).
 *
 * <p>Nothing here throws {@link UnsatisfiedLinkError}: {@link #status()} says what was found,
 * and GPU operations throw {@link GpuUnavailableException} with that reason.
 */
public final class NativeLibrary {

  private static final Logger LOG = LoggerFactory.getLogger(NativeLibrary.class);

  private NativeLibrary() {}

  private static final class Holder {
    static final NativeLoadResult RESULT = loadOnce();
  }

  private static NativeLoadResult loadOnce() {
    NativeLoadResult result;
    try {
      result = NativeLoader.load(NativeLoader.Config.fromEnvironment());
    } catch (RuntimeException | LinkageError e) {
      result = NativeLoadResult.failed(NativeLoadState.LOAD_FAILED, "unexpected: " + e, null);
    }
    if (result.isReady()) {
      LOG.debug("Deepwell native library {}: {}", result.library(), result.reason());
    } else {
      LOG.debug("Deepwell native library not usable: {}", result.summary());
    }
    return result;
  }

  /** The outcome of loading (loads on the first call). */
  public static NativeLoadResult status() {
    return Holder.RESULT;
  }

  /** Library loaded, driver fine, at least one device. */
  public static boolean isReady() {
    return status().isReady();
  }

  /**
   * Throws unless GPU calls can be made: {@link GpuUnavailableException} when the library or
   * driver is not usable, {@link CudaContextLostException} after a sticky CUDA error.
   */
  public static void requireReady() {
    NativeLoadResult r = Holder.RESULT;
    if (r.state() != NativeLoadState.READY) throw new GpuUnavailableException(r.state(), r.reason());
    CudaErrors.ensureUsable();
  }

  /** Throws unless the library is in the process (a driver or GPU is not needed). */
  static void requireLoaded() {
    NativeLoadResult r = Holder.RESULT;
    if (!r.state().libraryLoaded()) throw new GpuUnavailableException(r.state(), r.reason());
  }

  /** Whether DEEPWELL_SYNC=1 is in effect (every kernel launch synchronises). */
  public static boolean syncMode() {
    requireLoaded();
    return Natives.syncMode();
  }

  /** cuBLASLt and NCCL, which the library opens at run time: found or why not. */
  public static List<OptionalLibrary> optionalLibraries() {
    requireLoaded();
    return List.of(OptionalLibrary.query(OptionalLibrary.CUBLASLT), OptionalLibrary.query(OptionalLibrary.NCCL));
  }
}
