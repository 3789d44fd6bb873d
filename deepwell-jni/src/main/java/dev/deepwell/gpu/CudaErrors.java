package dev.deepwell.gpu;

/**
 * Turns a failed native status into the Java exception to throw (the JNI glue calls
 * {@link #create} and throws what it returns), and remembers a sticky error so that every
 * later GPU call fails fast instead of reaching a dead CUDA context.
 */
final class CudaErrors {

  /** cudaErrorMemoryAllocation. */
  static final int CUDA_OUT_OF_MEMORY = 2;

  private static volatile CudaContextLostException contextLost;

  private CudaErrors() {}

  /**
   * Called from native code. Never throws.
   *
   * @param code        CUDA error or Deepwell status
   * @param name        symbolic name of the code
   * @param description the runtime's one-line description of the code
   * @param operation   failing call or kernel
   * @param detail      arguments and context
   * @param sticky      whether the code leaves the context unusable
   * @param requested   for out-of-memory: the failed request in bytes
   * @param free        for out-of-memory: free bytes at that moment
   * @param total       for out-of-memory: device memory size
   */
  static RuntimeException create(
      int code, String name, String description, String operation, String detail, boolean sticky,
      long requested, long free, long total) {
    if (sticky) {
      CudaContextLostException e = new CudaContextLostException(code, name, description, operation, detail);
      markContextLost(e);
      return e;
    }
    if (code == CUDA_OUT_OF_MEMORY) {
      return new DeviceOutOfMemoryException(code, name, description, operation, detail, requested, free, total);
    }
    return new CudaException(code, name, description, operation, detail);
  }

  private static synchronized void markContextLost(CudaContextLostException e) {
    if (contextLost == null) contextLost = e;
  }

  /** Throws (a new exception whose cause is the first sticky error) once the context is lost. */
  static void ensureUsable() {
    CudaContextLostException first = contextLost;
    if (first != null) throw new CudaContextLostException(first);
  }

  /** Whether a sticky error has been seen in this process. */
  static boolean contextLost() {
    return contextLost != null;
  }
}
