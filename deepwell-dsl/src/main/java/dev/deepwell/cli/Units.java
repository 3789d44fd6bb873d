package dev.deepwell.cli;

import java.util.Locale;

/** Human-readable sizes and rates for the CLI's tables (binary units for memory, SI for rates). */
final class Units {

  private Units() {}

  /** "79.1 GiB", "512 B"; "unknown" for negative sizes (the probe's marker for not reported). */
  static String bytes(long n) {
    if (n < 0) return "unknown";
    if (n < 1024) return n + " B";
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /** "3.35 TB/s"; "-" when unknown (0). */
  static String rate(double bytesPerSecond) {
    if (!(bytesPerSecond > 0)) return "-";
    if (bytesPerSecond >= 1e12) return String.format(Locale.ROOT, "%.2f TB/s", bytesPerSecond / 1e12);
    if (bytesPerSecond >= 1e9) return String.format(Locale.ROOT, "%.1f GB/s", bytesPerSecond / 1e9);
    return String.format(Locale.ROOT, "%.1f MB/s", bytesPerSecond / 1e6);
  }

  static String yesNo(boolean b) {
    return b ? "yes" : "no";
  }
}
