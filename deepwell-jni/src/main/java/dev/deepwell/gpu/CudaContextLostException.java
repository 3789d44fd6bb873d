package dev.deepwell.gpu;

/**
 * A sticky CUDA error (illegal address, illegal instruction, launch failure, uncorrectable ECC,
 * ...): the CUDA context of this process can no longer be used. Every later GPU call of the
 * process fails fast with this exception, naming the first failure as its cause; only a new
 * process can use the GPU again.
 */
public final class CudaContextLostException extends CudaException {
  private static final long serialVersionUID = 1L;

  public CudaContextLostException(int code, String errorName, String description, String operation, String detail) {
    super(code, errorName, description, operation, detail);
  }

  CudaContextLostException(CudaContextLostException first) {
    super(
        first.code(),
        first.errorName(),
        "the CUDA context is unusable since an earlier sticky error; restart the process",
        first.operation(),
        first.detail(),
        first);
  }
}
