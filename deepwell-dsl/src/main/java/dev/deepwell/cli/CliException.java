package dev.deepwell.cli;

/** A failure the user can fix (bad file, wrong size); printed as its message alone. */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CliException(String message) {
    super(message);
  }

  CliException(String message, Throwable cause) {
    super(message, cause);
  }
}
