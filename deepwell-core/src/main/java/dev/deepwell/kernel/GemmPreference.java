package dev.deepwell.kernel;

/**
 * Which kernel a caller wants: {@link #AUTO} walks the fallback chain and lets the tile choice
 * pick a configuration; {@link #provider(KernelProvider)} allows one backend only (a benchmark's
 * "cuBLASLt" column, a test of the reference kernel); {@link #variant} also fixes the
 * configuration. A backend or variant that cannot run the problem is then an error, not a
 * fallback.
 *
 * @param provider the only backend to use, or null for the chain
 * @param variant  the configuration within it, or -1 to choose by problem size
 */
public record GemmPreference(KernelProvider provider, int variant) {

  /** The whole chain, configuration chosen by problem size. */
  public static final GemmPreference AUTO = new GemmPreference(null, -1);

  public GemmPreference {
    if (variant < -1) {
      throw new IllegalArgumentException("variant must be >= 0, or -1 to choose; got " + variant);
    }
    if (provider == null && variant != -1) {
      throw new IllegalArgumentException("a variant (" + variant + ") can only be fixed together with its provider");
    }
  }

  public static GemmPreference provider(KernelProvider provider) {
    return new GemmPreference(java.util.Objects.requireNonNull(provider, "provider"), -1);
  }

  public static GemmPreference variant(KernelProvider provider, int variant) {
    java.util.Objects.requireNonNull(provider, "provider");
    if (variant < 0) {
      throw new IllegalArgumentException("variant must be >= 0, got " + variant);
    }
    return new GemmPreference(provider, variant);
  }

  public boolean isAuto() {
    return provider == null;
  }

  @Override
  public String toString() {
    return isAuto() ? "auto" : provider.displayName() + (variant < 0 ? "" : " variant " + variant);
  }
}
