package dev.deepwell.kernel.bench;

import java.util.List;
import java.util.Optional;

/**
 * Service interface of the GEMM benchmark, so that the CLI (deepwell-dsl) runs it without
 * depending on CUDA: deepwell-jni provides the implementation
 * ({@code META-INF/services/dev.deepwell.kernel.bench.GemmBenchmarkProvider}), found with
 * {@link GemmBenchmarks#find}. Implementations follow the method {@link GemmBenchSpec} describes.
 */
public interface GemmBenchmarkProvider {

  /** What it is, for messages ("CUDA GEMM benchmark (deepwell-jni)"). */
  String name();

  /** Why it cannot run on this host (no native library, no device), or empty when it can. */
  Optional<String> unavailableReason();

  /**
   * Measures every case of {@code spec} on device {@code spec.device()}, telling {@code listener}
   * as it goes. A case that cannot run is a result with its reason, not an exception.
   *
   * @throws IllegalStateException when the device cannot be used at all (see {@link #unavailableReason})
   * @throws IllegalArgumentException when {@code spec.device()} does not exist
   */
  List<GemmBenchResult> run(GemmBenchSpec spec, Listener listener);

  /** Progress of a run; every method has an empty default. */
  interface Listener {

    /** The device is open; {@code device} describes it in one line. */
    default void started(String device) {}

    /** The results of one (shape, pass) group, in {@link GemmBenchSpec#cases()} order. */
    default void measured(List<GemmBenchResult> group) {}
  }
}
