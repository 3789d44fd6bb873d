package dev.deepwell.dryrun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.deepwell.compiler.CompileOptions;
import dev.deepwell.compiler.Engine;
import dev.deepwell.compiler.GraphCompiler;
import dev.deepwell.ir.GraphCapture;
import dev.deepwell.kernel.CompileTarget;
import dev.deepwell.model.Mode;
import dev.deepwell.model.ModelPresets;
import dev.deepwell.model.TransformerSpec;
import dev.deepwell.model.Workload;
import dev.deepwell.plan.StepMemory;
import dev.deepwell.precision.LayerPrecision;
import dev.deepwell.precision.Precision;
import dev.deepwell.precision.PrecisionConfig;
import java.util.function.LongBinaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The dry-run figures of a Llama-style training step (batch 1 x 4096 tokens) on B200, against a
 * calculation by hand from the model's shapes and the stated model: every byte a block keeps for
 * backward, every weight copy, and the roofline time of every kernel of the step.
 *
 * <p>B200: 180 GiB, 8 TB/s, dense BF16 2.25, FP8/MXFP8 4.5, NVFP4 9 PFLOP/s. Training setup:
 * FP32 master weights (4 B), FP32 gradients (4 B), AdamW (8 B) per parameter.
 */
class DryRunHandCalculationTest {

  private static final double BW = 8e12;
  private static final double PEAK_BF16 = 2250e12;

  /** The shapes and the low-precision format of one case. */
  private static final class Case {
    final long t = 4096;          // tokens = batch 1 x seq 4096
    final long s = 4096;          // sequence length
    final long d;
    final long layers;
    final long h;
    final long g;
    final long hd;
    final long f;
    final long v;
    final long qkv;               // (h + 2g) hd
    final LongBinaryOperator act; // bytes of an [r, c] activation in the low-precision format
    final LongBinaryOperator wgt; // bytes of one [n, k] weight copy
    final long copies;            // weight copies kept in training
    final double peakLow;

    Case(TransformerSpec spec, LongBinaryOperator act, LongBinaryOperator wgt, long copies,
        double peakLow) {
      d = spec.dModel();
      layers = spec.layers();
      h = spec.heads();
      g = spec.kvHeads();
      hd = spec.headDim();
      f = spec.ffnHidden();
      v = spec.vocabSize();
      qkv = (h + 2 * g) * hd;
      this.act = act;
      this.wgt = wgt;
      this.copies = copies;
      this.peakLow = peakLow;
    }

    long a(long r, long c) {
      return act.applyAsLong(r, c);
    }

    long w(long n, long k) {
      return wgt.applyAsLong(n, k);
    }

    long parameters() {
      return 2 * v * d + layers * (d * qkv + d * d + 3 * d * f + 2 * d) + d;
    }

    long weights() {
      long gemms = w(qkv, d) + w(d, d) + w(2 * f, d) + w(d, f);
      return 2 * v * d            // embedding table, BF16
          + 2 * v * d             // lm_head, BF16
          + 2 * d * (2 * layers + 1) // RMSNorm weights, BF16
          + layers * copies * gemms; // quantized copies of the four block GEMMs
    }

    long savedForBackward() {
      long block = 2 * t * d + 4 * t  // attn_norm: input x, rstd
          + a(t, d)                     // qkv: its quantized input
          + 2 * t * qkv                 // attention: rotated qkv
          + 2 * t * d + 4 * t * h       // attention: output, log-sum-exp
          + a(t, d)                     // o_proj: its quantized input
          + 2 * t * d + 4 * t           // mlp_norm: input, rstd
          + a(t, d)                     // gate_up: its quantized input
          + 2 * t * 2 * f               // swiglu: its input
          + a(t, f);                    // down: its quantized input
      long global = 4 * t + 4 * t       // token ids (embedding), labels (loss)
          + 2 * t * d + 4 * t           // final_norm: input, rstd
          + 2 * t * d                   // lm_head: its BF16 input
          + 2 * t * v + 4 * t;          // loss: logits, log-sum-exp
      return layers * block + global;
    }

    /** Gradient of an op's first output plus those of its activation inputs, BF16. */
    long backwardWorkingSet() {
      long[] candidates = {
          2 * t * v + 2 * t * d,        // lm_head: dlogits, dx
          2 * t * v + 4,                // loss: dlogits, dloss (FP32 scalar)
          2 * t * f + 2 * t * 2 * f,    // swiglu: dout, dinput
          2 * t * 2 * f + 2 * t * d,    // gate_up
          2 * t * qkv + 2 * t * qkv,    // rope
          2 * t * d + 2 * t * qkv,      // attention
          2 * t * qkv + 2 * t * d,      // qkv
          3 * 2 * t * d,                // o_proj with residual
          2 * t * d + 2 * t * f + 2 * t * d, // down with residual
          2 * t * d + 2 * t * d};       // norms, quantize
      long max = 0;
      for (long c : candidates) {
        max = Math.max(max, c);
      }
      return max;
    }

    static double time(double flops, double peak, double bytes) {
      return Math.max(flops / peak, bytes / BW);
    }

    /** Forward + backward: x3 for GEMMs and memory-bound ops, x3.5 for attention. */
    double stepSeconds(boolean lowPrecision) {
      double gemm;
      double other;
      double attention = time(2.0 * s * s * d, PEAK_BF16, 2 * t * qkv + 2 * t * d + 4 * t * h);
      if (lowPrecision) {
        gemm = time(2.0 * t * qkv * d, peakLow, a(t, d) + w(qkv, d) + 2 * t * qkv)
            + time(2.0 * t * d * d, peakLow, a(t, d) + w(d, d) + 2 * t * d + 2 * t * d)
            + time(2.0 * t * 2 * f * d, peakLow, a(t, d) + w(2 * f, d) + 2 * t * 2 * f)
            + time(2.0 * t * d * f, peakLow, a(t, f) + w(d, f) + 2 * t * d + 2 * t * d);
        other = 2 * (2 * t * d + 2 * d + a(t, d) + 4 * t)   // two norms writing quantized
            + 2 * t * qkv * 2                                // rope
            + 2 * t * d + a(t, d)                            // quantize of the attention output
            + 2 * t * 2 * f + a(t, f);                       // swiglu writing quantized
      } else {
        gemm = time(2.0 * t * qkv * d, PEAK_BF16, 2 * t * d + 2 * qkv * d + 2 * t * qkv)
            + time(2.0 * t * d * d, PEAK_BF16, 2 * t * d + 2 * d * d + 2 * t * d + 2 * t * d)
            + time(2.0 * t * 2 * f * d, PEAK_BF16, 2 * t * d + 2 * 2 * f * d + 2 * t * 2 * f)
            + time(2.0 * t * d * f, PEAK_BF16, 2 * t * f + 2 * d * f + 2 * t * d + 2 * t * d);
        other = 2 * (2 * t * d + 2 * d + 2 * t * d + 4 * t)
            + 2 * t * qkv * 2
            + 2 * t * 2 * f + 2 * t * f;
      }
      double perBlock = 3 * gemm + 3.5 * attention + 3 * other / BW;
      double head = time(2.0 * t * v * d, PEAK_BF16, 2 * t * d + 2 * v * d + 2 * t * v);
      double globalOther = (4 * t + 2 * t * d + 2 * t * d)  // embedding gather
          + (2 * t * d + 2 * d + 2 * t * d + 4 * t)          // final norm
          + (2 * t * v + 4 * t + 4 + 4 * t);                 // loss
      return layers * perBlock + 3 * head + 3 * globalOther / BW;
    }
  }

  private static DryRunReport dryRun(TransformerSpec spec, Precision p) {
    Engine e = GraphCompiler.compile(GraphCapture.capture(spec, new Workload(1, 4096,
        Mode.TRAINING)), CompileOptions.builder().precision(PrecisionConfig.of(p))
        .target(CompileTarget.named("b200")).build());
    for (LayerPrecision lp : e.precisionPolicy().layerPrecisions().values()) {
      boolean blockGemm = lp.layer().matches("layers\\.\\d+\\.(attn\\.qkv|attn\\.o_proj|mlp\\..*)");
      assertThat(lp.precision()).as(lp.layer()).isEqualTo(blockGemm ? p : Precision.BF16);
    }
    return DryRun.of(e);
  }

  private static void check(DryRunReport r, Case c) {
    StepMemory m = r.memory();
    assertThat(m.parameters()).isEqualTo(c.parameters());
    assertThat(m.weights()).isEqualTo(c.weights());
    assertThat(m.masterWeights()).isEqualTo(4 * c.parameters());
    assertThat(m.gradients()).isEqualTo(4 * c.parameters());
    assertThat(m.optimizerState()).isEqualTo(8 * c.parameters());
    assertThat(m.activations()).isEqualTo(c.savedForBackward());
    assertThat(m.workspace()).isEqualTo(c.backwardWorkingSet());
    assertThat(r.targetMemoryBytes()).isEqualTo(180L << 30);
    double policy = c.stepSeconds(true);
    double bf16 = c.stepSeconds(false);
    assertThat(r.policyTime().get().totalSeconds()).isCloseTo(policy, within(policy * 1e-12));
    assertThat(r.bf16Time().get().totalSeconds()).isCloseTo(bf16, within(bf16 * 1e-12));
    assertThat(r.speedupVsBf16().get()).isCloseTo(bf16 / policy, within(1e-9));
  }

  @Test
  void llama7bMxfp8() {
    TransformerSpec spec = ModelPresets.llama7B();
    // MXFP8: one byte per element plus one E8M0 byte per 32; blocked along K, so training keeps
    // a second (column-wise) copy of every weight.
    LongBinaryOperator mx = (r, c) -> r * c + r * c / 32;
    Case c = new Case(spec, mx, mx, 2, 4500e12);
    assertThat(c.parameters()).isEqualTo(6_738_415_616L);
    DryRunReport r = dryRun(spec, Precision.MXFP8);
    check(r, c);
    // The figures in GB, as the report prints them, written out:
    assertThat(r.memory().weights() / 1e9).isCloseTo(13.882, within(5e-4));
    assertThat(r.memory().activations() / 1e9).isCloseTo(15.710, within(5e-4));
    assertThat(r.memory().total() / 1e9).isCloseTo(137.702, within(5e-4));
    assertThat(r.fitsTarget()).isTrue();
    assertThat(r.speedupVsBf16().get()).isCloseTo(1.703, within(5e-4));
  }

  @Test
  void llama70bNvfp4() {
    TransformerSpec spec = ModelPresets.llama70B();
    // NVFP4: half a byte per element, one UE4M3 byte per 16, one FP32 tensor scale. Weights
    // use 16x16 tiles (scales stored per row in the 1x16 layout), so one copy serves both
    // GEMM orientations.
    LongBinaryOperator nv = (r, c) -> r * c / 2 + r * c / 16 + 4;
    Case c = new Case(spec, nv, nv, 1, 9000e12);
    assertThat(c.parameters()).isEqualTo(68_976_648_192L);
    DryRunReport r = dryRun(spec, Precision.NVFP4);
    check(r, c);
    assertThat(r.fitsTarget()).isFalse();
  }
}
