package dev.deepwell.gpu;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** Shared by the tests: GPU/library assumptions (printed when they skip) and child JVMs. */
final class TestSupport {

  private static final AtomicBoolean GPU_SKIP_PRINTED = new AtomicBoolean();
  private static final AtomicBoolean LIB_SKIP_PRINTED = new AtomicBoolean();

  private TestSupport() {}

  /** Skips (visibly: the reason is printed once) unless a GPU is usable. */
  static void assumeGpu() {
    NativeLoadResult status = NativeLibrary.status();
    if (!status.isReady() && GPU_SKIP_PRINTED.compareAndSet(false, true)) {
      System.out.println("[deepwell] GPU tests skipped: " + status.summary());
    }
    assumeTrue(status.isReady(), () -> "no usable GPU: " + status.summary());
  }

  /** Skips (visibly) unless the native library itself is loaded (a GPU is not needed). */
  static void assumeLibraryLoaded() {
    NativeLoadResult status = NativeLibrary.status();
    boolean loaded = status.state().libraryLoaded();
    if (!loaded && LIB_SKIP_PRINTED.compareAndSet(false, true)) {
      System.out.println("[deepwell] native-library tests skipped: " + status.summary());
    }
    assumeTrue(loaded, () -> "native library not loaded: " + status.summary());
  }

  /** A Release that frees nothing and counts how it was run. */
  static final class RecordingRelease extends NativeResource.Release {
    final List<String> log;
    final String name;

    RecordingRelease(String name, List<String> log) {
      super(name);
      this.name = name;
      this.log = log;
    }

    @Override
    void free() {
      synchronized (log) {
        log.add(name);
      }
    }
  }

  /** Output and exit code of a child JVM. */
  record ChildResult(int exitCode, String stdout, String stderr) {}

  /**
   * Runs {@code mainClass} in a new JVM with this JVM's class path, the given system properties
   * and extra environment. The child may crash or lose its CUDA context; this JVM does not.
   */
  static ChildResult runChildJvm(
      Class<?> mainClass, Map<String, String> env, List<String> sysProps, List<String> args, long timeoutSeconds)
      throws IOException, InterruptedException {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classPath = System.getProperty("deepwell.test.classpath", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBin);
    cmd.add("-cp");
    cmd.add(classPath);
    for (String key : new String[] {"deepwell.native.cache", "deepwell.native.library"}) {
      String v = System.getProperty(key);
      if (v != null) cmd.add("-D" + key + "=" + v);
    }
    cmd.addAll(sysProps);
    cmd.add(mainClass.getName());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    Path out = java.nio.file.Files.createTempFile("child", ".out");
    Path err = java.nio.file.Files.createTempFile("child", ".err");
    try {
      pb.redirectOutput(out.toFile());
      pb.redirectError(err.toFile());
      Process p = pb.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("child JVM " + mainClass.getSimpleName() + " timed out after " + timeoutSeconds + " s");
      }
      return new ChildResult(
          p.exitValue(),
          java.nio.file.Files.readString(out, StandardCharsets.UTF_8),
          java.nio.file.Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      java.nio.file.Files.deleteIfExists(out);
      java.nio.file.Files.deleteIfExists(err);
    }
  }
}
