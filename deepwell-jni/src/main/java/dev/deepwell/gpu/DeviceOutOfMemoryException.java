package dev.deepwell.gpu;

/**
 * A device allocation failed for lack of memory, after the memory pool had returned its unused
 * memory to the driver. Carries the request and what was free at that moment.
 */
public final class DeviceOutOfMemoryException extends CudaException {
  private static final long serialVersionUID = 1L;

  private final long requestedBytes;
  private final long freeBytes;
  private final long totalBytes;

  public DeviceOutOfMemoryException(
      int code, String errorName, String description, String operation, String detail,
      long requestedBytes, long freeBytes, long totalBytes) {
    super(code, errorName, description, operation, detail);
    this.requestedBytes = requestedBytes;
    this.freeBytes = freeBytes;
    this.totalBytes = totalBytes;
  }

  public long requestedBytes() {
    return requestedBytes;
  }

  /** Free device memory when the allocation failed (0 where unknown, e.g. pinned host memory). */
  public long freeBytes() {
    return freeBytes;
  }

  /** Device memory size (0 where unknown). */
  public long totalBytes() {
    return totalBytes;
  }
}
