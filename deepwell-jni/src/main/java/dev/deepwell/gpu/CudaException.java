package dev.deepwell.gpu;

/**
 * A failed CUDA runtime call or kernel launch. {@link #code()} is the CUDA error number
 * ({@code cudaError_t}, e.g. 2 for out of memory, 700 for an illegal address) or one of
 * Deepwell's own (10000 and above, see {@code deepwell.h}); {@link #errorName()} its symbolic
 * name; {@link #operation()} the call or kernel that failed.
 */
public class CudaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int code;
  private final String errorName;
  private final String operation;
  private final String detail;

  public CudaException(int code, String errorName, String description, String operation, String detail) {
    this(code, errorName, description, operation, detail, null);
  }

  CudaException(
      int code, String errorName, String description, String operation, String detail, Throwable cause) {
    super(compose(code, errorName, description, operation, detail), cause);
    this.code = code;
    this.errorName = errorName == null ? "" : errorName;
    this.operation = operation == null ? "" : operation;
    this.detail = detail == null ? "" : detail;
  }

  private static String compose(int code, String name, String description, String operation, String detail) {
    StringBuilder sb = new StringBuilder();
    sb.append(operation == null || operation.isEmpty() ? "CUDA call" : operation).append(" failed: ");
    sb.append(name).append(" (").append(code).append(')');
    if (description != null && !description.isEmpty()) sb.append(": ").append(description);
    if (detail != null && !detail.isEmpty()) sb.append(" [").append(detail).append(']');
    return sb.toString();
  }

  /** The CUDA error number, or a Deepwell status of 10000 and above. */
  public int code() {
    return code;
  }

  /** Symbolic name, e.g. {@code cudaErrorMemoryAllocation}. */
  public String errorName() {
    return errorName;
  }

  /** The runtime call or kernel that failed, e.g. {@code cudaMallocAsync}, {@code kernel dw_copy16}. */
  public String operation() {
    return operation;
  }

  /** Arguments and context of the failing call, as the native side recorded them. */
  public String detail() {
    return detail;
  }
}
