package dev.deepwell.compiler;

import dev.deepwell.ir.Graph;

/** One graph-to-graph transformation of the compiler. */
public interface Pass {

  /** Short name used in the compile log. */
  String name();

  /** Returns the transformed graph; notes what it did in {@code log}. */
  Graph run(Graph graph, CompileLog log);
}
