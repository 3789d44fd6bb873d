package dev.deepwell.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader's decisions that need no GPU and no real library. */
class NativeLoaderTest {

  @TempDir Path tmp;

  /**
   * One of the JVM's own libraries with its ELF machine type changed to AArch64: a complete,
   * well-formed file (so neither the JVM's stack check nor the dynamic loader trips over it)
   * that the loader refuses before mapping anything.
   */
  static byte[] foreignElf() throws Exception {
    byte[] lib = Files.readAllBytes(Path.of(System.getProperty("java.home"), "lib", "libjava.so"));
    assertThat(lib[0]).isEqualTo((byte) 0x7f);
    lib[18] = (byte) 0xB7; // e_machine = EM_AARCH64 (little-endian)
    lib[19] = 0;
    return lib;
  }

  private NativeLoader.Config config(String override, ClassLoader resources, String resourceDir) {
    return new NativeLoader.Config("Linux", "amd64", override, tmp.resolve("cache"), resources, resourceDir);
  }

  @Test
  void otherPlatformsAreReportedNotLoaded() {
    NativeLoader.Config c = new NativeLoader.Config(
        "Mac OS X", "aarch64", null, tmp, getClass().getClassLoader(), NativeLoader.RESOURCE_DIR);
    NativeLoadResult r = NativeLoader.load(c);
    assertThat(r.state()).isEqualTo(NativeLoadState.UNSUPPORTED_PLATFORM);
    assertThat(r.reason()).contains("Linux x86-64").contains("Mac OS X aarch64");
    assertThat(NativeLoader.supportedPlatform("Linux", "x86_64")).isTrue();
    assertThat(NativeLoader.supportedPlatform("Linux", "aarch64")).isFalse();
  }

  @Test
  void anOverrideThatPointsNowhereIsLibraryMissing() {
    Path missing = tmp.resolve("nope/libdeepwell.so");
    NativeLoadResult r = NativeLoader.load(config(missing.toString(), getClass().getClassLoader(), NativeLoader.RESOURCE_DIR));
    assertThat(r.state()).isEqualTo(NativeLoadState.LIBRARY_MISSING);
    assertThat(r.reason()).contains(missing.toString()).contains("deepwell.native.library");
    assertThat(r.state().libraryLoaded()).isFalse();
  }

  @Test
  void aJarWithoutTheLibraryIsLibraryMissingWithTheWayOut() {
    NativeLoadResult r = NativeLoader.load(config(null, getClass().getClassLoader(), "no/such/folder/"));
    assertThat(r.state()).isEqualTo(NativeLoadState.LIBRARY_MISSING);
    assertThat(r.reason()).contains("without a CUDA toolchain").contains("install-toolchain.sh");
    assertThat(r.library()).isNull();
  }

  @Test
  void aLibraryWithoutItsPropertiesIsAnIncompleteJar() throws Exception {
    Path root = tmp.resolve("jar");
    Files.createDirectories(root.resolve("lib"));
    Files.write(root.resolve("lib/libdeepwell.so"), new byte[] {0x7f, 'E', 'L', 'F'});
    try (URLClassLoader cl = new URLClassLoader(new URL[] {root.toUri().toURL()}, null)) {
      NativeLoadResult r = NativeLoader.load(config(null, cl, "lib/"));
      assertThat(r.state()).isEqualTo(NativeLoadState.LOAD_FAILED);
      assertThat(r.reason()).contains("libdeepwell.properties");
    }
  }

  @Test
  void aFileThatIsNotALibraryIsLoadFailedNotAnUnsatisfiedLinkError() throws Exception {
    Path garbage = tmp.resolve("libdeepwell.so");
    Files.write(garbage, foreignElf());
    NativeLoadResult r = NativeLoader.load(config(garbage.toString(), getClass().getClassLoader(), NativeLoader.RESOURCE_DIR));
    assertThat(r.state()).isEqualTo(NativeLoadState.LOAD_FAILED);
    assertThat(r.reason()).startsWith("System.load(" + garbage);
    assertThat(r.library()).isEqualTo(garbage);
  }

  @Test
  void aPackagedLibraryIsExtractedAndVerifiedBeforeLoading() throws Exception {
    Path root = tmp.resolve("jar2");
    Files.createDirectories(root.resolve("lib"));
    byte[] bytes = foreignElf();
    Files.write(root.resolve("lib/libdeepwell.so"), bytes);
    Files.writeString(root.resolve("lib/libdeepwell.properties"),
        "version=3.1\nsha256=" + NativeLibraryExtractorTest.sha256(bytes) + "\n");
    try (URLClassLoader cl = new URLClassLoader(new URL[] {root.toUri().toURL()}, null)) {
      NativeLoader.Located located = NativeLoader.locate(config(null, cl, "lib/"));
      assertThat(located.ok()).isTrue();
      assertThat(located.path().getParent().getFileName().toString()).startsWith("3.1-");
      assertThat(Files.readAllBytes(located.path())).isEqualTo(bytes);
      // ...and loading it then fails as a load failure, with the extracted path.
      NativeLoadResult r = NativeLoader.load(config(null, cl, "lib/"));
      assertThat(r.state()).isEqualTo(NativeLoadState.LOAD_FAILED);
      assertThat(r.library()).isEqualTo(located.path());
    }
  }

  @Test
  void aPropertiesFileWithABadChecksumIsReported() throws Exception {
    Path root = tmp.resolve("jar3");
    Files.createDirectories(root.resolve("lib"));
    Files.write(root.resolve("lib/libdeepwell.so"), new byte[] {1});
    Files.writeString(root.resolve("lib/libdeepwell.properties"), "version=1\nsha256=xyz\n");
    try (URLClassLoader cl = new URLClassLoader(new URL[] {root.toUri().toURL()}, null)) {
      NativeLoadResult r = NativeLoader.load(config(null, cl, "lib/"));
      assertThat(r.state()).isEqualTo(NativeLoadState.LOAD_FAILED);
      assertThat(r.reason()).contains("invalid").contains("sha256");
    }
  }

  @Test
  void configurationComesFromPropertiesBeforeEnvironment() {
    Properties sys = new Properties();
    sys.setProperty("os.name", "Linux");
    sys.setProperty("os.arch", "amd64");
    sys.setProperty("user.home", "/home/u");
    Map<String, String> env = Map.of("DEEPWELL_NATIVE_LIBRARY", "/env/lib.so", "DEEPWELL_NATIVE_CACHE", "/env/cache");

    NativeLoader.Config fromEnv = NativeLoader.Config.fromEnvironment(sys, env);
    assertThat(fromEnv.overrideLibrary()).isEqualTo("/env/lib.so");
    assertThat(fromEnv.cacheRoot()).isEqualTo(Path.of("/env/cache"));

    sys.setProperty("deepwell.native.library", "/prop/lib.so");
    sys.setProperty("deepwell.native.cache", "/prop/cache");
    NativeLoader.Config fromProps = NativeLoader.Config.fromEnvironment(sys, env);
    assertThat(fromProps.overrideLibrary()).isEqualTo("/prop/lib.so");
    assertThat(fromProps.cacheRoot()).isEqualTo(Path.of("/prop/cache"));

    Properties bare = new Properties();
    bare.setProperty("user.home", "/home/u");
    assertThat(NativeLoader.defaultCacheRoot(bare, Map.of())).isEqualTo(Path.of("/home/u/.cache/deepwell"));
    assertThat(NativeLoader.defaultCacheRoot(bare, Map.of("XDG_CACHE_HOME", "/xdg"))).isEqualTo(Path.of("/xdg/deepwell"));
    assertThat(NativeLoader.Config.fromEnvironment(bare, Map.of("DEEPWELL_NATIVE_LIBRARY", "  ")).overrideLibrary()).isNull();
  }
}
