package dev.deepwell.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Finds the native library (an explicit file, or the copy packaged in this jar), extracts it,
 * loads it, and checks the driver: each failure becomes a {@link NativeLoadResult} with the
 * reason, never an {@link UnsatisfiedLinkError} at the caller. {@link NativeLibrary} runs this
 * once per JVM; tests run the steps with their own {@link Config}.
 */
final class NativeLoader {

  static final String RESOURCE_DIR = "native/linux-x86_64/";
  static final String LIBRARY_FILE = "libdeepwell.so";
  static final String PROPERTIES_FILE = "libdeepwell.properties";

  /** A library file to load instead of the packaged one (development). */
  static final String LIBRARY_PROPERTY = "deepwell.native.library";
  static final String LIBRARY_ENV = "DEEPWELL_NATIVE_LIBRARY";
  /** Where extracted libraries are kept; default {@code ~/.cache/deepwell}. */
  static final String CACHE_PROPERTY = "deepwell.native.cache";
  static final String CACHE_ENV = "DEEPWELL_NATIVE_CACHE";

  /** The C ABI version this Java code was written against (DW_ABI_VERSION in deepwell.h). */
  static final int ABI_VERSION = 1;

  // Status codes of deepwell.h that the driver check returns.
  static final int DW_ERROR_NO_DRIVER = 10002;
  static final int DW_ERROR_DRIVER_TOO_OLD = 10003;
  static final int DW_ERROR_NO_DEVICE = 10004;

  /**
   * Inputs of a load.
   *
   * @param osName          os.name
   * @param osArch          os.arch
   * @param overrideLibrary file to load instead of the packaged library (null: none)
   * @param cacheRoot       extraction folder
   * @param resources       where to look for {@code resourceDir + libdeepwell.so}
   * @param resourceDir     resource folder, normally {@link #RESOURCE_DIR}
   */
  record Config(
      String osName, String osArch, String overrideLibrary, Path cacheRoot, ClassLoader resources,
      String resourceDir) {
    Config {
      Objects.requireNonNull(osName, "osName");
      Objects.requireNonNull(osArch, "osArch");
      Objects.requireNonNull(cacheRoot, "cacheRoot");
      Objects.requireNonNull(resources, "resources");
      Objects.requireNonNull(resourceDir, "resourceDir");
    }

    static Config fromEnvironment() {
      return fromEnvironment(System.getProperties(), System.getenv());
    }

    static Config fromEnvironment(Properties sys, Map<String, String> env) {
      String override = firstNonBlank(sys.getProperty(LIBRARY_PROPERTY), env.get(LIBRARY_ENV));
      return new Config(
          sys.getProperty("os.name", ""),
          sys.getProperty("os.arch", ""),
          override,
          defaultCacheRoot(sys, env),
          NativeLoader.class.getClassLoader(),
          RESOURCE_DIR);
    }
  }

  /** A located library file, or why there is none. */
  record Located(Path path, NativeLoadState failure, String reason) {
    static Located found(Path path) {
      return new Located(path, null, "");
    }

    static Located failed(NativeLoadState state, String reason, Path path) {
      return new Located(path, state, reason);
    }

    boolean ok() {
      return failure == null;
    }
  }

  private NativeLoader() {}

  static boolean supportedPlatform(String osName, String osArch) {
    String os = osName.toLowerCase(Locale.ROOT);
    String arch = osArch.toLowerCase(Locale.ROOT);
    return os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
  }

  /** Finds (and if needed extracts) the library file; loads nothing. */
  static Located locate(Config config) {
    if (!supportedPlatform(config.osName(), config.osArch())) {
      return Located.failed(
          NativeLoadState.UNSUPPORTED_PLATFORM,
          "the native library is built for Linux x86-64 only; this is " + config.osName() + " " + config.osArch(),
          null);
    }
    if (config.overrideLibrary() != null) {
      Path p = Path.of(config.overrideLibrary()).toAbsolutePath();
      if (!Files.isRegularFile(p)) {
        return Located.failed(
            NativeLoadState.LIBRARY_MISSING,
            LIBRARY_PROPERTY + " / " + LIBRARY_ENV + " points to " + p + ", which is not a file",
            p);
      }
      return Located.found(p);
    }
    String libResource = config.resourceDir() + LIBRARY_FILE;
    URL lib = config.resources().getResource(libResource);
    if (lib == null) {
      return Located.failed(
          NativeLoadState.LIBRARY_MISSING,
          "this deepwell-jni was built without a CUDA toolchain and carries no " + libResource
              + " (run scripts/install-toolchain.sh and rebuild, or set -D" + LIBRARY_PROPERTY + "=FILE)",
          null);
    }
    URL propsUrl = config.resources().getResource(config.resourceDir() + PROPERTIES_FILE);
    if (propsUrl == null) {
      return Located.failed(
          NativeLoadState.LOAD_FAILED,
          libResource + " is packaged without its " + PROPERTIES_FILE + " (version, SHA-256): incomplete jar",
          null);
    }
    Properties props = new Properties();
    try (InputStream in = propsUrl.openStream()) {
      props.load(in);
    } catch (IOException e) {
      return Located.failed(NativeLoadState.LOAD_FAILED, "cannot read " + propsUrl + ": " + e.getMessage(), null);
    }
    String version = props.getProperty("version", "");
    String sha256 = props.getProperty("sha256", "");
    IOException firstFailure = null;
    for (Path root : new Path[] {config.cacheRoot(), fallbackCacheRoot()}) {
      try {
        return Located.found(NativeLibraryExtractor.extract(lib::openStream, LIBRARY_FILE, version, sha256, root));
      } catch (IOException e) {
        if (firstFailure == null) firstFailure = e;
      } catch (IllegalArgumentException e) {
        return Located.failed(NativeLoadState.LOAD_FAILED, PROPERTIES_FILE + " is invalid: " + e.getMessage(), null);
      }
    }
    return Located.failed(
        NativeLoadState.LOAD_FAILED,
        "cannot extract " + LIBRARY_FILE + " under " + config.cacheRoot() + " (set " + CACHE_PROPERTY + "): "
            + firstFailure,
        null);
  }

  /** Locates, loads with {@link System#load}, and checks the driver. */
  static NativeLoadResult load(Config config) {
    Located located = locate(config);
    if (!located.ok()) return NativeLoadResult.failed(located.failure(), located.reason(), located.path());
    Path path = located.path();
    try {
      System.load(path.toString());
    } catch (UnsatisfiedLinkError | SecurityException e) {
      return NativeLoadResult.failed(
          NativeLoadState.LOAD_FAILED, "System.load(" + path + ") failed: " + e.getMessage(), path);
    }
    int abi;
    try {
      abi = Natives.abiVersion();
    } catch (UnsatisfiedLinkError e) {
      return NativeLoadResult.failed(
          NativeLoadState.LOAD_FAILED, path + " is not a Deepwell JNI library: " + e.getMessage(), path);
    }
    if (abi != ABI_VERSION) {
      return NativeLoadResult.failed(
          NativeLoadState.LOAD_FAILED,
          path + " has C ABI version " + abi + ", this deepwell-jni expects " + ABI_VERSION + ": mixed builds",
          path);
    }
    return checkDriver(path, null);
  }

  /**
   * Asks the loaded library whether a driver and a device are usable. {@code libcudaName} null
   * means the real driver, {@code libcuda.so.1}; tests pass a name that does not exist.
   */
  static NativeLoadResult checkDriver(Path library, String libcudaName) {
    int[] out = new int[4];
    String detail = Natives.driverCheck(libcudaName, out);
    int status = out[0];
    NativeLoadState state;
    if (status == 0) {
      state = out[3] > 0 ? NativeLoadState.READY : NativeLoadState.NO_GPU;
    } else if (status == DW_ERROR_NO_DRIVER) {
      state = NativeLoadState.NO_DRIVER;
    } else if (status == DW_ERROR_DRIVER_TOO_OLD) {
      state = NativeLoadState.DRIVER_TOO_OLD;
    } else {
      // No device, or the driver refused to initialise (the detail names the CUDA error).
      state = NativeLoadState.NO_GPU;
    }
    return new NativeLoadResult(state, detail, library, out[1], out[2], state == NativeLoadState.READY ? out[3] : 0);
  }

  static Path defaultCacheRoot(Properties sys, Map<String, String> env) {
    String explicit = firstNonBlank(sys.getProperty(CACHE_PROPERTY), env.get(CACHE_ENV));
    if (explicit != null) return Path.of(explicit);
    String xdg = env.get("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "deepwell");
    return Path.of(sys.getProperty("user.home", "."), ".cache", "deepwell");
  }

  private static Path fallbackCacheRoot() {
    return Path.of(System.getProperty("java.io.tmpdir"), "deepwell-" + System.getProperty("user.name", "user"));
  }

  private static String firstNonBlank(String a, String b) {
    if (a != null && !a.isBlank()) return a;
    if (b != null && !b.isBlank()) return b;
    return null;
  }
}
