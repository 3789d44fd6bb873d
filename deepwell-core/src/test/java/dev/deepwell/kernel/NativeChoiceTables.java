package dev.deepwell.kernel;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the tables of native planner choices live (deepwell-cuda/tests/gemm/), which the native build
 * checks gemm_sm90_select.cpp against and the Java planner's tests read: next to this module when
 * Maven runs it from deepwell-core, or below the working directory when run from the root.
 */
final class NativeChoiceTables {

  private NativeChoiceTables() {}

  static Path path(String file) {
    Path cuda = Files.isDirectory(Path.of("..", "deepwell-cuda")) ? Path.of("..", "deepwell-cuda")
        : Path.of("deepwell-cuda");
    return cuda.resolve("tests/gemm").resolve(file);
  }
}
