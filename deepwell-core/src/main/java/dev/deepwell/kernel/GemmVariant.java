package dev.deepwell.kernel;

import java.util.Objects;

/**
 * One GEMM kernel configuration a backend offers for one input format: CUTLASS has several per
 * format (tile shapes and schedules), the others one.
 *
 * @param provider     the backend, which sets its place in the fallback chain
 * @param input        the operand format it reads
 * @param index        its number within (provider, input): the C ABI's {@code variant}
 * @param name         the kernel's name as the native side reports it (plans, logs, tables)
 * @param tileM        rows of D one tile covers (0: not a tiled persistent kernel)
 * @param tileN        columns of D one tile covers (0 with tileM)
 * @param schedule     "cooperative", "pingpong", "streamk" (cooperative with the stream-K tile
 *                     scheduler) or "" (what the tile choice rules look at)
 * @param descriptorId the {@link StandardKernels} entry of its family (ties it to the catalogue
 *                     the compiler binds graph ops with)
 */
public record GemmVariant(KernelProvider provider, GemmInput input, int index, String name, int tileM, int tileN,
    String schedule, String descriptorId) {

  public GemmVariant {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(descriptorId, "descriptorId");
    if (index < 0) {
      throw new IllegalArgumentException("index must be >= 0, got " + index);
    }
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    int nameBytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (nameBytes > MAX_NAME_BYTES) {
      // The library could never report it: it would arrive cut short and match no entry.
      throw new IllegalArgumentException("name must fit the C ABI's plan name (" + MAX_NAME_BYTES + " bytes), got "
          + nameBytes + ": " + name);
    }
    if (tileM < 0 || tileN < 0 || (tileM == 0) != (tileN == 0)) {
      throw new IllegalArgumentException("tile must be both 0 or both > 0, got " + tileM + "x" + tileN);
    }
  }

  /** The longest kernel name {@code dw_gemm_plan_info.name} holds (64 bytes with the terminating NUL). */
  public static final int MAX_NAME_BYTES = 63;

  public boolean isTiled() {
    return tileM > 0;
  }

  /** Tiles of D for an M x N output. */
  public long tiles(long m, long n) {
    if (!isTiled()) {
      throw new IllegalStateException(name + " is not a tiled kernel");
    }
    return ceilDiv(m, tileM) * ceilDiv(n, tileN);
  }

  public boolean hasTile(int m, int n) {
    return tileM == m && tileN == n;
  }

  static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  @Override
  public String toString() {
    return name;
  }
}
