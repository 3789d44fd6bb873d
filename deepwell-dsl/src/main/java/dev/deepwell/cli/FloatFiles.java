package dev.deepwell.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Raw little-endian FP32 files: what numpy's {@code x.astype('<f4').tofile(path)} writes. */
final class FloatFiles {

  private FloatFiles() {}

  /**
   * Reads exactly {@code rows * cols} floats from {@code path}.
   *
   * @throws CliException when the file's size is not {@code 4 * rows * cols} bytes
   */
  static float[] read(Path path, int rows, int cols) throws IOException {
    long expected = (long) rows * cols;
    if (expected > Integer.MAX_VALUE - 8) {
      throw new CliException("--rows " + rows + " x --cols " + cols + " = " + expected
          + " elements is more than one Java array holds");
    }
    long size = Files.size(path);
    if (size != expected * Float.BYTES) {
      String holds = size % Float.BYTES == 0
          ? "holds " + size / Float.BYTES + " floats (" + size + " bytes)"
          : "is " + size + " bytes, not a whole number of FP32 values";
      throw new CliException(path + " " + holds + " but --rows " + rows + " x --cols " + cols
          + " needs " + expected + " floats (" + expected * Float.BYTES + " bytes)");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      while (buf.hasRemaining()) {
        if (ch.read(buf) < 0) {
          throw new CliException(path + " ended after " + buf.position() + " of " + size
              + " bytes while reading");
        }
      }
    }
    buf.flip();
    float[] x = new float[(int) expected];
    buf.asFloatBuffer().get(x);
    return x;
  }

  /** Writes {@code x} as little-endian FP32, replacing the file. */
  static void write(Path path, float[] x) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(x.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(x);
    Files.write(path, buf.array());
  }
}
