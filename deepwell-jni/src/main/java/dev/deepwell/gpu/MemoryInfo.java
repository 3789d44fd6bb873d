package dev.deepwell.gpu;

/** Free and total device memory in bytes, as the driver reports them. */
public record MemoryInfo(long freeBytes, long totalBytes) {
  public MemoryInfo {
    if (freeBytes < 0 || totalBytes < 0 || freeBytes > totalBytes) {
      throw new IllegalArgumentException("inconsistent memory info: free " + freeBytes + ", total " + totalBytes);
    }
  }

  public long usedBytes() {
    return totalBytes - freeBytes;
  }
}
