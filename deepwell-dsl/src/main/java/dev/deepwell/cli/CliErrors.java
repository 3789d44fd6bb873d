package dev.deepwell.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.io.IOException;

/** Turns an exception into the one line the CLI prints for it. */
final class CliErrors {

  private CliErrors() {}

  static String describe(Throwable e) {
    if (e instanceof CliException || e instanceof IllegalArgumentException) {
      return DeepwellCli.oneLine(e.getMessage());
    }
    if (e instanceof NoSuchFileException) {
      return "no such file: " + ((NoSuchFileException) e).getFile();
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied: " + ((AccessDeniedException) e).getFile();
    }
    if (e instanceof FileSystemException) {
      FileSystemException f = (FileSystemException) e;
      return "cannot access " + f.getFile()
          + (f.getReason() == null ? "" : ": " + DeepwellCli.oneLine(f.getReason()));
    }
    if (e instanceof IOException) {
      return "I/O error: " + DeepwellCli.oneLine(e.getMessage());
    }
    if (e instanceof OutOfMemoryError) {
      return "out of memory; give the JVM more heap, e.g. DEEPWELL_JAVA_OPTS=-Xmx8g";
    }
    String msg = e.getMessage();
    return e.getClass().getSimpleName() + (msg == null ? "" : ": " + DeepwellCli.oneLine(msg));
  }
}
