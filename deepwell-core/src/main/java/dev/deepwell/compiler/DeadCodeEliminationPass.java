package dev.deepwell.compiler;

import dev.deepwell.ir.Graph;
import dev.deepwell.ir.Op;
import dev.deepwell.ir.TensorValue;
import dev.deepwell.ir.ValueKind;
import java.util.HashSet;
import java.util.List;
import java.util.ListIterator;
import java.util.Set;

/**
 * Removes ops none of whose outputs reach a graph output, then the values nothing references any
 * more (their activations, and parameters and weight copies only dead ops read). Step inputs stay:
 * they are part of the step's interface.
 */
public final class DeadCodeEliminationPass implements Pass {

  @Override
  public String name() {
    return "dead-code";
  }

  @Override
  public Graph run(Graph graph, CompileLog log) {
    Set<Integer> needed = new HashSet<>(graph.outputs());
    Graph.Editor e = graph.edit();
    List<Op> ops = e.ops();
    int removed = 0;
    for (ListIterator<Op> it = ops.listIterator(ops.size()); it.hasPrevious(); ) {
      Op op = it.previous();
      boolean live = false;
      for (int out : op.outputs()) {
        if (needed.contains(out)) {
          live = true;
          break;
        }
      }
      if (live) {
        needed.addAll(op.inputs());
      } else {
        it.remove();
        removed++;
        log.note(name(), "removed " + op.name() + " (" + op.kind() + "): no output is used");
      }
    }
    Set<Integer> referenced = new HashSet<>(graph.outputs());
    referenced.addAll(graph.inputs());
    for (Op op : ops) {
      referenced.addAll(op.inputs());
      referenced.addAll(op.outputs());
    }
    int values = 0;
    for (TensorValue v : graph.values().values()) {
      if (!referenced.contains(v.id()) && v.kind() != ValueKind.INPUT) {
        boolean sourceOfLiveCopy = false;
        for (TensorValue c : graph.values().values()) {
          if (c.sourceParam() == v.id() && referenced.contains(c.id())) {
            sourceOfLiveCopy = true;
            break;
          }
        }
        if (!sourceOfLiveCopy) {
          e.removeValue(v.id());
          values++;
        }
      }
    }
    if (removed > 0 || values > 0) {
      log.note(name(), removed + " ops and " + values + " values removed");
    }
    return e.build();
  }
}
