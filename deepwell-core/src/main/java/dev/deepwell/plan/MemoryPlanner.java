package dev.deepwell.plan;

import dev.deepwell.ir.Graph;
import dev.deepwell.ir.Op;
import dev.deepwell.ir.TensorValue;
import dev.deepwell.ir.ValueKind;
import dev.deepwell.model.Mode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Liveness analysis and arena offsets for the inputs and activations of one step's forward pass.
 *
 * <p>A buffer is live from the op that writes it (step inputs: from op 0) to the last op that
 * reads it. Graph outputs, and in training the tensors {@link SavedTensors} lists, stay live to
 * the last op: the backward pass reads them. A recomputed block keeps only its input; its other
 * saved tensors are freed after their last forward use and materialised again, one block at a
 * time, during backward ({@link MemoryPlan#recomputeBufferBytes()}).
 *
 * <p>Offsets: greedy by size (largest first), each buffer at the lowest 256-byte-aligned offset
 * that does not overlap a placed buffer whose lifetime overlaps its own.
 */
public final class MemoryPlanner {

  /** Offset alignment, as CUDA allocations are aligned. */
  public static final long ALIGNMENT = 256;

  private MemoryPlanner() {}

  /** Plans {@code graph} with no recomputation. */
  public static MemoryPlan plan(Graph graph) {
    return plan(graph, Set.of());
  }

  /** Plans {@code graph} recomputing {@code recomputedBlocks} in backward (training only). */
  public static MemoryPlan plan(Graph graph, Set<Integer> recomputedBlocks) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(recomputedBlocks, "recomputedBlocks");
    if (!graph.isShaped()) {
      throw new IllegalArgumentException("memory planning needs a shaped graph");
    }
    boolean training = graph.workload().mode() == Mode.TRAINING;
    if (!training && !recomputedBlocks.isEmpty()) {
      throw new IllegalArgumentException("recomputation applies to training only");
    }
    Set<Integer> blocks = blocks(graph);
    for (int b : recomputedBlocks) {
      if (!blocks.contains(b)) {
        throw new IllegalArgumentException("no block " + b + " to recompute; blocks: " + blocks);
      }
    }
    List<Op> ops = graph.ops();
    int n = ops.size();
    Set<Integer> saved = new LinkedHashSet<>();
    Map<Integer, Long> recomputeBytes = new HashMap<>();
    if (training) {
      for (Op op : ops) {
        if (!recomputedBlocks.contains(op.block())) {
          saved.addAll(SavedTensors.savedBy(op, graph));
        }
      }
      for (int b : recomputedBlocks) {
        int input = blockInput(graph, b);
        saved.add(input);
        Set<Integer> again = new LinkedHashSet<>();
        for (Op op : ops) {
          if (op.block() == b) {
            again.addAll(SavedTensors.savedBy(op, graph));
          }
        }
        again.remove(input);
        long bytes = 0;
        for (int id : again) {
          bytes += graph.value(id).bytes();
        }
        recomputeBytes.put(b, bytes);
      }
    }
    Map<Integer, Integer> start = new HashMap<>();
    Map<Integer, Integer> end = new HashMap<>();
    for (int id : graph.inputs()) {
      start.put(id, 0);
      end.put(id, 0);
    }
    for (int i = 0; i < n; i++) {
      Op op = ops.get(i);
      for (int id : op.inputs()) {
        if (end.containsKey(id)) {
          end.put(id, Math.max(end.get(id), i));
        }
      }
      for (int id : op.outputs()) {
        start.put(id, i);
        end.put(id, i);
      }
    }
    for (int id : graph.outputs()) {
      end.put(id, n - 1);
    }
    for (int id : saved) {
      end.put(id, n - 1);
    }
    List<BufferAssignment> unplaced = new ArrayList<>();
    long savedBytes = 0;
    for (TensorValue v : graph.values().values()) {
      if ((v.kind() != ValueKind.INPUT && v.kind() != ValueKind.ACTIVATION)
          || !start.containsKey(v.id())) {
        continue;
      }
      boolean isSaved = saved.contains(v.id());
      if (isSaved) {
        savedBytes += v.bytes();
      }
      unplaced.add(new BufferAssignment(v.id(), v.name(), v.bytes(), 0, start.get(v.id()),
          end.get(v.id()), isSaved));
    }
    long[] live = new long[n + 1];
    for (BufferAssignment b : unplaced) {
      live[b.start()] += b.bytes();
      live[b.end() + 1] -= b.bytes();
    }
    long peak = 0;
    long running = 0;
    int peakAt = 0;
    for (int i = 0; i < n; i++) {
      running += live[i];
      if (running > peak) {
        peak = running;
        peakAt = i;
      }
    }
    List<BufferAssignment> placed = place(unplaced);
    long arena = 0;
    for (BufferAssignment b : placed) {
      arena = Math.max(arena, b.offset() + b.bytes());
    }
    long recompute = 0;
    for (long b : recomputeBytes.values()) {
      recompute = Math.max(recompute, b);
    }
    placed.sort(Comparator.comparingInt(BufferAssignment::valueId));
    return new MemoryPlan(placed, peak, Math.max(arena, peak), savedBytes, recompute,
        recomputedBlocks, peakAt);
  }

  /** The transformer block indices present in {@code graph}, ascending. */
  public static Set<Integer> blocks(Graph graph) {
    Set<Integer> s = new TreeSet<>();
    for (Op op : graph.ops()) {
      if (op.block() >= 0) {
        s.add(op.block());
      }
    }
    return s;
  }

  /** The value entering block {@code b}: the first input of its first op. */
  public static int blockInput(Graph graph, int b) {
    for (Op op : graph.ops()) {
      if (op.block() == b) {
        return op.input(0);
      }
    }
    throw new IllegalArgumentException("no block " + b);
  }

  private static List<BufferAssignment> place(List<BufferAssignment> buffers) {
    List<BufferAssignment> order = new ArrayList<>(buffers);
    order.sort(Comparator.comparingLong(BufferAssignment::bytes).reversed()
        .thenComparingInt(BufferAssignment::start).thenComparingInt(BufferAssignment::valueId));
    List<BufferAssignment> placed = new ArrayList<>();
    for (BufferAssignment b : order) {
      List<BufferAssignment> conflicts = new ArrayList<>();
      for (BufferAssignment p : placed) {
        if (p.overlapsInTime(b)) {
          conflicts.add(p);
        }
      }
      conflicts.sort(Comparator.comparingLong(BufferAssignment::offset));
      long offset = 0;
      for (BufferAssignment c : conflicts) {
        if (offset + b.bytes() <= c.offset()) {
          break;
        }
        offset = Math.max(offset, align(c.offset() + c.bytes()));
      }
      placed.add(new BufferAssignment(b.valueId(), b.name(), b.bytes(), offset, b.start(),
          b.end(), b.saved()));
    }
    return placed;
  }

  private static long align(long x) {
    return (x + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
  }

  /** Helper for tests and reports: the set of saved value ids of a plan. */
  public static Set<Integer> savedIds(MemoryPlan plan) {
    Set<Integer> s = new HashSet<>();
    for (BufferAssignment b : plan.buffers()) {
      if (b.saved()) {
        s.add(b.valueId());
      }
    }
    return s;
  }
}
