package dev.deepwell.gpu.gemm;

import dev.deepwell.gpu.DeviceBuffer;
import java.util.Optional;

/** Device memory that exists only as an address range: validation tests need no GPU. */
final class FakeMemory implements DeviceView.Memory {

  private static long next = 0x7f00_0000_0000L;

  private final long address;
  private final long size;
  private final int device;
  boolean closed;

  FakeMemory(long address, long size, int device) {
    this.address = address;
    this.size = size;
    this.device = device;
  }

  /** A fresh 256-byte aligned range that overlaps no other. */
  static synchronized FakeMemory allocate(long size) {
    long a = next;
    next += (size + 4095) / 4096 * 4096 + 4096;
    return new FakeMemory(a, size, 0);
  }

  static DeviceView view(long size) {
    return DeviceView.of(allocate(size), 0, 0, null, null);
  }

  static DeviceView shaped(int bits, long... shape) {
    long elements = 1;
    for (long d : shape) {
      elements *= d;
    }
    return DeviceView.of(allocate((elements * bits + 7) / 8), 0, bits, shape, null);
  }

  @Override
  public long address() {
    if (closed) {
      throw new IllegalStateException("DeviceBuffer is closed: fake");
    }
    return address;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public int device() {
    return device;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public String describe() {
    return "fake " + size + " bytes at 0x" + Long.toHexString(address) + " on device " + device;
  }

  @Override
  public Optional<DeviceBuffer> buffer() {
    return Optional.empty();
  }
}
