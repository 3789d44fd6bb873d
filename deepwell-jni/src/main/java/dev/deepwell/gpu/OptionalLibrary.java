package dev.deepwell.gpu;

import java.util.Objects;

/**
 * A library the native code opens at run time instead of linking (so that it loads without it).
 *
 * @param name      "cuBLASLt" or "NCCL"
 * @param file      the file name that was opened or tried, e.g. {@code libcublasLt.so.13}
 * @param available whether it opened
 * @param version   the library's own version number (0 if unknown)
 * @param detail    when missing: the loader's message
 */
public record OptionalLibrary(String name, String file, boolean available, int version, String detail) {

  static final int CUBLASLT = 1;
  static final int NCCL = 2;

  public OptionalLibrary {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(detail, "detail");
  }

  static OptionalLibrary query(int which) {
    int[] out = new int[2];
    String[] fileAndDetail = Natives.optionalLibrary(which, out);
    return new OptionalLibrary(
        which == CUBLASLT ? "cuBLASLt" : "NCCL", fileAndDetail[0], out[0] != 0, out[1], fileAndDetail[1]);
  }

  @Override
  public String toString() {
    return name + (available ? " " + version + " (" + file + ")" : " missing: " + detail);
  }
}
