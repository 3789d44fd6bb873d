package dev.deepwell.compiler;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the passes did and warned about, in order; mutable while compiling, then copied. */
public final class CompileLog {

  private final List<String> entries = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();

  public void note(String pass, String message) {
    entries.add(Objects.requireNonNull(pass, "pass") + ": "
        + Objects.requireNonNull(message, "message"));
  }

  public void warn(String message) {
    warnings.add(Objects.requireNonNull(message, "message"));
  }

  public List<String> entries() {
    return List.copyOf(entries);
  }

  public List<String> warnings() {
    return List.copyOf(warnings);
  }
}
