package dev.deepwell.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Copies the native library out of the jar into a cache folder named after its version and
 * checksum, so that a loaded file is never overwritten and two versions never share a file.
 *
 * <p>Safe when several JVMs start at once: the writer holds a file lock in the target folder,
 * writes a temporary file, checks its SHA-256 and renames it into place atomically; a reader
 * that finds the final name finds a complete file. A file that fails its checksum (a crash
 * mid-copy on a file system without atomic rename, a tampered cache) is replaced.
 */
final class NativeLibraryExtractor {

  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern SAFE_VERSION = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** Opens the library bytes; called at most once per extraction. */
  @FunctionalInterface
  interface Source {
    InputStream open() throws IOException;
  }

  private NativeLibraryExtractor() {}

  /**
   * Returns the path of a verified copy of the library under {@code cacheRoot}, extracting it
   * first if needed.
   *
   * @param source   the library bytes (the jar resource)
   * @param fileName file name to use, e.g. {@code libdeepwell.so}
   * @param version  the project version the library belongs to
   * @param sha256   expected SHA-256 of the bytes, 64 lower-case hex digits
   * @param cacheRoot folder under which {@code native/<version>-<sha prefix>/} is made
   */
  @SuppressWarnings("try") // the lock is held by being open
  static Path extract(Source source, String fileName, String version, String sha256, Path cacheRoot)
      throws IOException {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(cacheRoot, "cacheRoot");
    if (fileName == null || fileName.isEmpty() || fileName.contains("/") || fileName.startsWith(".")) {
      throw new IllegalArgumentException("bad library file name: " + fileName);
    }
    if (version == null || !SAFE_VERSION.matcher(version).matches()) {
      throw new IllegalArgumentException("bad version for a folder name: " + version);
    }
    if (sha256 == null || !SHA256_HEX.matcher(sha256).matches()) {
      throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits, got " + sha256);
    }
    Path dir = cacheRoot.resolve("native").resolve(version + "-" + sha256.substring(0, 16));
    Files.createDirectories(dir);
    Path target = dir.resolve(fileName);
    if (matches(target, sha256)) return target;

    // One writer per folder across JVMs (the file lock) and across threads of this JVM (the
    // monitor: a JVM may hold a given file lock only once).
    synchronized (NativeLibraryExtractor.class) {
      try (FileChannel lockFile =
              FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = lockFile.lock()) {
        if (matches(target, sha256)) return target;
        Path tmp = Files.createTempFile(dir, fileName + ".", ".part");
        try {
          String actual;
          try (InputStream in = source.open();
              DigestInputStream digest = new DigestInputStream(in, sha256Digest());
              OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.TRUNCATE_EXISTING)) {
            digest.transferTo(out);
            actual = HexFormat.of().formatHex(digest.getMessageDigest().digest());
          }
          if (!actual.equals(sha256)) {
            throw new IOException(
                "the packaged " + fileName + " is corrupt: SHA-256 " + actual + ", expected " + sha256);
          }
          tmp.toFile().setExecutable(true, false);
          try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
          }
          return target;
        } finally {
          Files.deleteIfExists(tmp);
        }
      }
    }
  }

  /** SHA-256 of a file as 64 lower-case hex digits. */
  static String sha256Of(Path file) throws IOException {
    MessageDigest md = sha256Digest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static boolean matches(Path file, String sha256) throws IOException {
    if (!Files.isRegularFile(file)) return false;
    try {
      return sha256Of(file).equals(sha256);
    } catch (UncheckedIOException e) {
      return false;
    }
  }

  private static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
