package dev.deepwell.compiler;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.deepwell.ir.Fusion;
import dev.deepwell.ir.Graph;
import dev.deepwell.ir.Op;
import dev.deepwell.ir.TensorValue;
import dev.deepwell.kernel.KernelBinding;
import dev.deepwell.plan.BufferAssignment;
import dev.deepwell.plan.MemoryPlan;
import dev.deepwell.plan.StepMemory;
import dev.deepwell.precision.FallbackEvent;
import dev.deepwell.precision.LayerPrecision;

/**
 * The JSON form of an {@link Engine}'s plan. Top-level keys: {@code model}, {@code workload},
 * {@code target}, {@code precision} (config, layers, fallbackHistory), {@code values},
 * {@code ops} (with kernel, reason, rejected providers), {@code memory} (step figures in bytes,
 * peak, arena, buffers), {@code warnings}, {@code log}.
 */
public final class PlanJson {

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls()
      .disableHtmlEscaping().create();

  private PlanJson() {}

  public static String toJson(Engine engine) {
    return GSON.toJson(toJsonTree(engine));
  }

  public static JsonObject toJsonTree(Engine engine) {
    Graph g = engine.graph();
    JsonObject root = new JsonObject();
    root.addProperty("model", g.modelName());
    JsonObject wl = new JsonObject();
    wl.addProperty("batch", g.workload().batch());
    wl.addProperty("seqLen", g.workload().seqLen());
    wl.addProperty("mode", g.workload().mode().name());
    root.add("workload", wl);
    JsonObject t = new JsonObject();
    t.addProperty("name", engine.target().name());
    t.addProperty("smVersion", engine.target().smVersion());
    t.addProperty("memoryBytes", engine.target().memoryBytes());
    t.addProperty("description", engine.target().description());
    root.add("target", t);

    JsonObject precision = new JsonObject();
    precision.addProperty("config", engine.precisionPolicy().config().toString());
    JsonArray layers = new JsonArray();
    for (LayerPrecision lp : engine.precisionPolicy().layerPrecisions().values()) {
      JsonObject o = new JsonObject();
      o.addProperty("layer", lp.layer());
      o.addProperty("precision", lp.precision().cliName());
      o.addProperty("requested", lp.requested().cliName());
      o.addProperty("reason", lp.reason().name());
      o.addProperty("detail", lp.detail());
      o.addProperty("emulated", lp.emulated());
      layers.add(o);
    }
    precision.add("layers", layers);
    JsonArray history = new JsonArray();
    for (FallbackEvent e : engine.precisionPolicy().fallbackHistory()) {
      JsonObject o = new JsonObject();
      o.addProperty("layer", e.layer());
      o.addProperty("from", e.from().cliName());
      o.addProperty("to", e.to().cliName());
      o.addProperty("reason", e.reason().name());
      o.addProperty("detail", e.detail());
      o.addProperty("phase", e.phase().name());
      history.add(o);
    }
    precision.add("fallbackHistory", history);
    root.add("precision", precision);

    JsonArray values = new JsonArray();
    for (TensorValue v : g.values().values()) {
      JsonObject o = new JsonObject();
      o.addProperty("id", v.id());
      o.addProperty("name", v.name());
      o.addProperty("kind", v.kind().name());
      o.addProperty("format", v.format().displayName());
      JsonArray dims = new JsonArray();
      for (long d : v.shape().dims()) {
        dims.add(d);
      }
      o.add("shape", dims);
      o.addProperty("bytes", v.bytes());
      values.add(o);
    }
    root.add("values", values);

    JsonArray ops = new JsonArray();
    for (Op op : g.ops()) {
      JsonObject o = new JsonObject();
      o.addProperty("id", op.id());
      o.addProperty("name", op.name());
      o.addProperty("kind", op.kind().name());
      o.addProperty("precision", op.precision().cliName());
      JsonArray fused = new JsonArray();
      for (Fusion f : op.fused()) {
        fused.add(f.name());
      }
      o.add("fused", fused);
      o.add("inputs", ids(op.inputs()));
      o.add("outputs", ids(op.outputs()));
      KernelBinding b = engine.binding(op.id());
      o.addProperty("kernel", b.kernel().id());
      o.addProperty("provider", b.provider().displayName());
      o.addProperty("emulated", b.kernel().emulated());
      o.addProperty("reason", b.reason());
      JsonArray rejected = new JsonArray();
      b.rejected().forEach(rejected::add);
      o.add("rejected", rejected);
      ops.add(o);
    }
    root.add("ops", ops);

    StepMemory m = engine.stepMemory();
    MemoryPlan p = engine.memoryPlan();
    JsonObject mem = new JsonObject();
    mem.addProperty("parameters", m.parameters());
    mem.addProperty("weightsBytes", m.weights());
    mem.addProperty("masterWeightsBytes", m.masterWeights());
    mem.addProperty("gradientsBytes", m.gradients());
    mem.addProperty("optimizerStateBytes", m.optimizerState());
    mem.addProperty("activationsBytes", m.activations());
    mem.addProperty("workspaceBytes", m.workspace());
    mem.addProperty("totalBytes", m.total());
    mem.addProperty("activationPeakBytes", p.peakBytes());
    mem.addProperty("arenaBytes", p.arenaBytes());
    mem.addProperty("savedForBackwardBytes", p.savedBytes());
    mem.addProperty("recomputeBufferBytes", p.recomputeBufferBytes());
    JsonArray recomputed = new JsonArray();
    p.recomputedBlocks().forEach(recomputed::add);
    mem.add("recomputedBlocks", recomputed);
    JsonArray buffers = new JsonArray();
    for (BufferAssignment b : p.buffers()) {
      JsonObject o = new JsonObject();
      o.addProperty("value", b.valueId());
      o.addProperty("name", b.name());
      o.addProperty("bytes", b.bytes());
      o.addProperty("offset", b.offset());
      o.addProperty("start", b.start());
      o.addProperty("end", b.end());
      o.addProperty("saved", b.saved());
      buffers.add(o);
    }
    mem.add("buffers", buffers);
    root.add("memory", mem);

    JsonArray warnings = new JsonArray();
    engine.warnings().forEach(warnings::add);
    root.add("warnings", warnings);
    JsonArray log = new JsonArray();
    engine.compileLog().forEach(log::add);
    root.add("log", log);
    return root;
  }

  private static JsonArray ids(java.util.List<Integer> ids) {
    JsonArray a = new JsonArray();
    ids.forEach(a::add);
    return a;
  }
}
