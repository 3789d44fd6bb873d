package dev.deepwell.plan;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The activation memory of one step's forward pass: every buffer with its lifetime and arena
 * offset, the exact peak of live bytes, the arena size the offsets need, and the recomputation
 * choices.
 *
 * @param buffers              every input and activation buffer, in value order
 * @param peakBytes            the most bytes live at any op (liveness lower bound)
 * @param arenaBytes           the arena the offsets need (>= peakBytes; the gap is fragmentation
 *                             and 256-byte alignment)
 * @param savedBytes           bytes kept for the backward pass at the end of the forward pass
 * @param recomputeBufferBytes when blocks are recomputed: the largest set of tensors one block's
 *                             recomputation materialises again during backward
 * @param recomputedBlocks     indices of the transformer blocks recomputed in backward
 * @param peakOpIndex          the op index at which the peak occurs
 */
public record MemoryPlan(List<BufferAssignment> buffers, long peakBytes, long arenaBytes,
    long savedBytes, long recomputeBufferBytes, Set<Integer> recomputedBlocks, int peakOpIndex) {

  public MemoryPlan {
    buffers = List.copyOf(Objects.requireNonNull(buffers, "buffers"));
    recomputedBlocks = java.util.Collections.unmodifiableSet(
        new TreeSet<>(Objects.requireNonNull(recomputedBlocks, "recomputedBlocks")));
    if (peakBytes < 0 || arenaBytes < peakBytes || savedBytes < 0 || recomputeBufferBytes < 0) {
      throw new IllegalArgumentException("inconsistent plan: peak " + peakBytes + ", arena "
          + arenaBytes + ", saved " + savedBytes + ", recompute " + recomputeBufferBytes);
    }
  }

  /** The buffer of value {@code valueId}. */
  public BufferAssignment buffer(int valueId) {
    for (BufferAssignment b : buffers) {
      if (b.valueId() == valueId) {
        return b;
      }
    }
    throw new IllegalArgumentException("no buffer for value " + valueId);
  }
}
