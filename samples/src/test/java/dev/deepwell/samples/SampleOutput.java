package dev.deepwell.samples;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs a sample into a string and pulls numbers out of its lines. */
final class SampleOutput {

  private SampleOutput() {}

  static String capture(Consumer<PrintStream> sample) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      sample.accept(out);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** Group 1 of the first match of {@code regex} (multiline), failing loudly when absent. */
  static String group(String text, String regex) {
    Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
    if (!m.find()) {
      throw new AssertionError("no match for /" + regex + "/ in:\n" + text);
    }
    return m.group(1);
  }

  static double number(String text, String regex) {
    return Double.parseDouble(group(text, regex));
  }
}
