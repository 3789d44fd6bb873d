package dev.deepwell.gpu;

import dev.deepwell.hw.GpuInfo;

/** One CUDA device by ordinal: its properties and the factories for streams and events. */
public final class CudaDevice {

  private final int ordinal;

  CudaDevice(int ordinal) {
    this.ordinal = ordinal;
  }

  /** Visible devices; 0 when the native library, driver or GPU is missing. */
  public static int count() {
    if (!NativeLibrary.isReady()) return 0;
    CudaErrors.ensureUsable();
    return Natives.deviceCount();
  }

  /** The device with this ordinal; throws {@link GpuUnavailableException} when there is no GPU. */
  public static CudaDevice get(int ordinal) {
    NativeLibrary.requireReady();
    int n = Natives.deviceCount();
    if (ordinal < 0 || ordinal >= n) {
      throw new IllegalArgumentException("device ordinal " + ordinal + " out of range: " + n + " device(s) visible");
    }
    return new CudaDevice(ordinal);
  }

  public int ordinal() {
    return ordinal;
  }

  /** Properties read from the driver now (free memory included). */
  public GpuInfo info() {
    NativeLibrary.requireReady();
    long[] p = new long[12];
    String name = Natives.deviceProperties(ordinal, p);
    return new GpuInfo(
        ordinal, name, (int) p[0], (int) p[1], (int) p[2], p[8], p[9], p[10], (int) p[3], (int) p[4], (int) p[5], p[11],
        (int) p[6], (int) p[7]);
  }

  public MemoryInfo memoryInfo() {
    NativeLibrary.requireReady();
    long[] out = new long[2];
    Natives.memoryInfo(ordinal, out);
    return new MemoryInfo(out[0], out[1]);
  }

  /** Waits for all work on the device. */
  public void synchronize() {
    NativeLibrary.requireReady();
    Natives.deviceSynchronize(ordinal);
  }

  public CudaStream createStream() {
    return CudaStream.create(this);
  }

  /** An event; {@code timing} makes it usable for {@link CudaEvent#elapsedMillisTo}. */
  public CudaEvent createEvent(boolean timing) {
    return CudaEvent.create(this, timing);
  }

  /** Returns unused pool memory above {@code keepBytes} to the driver (for other processes). */
  public void trimMemoryPool(long keepBytes) {
    if (keepBytes < 0) throw new IllegalArgumentException("keepBytes must be >= 0, got " + keepBytes);
    NativeLibrary.requireReady();
    Natives.memPoolTrim(ordinal, keepBytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CudaDevice && ((CudaDevice) o).ordinal == ordinal;
  }

  @Override
  public int hashCode() {
    return Integer.hashCode(ordinal);
  }

  @Override
  public String toString() {
    return "cuda:" + ordinal;
  }
}
