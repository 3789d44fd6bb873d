package dev.deepwell.samples;

import dev.deepwell.compiler.Engine;
import dev.deepwell.cpu.CpuExecutor;
import dev.deepwell.cpu.ForwardResult;
import dev.deepwell.cpu.ModelWeights;
import dev.deepwell.dsl.Deepwell;
import dev.deepwell.model.ActivationKind;
import dev.deepwell.model.SequentialSpec;
import dev.deepwell.precision.Precision;
import java.io.PrintStream;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Builds a small custom model with the sequential builder, compiles it for the CPU backend in
 * FP32, BF16 and MXFP8, runs one forward pass of each on the same weights and tokens, and compares
 * the logits. The CPU backend emulates every format bit-exactly (values are stored as the format
 * stores them, math is FP32), so this is how to measure what a format does to a model before
 * renting the GPU that runs it fast.
 *
 * <p>Run: {@code java -cp "samples/target/classes:samples/target/lib/*"
 * dev.deepwell.samples.CustomModelOnCpu [seqLen [seed]]}.
 */
public final class CustomModelOnCpu {

  /** Vocabulary and widths are multiples of 32 so every GEMM can take MXFP8 (K and N aligned). */
  static final int VOCAB = 256;
  static final int WIDTH = 128;
  static final int HIDDEN = 256;
  static final int MAX_SEQ = 64;

  private CustomModelOnCpu() {}

  public static void main(String[] args) {
    int seqLen = args.length > 0 ? Integer.parseInt(args[0]) : MAX_SEQ;
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 42L;
    run(System.out, seqLen, seed);
  }

  /** One attention block and one MLP, pre-norm, without residuals: a model small enough to read. */
  public static SequentialSpec model() {
    return SequentialSpec.builder("tiny-custom")
        .maxSeqLen(MAX_SEQ)
        .embedding("embedding", VOCAB, WIDTH)
        .rmsNorm("attn_norm", WIDTH)
        // 4 query heads sharing 2 key/value heads (grouped-query), rotary positions, causal.
        .attention("attn", WIDTH, 4, 2, true, true)
        .rmsNorm("mlp_norm", WIDTH)
        .linear("mlp.up", WIDTH, HIDDEN, false)
        .activation("mlp.act", ActivationKind.GELU)
        .linear("mlp.down", HIDDEN, WIDTH, false)
        .rmsNorm("final_norm", WIDTH)
        // Naming the last projection "lm_head" gives it the LM_HEAD role: the policy keeps the
        // layer that produces the logits in BF16 whatever the default precision.
        .linear("lm_head", WIDTH, VOCAB, false)
        .build();
  }

  /** The whole sample, printing to {@code out}. */
  public static void run(PrintStream out, int seqLen, long seed) {
    SequentialSpec spec = model();
    out.printf(Locale.ROOT, "Model %s: %d layers, %,d parameters; one sequence of %d tokens%n%n",
        spec.name(), spec.layers().size(), spec.parameterCount(), seqLen);

    // Inference mode: the graph ends at the logits (training would add the loss and need labels).
    Engine fp32 = compile(spec, Precision.FP32, seqLen);
    Engine bf16 = compile(spec, Precision.BF16, seqLen);
    Engine mxfp8 = compile(spec, Precision.MXFP8, seqLen);

    out.println("MXFP8 plan, precision per layer:");
    out.print(mxfp8.precisionPolicy().summary());
    out.println();
    out.println("MXFP8 plan, kernels:");
    out.print(mxfp8.getKernelSummary());
    out.println();

    // One set of FP32 master weights for all three engines: the parameters are the same, only
    // the format each layer reads them in differs. The CPU executor quantizes the weight copies
    // from these masters itself, as a GPU step would after each optimizer update.
    ModelWeights weights = ModelWeights.random(fp32.capturedGraph(), seed);
    int[] tokens = new SplittableRandom(seed).ints(seqLen, 0, VOCAB).toArray();

    float[] reference = logits(CpuExecutor.forward(fp32, weights, tokens));
    float[] bf16Logits = logits(CpuExecutor.forward(bf16, weights, tokens));
    float[] mxfp8Logits = logits(CpuExecutor.forward(mxfp8, weights, tokens));

    out.printf(Locale.ROOT, "Logits [%d x %d] compared (relative RMS error, max |diff|, tokens"
        + " whose top-1 prediction matches):%n", seqLen, VOCAB);
    compare(out, "bf16  vs fp32", bf16Logits, reference);
    compare(out, "mxfp8 vs fp32", mxfp8Logits, reference);
    compare(out, "mxfp8 vs bf16", mxfp8Logits, bf16Logits);
  }

  /** "cpu" is a named target like "b200": the same compiler, with every format emulated. */
  private static Engine compile(SequentialSpec spec, Precision precision, int seqLen) {
    return Deepwell.model(spec).precision(precision).inference().batch(1).seqLen(seqLen)
        .target("cpu").optimize();
  }

  /** An inference graph has one output, the logits of the last layer ("lm_head.out"). */
  private static float[] logits(ForwardResult result) {
    return result.output("lm_head.out");
  }

  private static void compare(PrintStream out, String label, float[] y, float[] ref) {
    double signal = 0;
    double noise = 0;
    double maxAbs = 0;
    for (int i = 0; i < ref.length; i++) {
      double d = (double) y[i] - ref[i];
      signal += (double) ref[i] * ref[i];
      noise += d * d;
      maxAbs = Math.max(maxAbs, Math.abs(d));
    }
    int tokens = ref.length / VOCAB;
    int sameTop1 = 0;
    for (int t = 0; t < tokens; t++) {
      if (argmax(y, t * VOCAB) == argmax(ref, t * VOCAB)) {
        sameTop1++;
      }
    }
    out.printf(Locale.ROOT, "  %s: rel RMS %.3e, max |diff| %.3e, top-1 agrees %d/%d%n", label,
        Math.sqrt(noise / signal), maxAbs, sameTop1, tokens);
  }

  private static int argmax(float[] a, int offset) {
    int best = 0;
    for (int i = 1; i < VOCAB; i++) {
      if (a[offset + i] > a[offset + best]) {
        best = i;
      }
    }
    return best;
  }
}
