package dev.deepwell.gpu.gemm;

import dev.deepwell.format.Bf16;
import dev.deepwell.gpu.CudaContextLostException;
import dev.deepwell.gpu.CudaEvent;
import dev.deepwell.gpu.CudaException;
import dev.deepwell.gpu.CudaGraph;
import dev.deepwell.gpu.CudaGraphExec;
import dev.deepwell.gpu.CudaStream;
import dev.deepwell.gpu.DeviceScope;
import dev.deepwell.gpu.PinnedHostBuffer;
import dev.deepwell.kernel.GemmPreference;
import dev.deepwell.kernel.GemmProblem;
import dev.deepwell.kernel.KernelProvider;
import dev.deepwell.kernel.bench.GemmBenchCase;
import dev.deepwell.kernel.bench.GemmBenchMeasurement;
import dev.deepwell.kernel.bench.GemmBenchResult;
import dev.deepwell.kernel.bench.GemmBenchSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One (shape, pass) group of {@link CudaGemmBenchmark}: every format's contenders (ours and
 * cuBLASLt) prepared, then timed together in the spec's shuffled rounds, then each output checked.
 * Everything it allocates lives in the group's scope.
 */
final class BenchGroup {

  /** Relative RMS difference of ours from cuBLASLt (sampled rows) above which a row is flagged. */
  static final double CHECK_TOLERANCE = 1e-2;

  /** Calls made eagerly before the estimate (first-call costs: cuBLASLt's, the caches'). */
  private static final int PRIMING_CALLS = 3;
  /** Calls timed eagerly to estimate one call, which sizes the graph. */
  private static final int ESTIMATE_CALLS = 4;

  private final GemmBenchSpec spec;
  private final long l2Bytes;
  private final CudaStream stream;
  private final DeviceScope scope;
  private final GpuGemm ours;
  private final GpuGemm baseline;
  private final BenchOperands operands;
  private final CudaEvent start;
  private final CudaEvent end;
  private final SplittableRandom order;

  /** One timed configuration: a plan and a call per operand copy, replayed as a graph. */
  private final class Contender {
    final String label;
    final GemmPlan plan;
    final GemmCall[] calls;
    final double[] ms;
    int callsPerReplay;
    CudaGraphExec exec;

    Contender(String label, GemmPlan plan, GemmCall[] calls) {
      this.label = label;
      this.plan = plan;
      this.calls = calls;
      this.ms = new double[spec.rounds()];
    }

    void eager(int count) {
      for (int i = 0; i < count; i++) {
        calls[i % calls.length].launch();
      }
    }

    void replay() {
      if (exec != null) {
        exec.launch(stream);
      } else {
        eager(callsPerReplay);
      }
    }

    GemmBenchMeasurement measurement() {
      return GemmBenchMeasurement.of(plan.kernelName(), plan.provider(), ms, callsPerReplay, calls.length,
          exec != null);
    }
  }

  /** A case's state while the group runs. */
  private static final class Row {
    final GemmBenchCase benchCase;
    final List<String> notes = new ArrayList<>();
    List<BenchOperands.Set> sets = List.of();
    GemmPlan oursPlan;
    Contender ours;
    String oursWhy;
    GemmPlan ltPlan;
    Contender lt;
    String ltWhy;

    Row(GemmBenchCase benchCase) {
      this.benchCase = benchCase;
    }
  }

  BenchGroup(GemmBenchSpec spec, long l2Bytes, DeviceScope scope, GpuGemm ours, GpuGemm baseline,
      BenchOperands operands, CudaEvent start, CudaEvent end, SplittableRandom order) {
    this.spec = spec;
    this.l2Bytes = l2Bytes;
    this.scope = scope;
    this.stream = scope.stream();
    this.ours = ours;
    this.baseline = baseline;
    this.operands = operands;
    this.start = start;
    this.end = end;
    this.order = order;
  }

  List<GemmBenchResult> measure(List<GemmBenchCase> cases) {
    List<Row> rows = new ArrayList<>();
    List<Contender> all = new ArrayList<>();
    for (GemmBenchCase c : cases) {
      Row r = new Row(c);
      rows.add(r);
      plan(r);
    }
    // Every plan first: planning may grow (and so move) a GpuGemm's workspace, whose address a
    // graph captured earlier would keep.
    for (Row r : rows) {
      if (r.oursPlan != null) {
        r.ours = contender("ours", r.oursPlan, ours, r);
        if (r.ours == null) {
          r.oursWhy = "its calls failed (see notes)";
        } else {
          all.add(r.ours);
        }
      }
      if (r.ltPlan != null) {
        r.lt = contender("cuBLASLt", r.ltPlan, baseline, r);
        if (r.lt == null) {
          r.ltWhy = "its calls failed (see notes)";
        } else {
          all.add(r.lt);
        }
      }
    }
    for (Contender c : all) {
      for (int w = 0; w < spec.warmup(); w++) {
        c.replay();
      }
    }
    stream.synchronize();
    int[] idx = new int[all.size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    for (int round = 0; round < spec.rounds(); round++) {
      // A fixed order favours whoever follows a light contender, so each round is shuffled.
      for (int i = idx.length - 1; i > 0; i--) {
        int j = order.nextInt(i + 1);
        int t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
      }
      for (int i : idx) {
        Contender c = all.get(i);
        stream.record(start);
        c.replay();
        stream.record(end);
        end.synchronize();
        c.ms[round] = start.elapsedMillisTo(end) / c.callsPerReplay;
      }
    }
    List<GemmBenchResult> out = new ArrayList<>();
    for (Row r : rows) {
      if (r.ours != null) {
        check(r);
      }
      out.add(new GemmBenchResult(r.benchCase, r.ours == null ? null : r.ours.measurement(), r.oursWhy,
          r.lt == null ? null : r.lt.measurement(), r.ltWhy, r.notes));
    }
    return out;
  }

  /** Operand copies and both plans; what fails becomes the row's reasons. */
  private void plan(Row r) {
    GemmProblem p = r.benchCase.problem();
    long setBytes = BenchOperands.setBytes(p);
    int count = GemmBenchSpec.operandSets(setBytes, l2Bytes);
    try {
      List<BenchOperands.Set> sets = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        sets.add(operands.allocate(p, scope));
      }
      stream.synchronize();
      r.sets = sets;
    } catch (CudaContextLostException e) {
      throw e;
    } catch (CudaException e) {
      String why = String.format(Locale.ROOT, "could not allocate %d operand copies of %.1f MiB: %s", count,
          setBytes / 1048576.0, oneLine(e));
      r.oursWhy = why;
      r.ltWhy = why;
      return;
    }
    try {
      GemmPlan plan = ours.plan(p, r.sets.get(0).operands());
      if (plan.provider() == KernelProvider.CPU) {
        r.oursWhy = "no GPU kernel: " + String.join("; ", plan.selection().rejected());
      } else {
        if (plan.selection().isFallback()) {
          r.notes.add("ours fell back to " + plan.provider().displayName() + ": "
              + String.join("; ", plan.selection().rejected()));
        }
        r.oursPlan = plan;
      }
    } catch (CudaContextLostException e) {
      throw e;
    } catch (IllegalArgumentException | IllegalStateException | CudaException e) {
      r.oursWhy = oneLine(e);
    }
    try {
      r.ltPlan = baseline.plan(p, r.sets.get(0).operands(), GemmPreference.provider(KernelProvider.CUBLASLT));
    } catch (CudaContextLostException e) {
      throw e;
    } catch (IllegalArgumentException | IllegalStateException | CudaException e) {
      r.ltWhy = oneLine(e);
    }
  }

  /** A contender of {@code plan}, sized and captured; null (with a note) when its calls fail. */
  private Contender contender(String label, GemmPlan plan, GpuGemm gemm, Row r) {
    GemmCall[] calls = new GemmCall[r.sets.size()];
    for (int i = 0; i < calls.length; i++) {
      calls[i] = GemmCall.of(gemm, plan, r.sets.get(i).operands());
    }
    Contender c = new Contender(label, plan, calls);
    try {
      c.eager(PRIMING_CALLS);
      stream.record(start);
      c.eager(ESTIMATE_CALLS);
      stream.record(end);
      end.synchronize();
    } catch (CudaContextLostException e) {
      throw e;
    } catch (CudaException e) {
      r.notes.add(label + " (" + plan.kernelName() + ") failed: " + oneLine(e));
      return null;
    }
    c.callsPerReplay = spec.callsPerReplay(start.elapsedMillisTo(end) / ESTIMATE_CALLS);
    try {
      CudaGraph graph = CudaGraph.capture(stream, s -> c.eager(c.callsPerReplay));
      try {
        c.exec = scope.own(graph.instantiate());
      } finally {
        graph.close();
      }
    } catch (CudaContextLostException e) {
      throw e;
    } catch (CudaException | IllegalStateException e) {
      r.notes.add(label + ": graph capture failed (" + oneLine(e) + "); timed as " + c.callsPerReplay
          + " calls enqueued one by one, host gaps included");
    }
    return c;
  }

  /**
   * Runs ours (and cuBLASLt) once more on the first operand copy and reads rows 0 and M-1 of D
   * back: ours must be finite there and, where cuBLASLt ran, agree with it.
   */
  private void check(Row r) {
    GemmProblem p = r.benchCase.problem();
    int esz = p.output().bytes();
    long rowBytes = p.n() * esz;
    long[] rows = p.m() == 1 ? new long[] {0} : new long[] {0, p.m() - 1};
    long sample = rowBytes * rows.length;
    PinnedHostBuffer host = scope.allocatePinned(2 * sample);
    BenchOperands.Set set = r.sets.get(0);
    r.ours.calls[0].launch();
    for (int i = 0; i < rows.length; i++) {
      stream.copyDeviceToHost(set.d(), rows[i] * rowBytes, host, i * rowBytes, rowBytes);
    }
    if (r.lt != null) {
      r.lt.calls[0].launch();
      for (int i = 0; i < rows.length; i++) {
        stream.copyDeviceToHost(set.d(), rows[i] * rowBytes, host, sample + i * rowBytes, rowBytes);
      }
    }
    stream.synchronize();
    double[] mine = decode(host, 0, sample, esz);
    for (double v : mine) {
      if (!Double.isFinite(v)) {
        r.notes.add("CHECK FAILED: ours wrote a non-finite value in rows 0 / M-1");
        return;
      }
    }
    if (r.lt == null) {
      return;
    }
    double[] ref = decode(host, sample, sample, esz);
    double num = 0;
    double den = 0;
    for (int i = 0; i < mine.length; i++) {
      double d = mine[i] - ref[i];
      num += d * d;
      den += ref[i] * ref[i];
    }
    double rel = den == 0 ? (num == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(num / den);
    if (!(rel <= CHECK_TOLERANCE)) {
      r.notes.add(String.format(Locale.ROOT, "CHECK FAILED: ours differs from cuBLASLt in rows 0 / M-1, "
          + "relative RMS %.3g (tolerance %.0e)", rel, CHECK_TOLERANCE));
    }
  }

  private static double[] decode(PinnedHostBuffer host, long offset, long bytes, int esz) {
    byte[] raw = new byte[Math.toIntExact(bytes)];
    host.read(offset, raw, 0, raw.length);
    double[] v = new double[raw.length / esz];
    for (int i = 0; i < v.length; i++) {
      int o = i * esz;
      if (esz == 2) {
        v[i] = Bf16.decode((short) ((raw[o] & 0xFF) | (raw[o + 1] & 0xFF) << 8));
      } else {
        v[i] = Float.intBitsToFloat((raw[o] & 0xFF) | (raw[o + 1] & 0xFF) << 8 | (raw[o + 2] & 0xFF) << 16
            | (raw[o + 3] & 0xFF) << 24);
      }
    }
    return v;
  }

  static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.replace('\n', ' ').replace('\r', ' ').trim();
  }
}
