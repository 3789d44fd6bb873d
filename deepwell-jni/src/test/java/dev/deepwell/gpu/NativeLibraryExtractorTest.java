package dev.deepwell.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibraryExtractorTest {

  @TempDir Path cache;

  static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < n; i++) b[i] = (byte) r.nextInt(256);
    return b;
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @Test
  void extractsIntoAFolderNamedByVersionAndChecksumAndReusesIt() throws Exception {
    byte[] lib = randomBytes(300_000, 1);
    String sha = sha256(lib);
    AtomicInteger opens = new AtomicInteger();
    NativeLibraryExtractor.Source source = () -> {
      opens.incrementAndGet();
      return new ByteArrayInputStream(lib);
    };

    Path first = NativeLibraryExtractor.extract(source, "libdeepwell.so", "1.2.3", sha, cache);
    Path second = NativeLibraryExtractor.extract(source, "libdeepwell.so", "1.2.3", sha, cache);

    assertThat(first).isEqualTo(cache.resolve("native").resolve("1.2.3-" + sha.substring(0, 16)).resolve("libdeepwell.so"));
    assertThat(Files.readAllBytes(first)).isEqualTo(lib);
    assertThat(second).isEqualTo(first);
    assertThat(opens).as("a verified copy is reused without reading the jar again").hasValue(1);
    try (Stream<Path> files = Files.list(first.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("libdeepwell.so", ".lock");
    }
  }

  @Test
  void anotherVersionOrChecksumGetsItsOwnFolder() throws Exception {
    byte[] a = randomBytes(1000, 2);
    byte[] b = randomBytes(1000, 3);
    Path pa = NativeLibraryExtractor.extract(() -> new ByteArrayInputStream(a), "libdeepwell.so", "1.0", sha256(a), cache);
    Path pb = NativeLibraryExtractor.extract(() -> new ByteArrayInputStream(b), "libdeepwell.so", "1.0", sha256(b), cache);
    Path pc = NativeLibraryExtractor.extract(() -> new ByteArrayInputStream(a), "libdeepwell.so", "2.0", sha256(a), cache);
    assertThat(List.of(pa.getParent(), pb.getParent(), pc.getParent())).doesNotHaveDuplicates();
    assertThat(Files.readAllBytes(pa)).isEqualTo(a);
    assertThat(Files.readAllBytes(pb)).isEqualTo(b);
  }

  @Test
  void aDamagedCachedCopyIsReplaced() throws Exception {
    byte[] lib = randomBytes(50_000, 4);
    String sha = sha256(lib);
    Path p = NativeLibraryExtractor.extract(() -> new ByteArrayInputStream(lib), "libdeepwell.so", "1", sha, cache);
    Files.write(p, new byte[] {1, 2, 3}); // truncated, e.g. by a crash on a file system without atomic rename

    Path again = NativeLibraryExtractor.extract(() -> new ByteArrayInputStream(lib), "libdeepwell.so", "1", sha, cache);

    assertThat(again).isEqualTo(p);
    assertThat(Files.readAllBytes(again)).isEqualTo(lib);
  }

  @Test
  void aCorruptPackagedLibraryIsRefusedAndLeavesNothingBehind() throws Exception {
    byte[] lib = randomBytes(10_000, 5);
    String wrongSha = sha256(randomBytes(10, 6));
    assertThatThrownBy(
            () -> NativeLibraryExtractor.extract(() -> new ByteArrayInputStream(lib), "libdeepwell.so", "1", wrongSha, cache))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("corrupt")
        .hasMessageContaining(wrongSha);
    Path dir = cache.resolve("native").resolve("1-" + wrongSha.substring(0, 16));
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactly(".lock");
    }
  }

  @Test
  void rejectsBadArguments() {
    NativeLibraryExtractor.Source s = () -> new ByteArrayInputStream(new byte[1]);
    String sha = "a".repeat(64);
    assertThatThrownBy(() -> NativeLibraryExtractor.extract(s, "../x.so", "1", sha, cache))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("file name");
    assertThatThrownBy(() -> NativeLibraryExtractor.extract(s, "libdeepwell.so", "../1", sha, cache))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version");
    assertThatThrownBy(() -> NativeLibraryExtractor.extract(s, "libdeepwell.so", "1", "ABC", cache))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sha256");
    assertThatThrownBy(() -> NativeLibraryExtractor.extract(s, "libdeepwell.so", "1", "A".repeat(64), cache))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lower-case");
  }

  @Test
  void manyThreadsExtractingAtOnceGetOneCompleteFile() throws Exception {
    byte[] lib = randomBytes(2_000_000, 7);
    String sha = sha256(lib);
    AtomicInteger opens = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Path>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        Callable<Path> task = () -> NativeLibraryExtractor.extract(() -> {
          opens.incrementAndGet();
          return new ByteArrayInputStream(lib);
        }, "libdeepwell.so", "9", sha, cache);
        results.add(pool.submit(task));
      }
      Path first = results.get(0).get();
      for (Future<Path> f : results) assertThat(f.get()).isEqualTo(first);
      assertThat(Files.readAllBytes(first)).isEqualTo(lib);
      assertThat(opens).hasValue(1);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Child JVM entry: extracts a library made from a seed into the cache folder given. */
  public static void main(String[] args) throws Exception {
    byte[] lib = randomBytes(Integer.parseInt(args[2]), Long.parseLong(args[1]));
    Path p = NativeLibraryExtractor.extract(() -> new ByteArrayInputStream(lib), "libdeepwell.so", "7", sha256(lib), Path.of(args[0]));
    System.out.println(p);
  }

  @Test
  void severalJvmsExtractingAtOnceGetOneCompleteFile() throws Exception {
    int size = 8_000_000;
    List<Future<TestSupport.ChildResult>> children = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      for (int i = 0; i < 3; i++) {
        children.add(pool.submit(() -> TestSupport.runChildJvm(
            NativeLibraryExtractorTest.class, Map.of(), List.of(),
            List.of(cache.toString(), "11", Integer.toString(size)), 60)));
      }
      List<String> paths = new ArrayList<>();
      for (Future<TestSupport.ChildResult> c : children) {
        TestSupport.ChildResult r = c.get();
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        paths.add(r.stdout().trim());
      }
      assertThat(paths).hasSize(3).containsOnly(paths.get(0));
      assertThat(Files.readAllBytes(Path.of(paths.get(0)))).isEqualTo(randomBytes(size, 11));
    } finally {
      pool.shutdownNow();
    }
  }
}
