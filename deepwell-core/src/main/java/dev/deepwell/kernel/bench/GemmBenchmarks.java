package dev.deepwell.kernel.bench;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/** Finds the {@link GemmBenchmarkProvider} on the class path (deepwell-jni's). */
public final class GemmBenchmarks {

  /** The reason given when no provider is on the class path. */
  public static final String NO_PROVIDER = "no GPU GEMM benchmark on the class path (deepwell-jni)";

  private static final int MAX_LOAD_FAILURES = 8;

  private GemmBenchmarks() {}

  /** The lookup: the first provider {@code loader} can instantiate, or why there is none. */
  public record Lookup(Optional<GemmBenchmarkProvider> provider, String reason) {
    public Lookup {
      Objects.requireNonNull(provider, "provider");
      if (provider.isEmpty() && (reason == null || reason.isBlank())) {
        throw new IllegalArgumentException("a failed lookup must say why");
      }
    }
  }

  /** The first provider that {@code loader} finds; failures to load one are the reason if none loads. */
  public static Lookup find(ClassLoader loader) {
    Objects.requireNonNull(loader, "loader");
    List<String> failures = new ArrayList<>();
    Iterator<GemmBenchmarkProvider> it = ServiceLoader.load(GemmBenchmarkProvider.class, loader).iterator();
    // Bounded: an iterator that keeps failing at the same entry must not loop forever.
    while (failures.size() < MAX_LOAD_FAILURES) {
      try {
        if (!it.hasNext()) {
          break;
        }
        return new Lookup(Optional.of(it.next()), null);
      } catch (ServiceConfigurationError | LinkageError e) {
        failures.add("GEMM benchmark failed to load: " + e);
      }
    }
    return new Lookup(Optional.empty(), failures.isEmpty() ? NO_PROVIDER : String.join("; ", failures));
  }
}
