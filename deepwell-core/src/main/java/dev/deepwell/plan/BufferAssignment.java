package dev.deepwell.plan;

import java.util.Objects;

/**
 * Where one buffer lives in the step's arena and when.
 *
 * @param valueId  the value
 * @param name     the value's name
 * @param bytes    storage bytes
 * @param offset   byte offset in the arena (256-byte aligned)
 * @param start    index of the op that writes it (0 for step inputs)
 * @param end      index of the last op that needs it (inclusive)
 * @param saved    true when it is kept for the backward pass
 */
public record BufferAssignment(int valueId, String name, long bytes, long offset, int start,
    int end, boolean saved) {
  public BufferAssignment {
    Objects.requireNonNull(name, "name");
    if (bytes <= 0 || offset < 0 || start < 0 || end < start) {
      throw new IllegalArgumentException("bad buffer " + name + ": bytes " + bytes + ", offset "
          + offset + ", live [" + start + ", " + end + "]");
    }
  }

  /** True when both are needed at some op index. */
  public boolean overlapsInTime(BufferAssignment o) {
    return start <= o.end && o.start <= end;
  }

  /** True when their byte ranges intersect. */
  public boolean overlapsInMemory(BufferAssignment o) {
    return offset < o.offset + o.bytes && o.offset < offset + bytes;
  }
}
