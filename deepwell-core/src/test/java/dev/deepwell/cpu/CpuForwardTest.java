package dev.deepwell.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.compiler.CompileOptions;
import dev.deepwell.compiler.Engine;
import dev.deepwell.compiler.GraphCompiler;
import dev.deepwell.format.Bf16;
import dev.deepwell.ir.GraphCapture;
import dev.deepwell.ir.ShapeInference;
import dev.deepwell.kernel.CompileTarget;
import dev.deepwell.model.Architecture;
import dev.deepwell.model.Mode;
import dev.deepwell.model.ModelPresets;
import dev.deepwell.model.ModelSpec;
import dev.deepwell.model.MoeSpec;
import dev.deepwell.model.SequentialSpec;
import dev.deepwell.model.TransformerSpec;
import dev.deepwell.model.Workload;
import dev.deepwell.precision.FallbackEvent;
import dev.deepwell.precision.LayerPrecision;
import dev.deepwell.precision.Precision;
import dev.deepwell.precision.PrecisionConfig;
import dev.deepwell.precision.PrecisionReason;
import dev.deepwell.quant.Fp8BlockShape;
import dev.deepwell.quant.QuantFormat;
import dev.deepwell.quant.QuantOptions;
import dev.deepwell.quant.Quantizer;
import dev.deepwell.quant.Quantizers;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CpuForwardTest {

  private static final int BATCH = 2;
  private static final int SEQ = 16;

  private static final TransformerSpec LLAMA = ModelPresets.tiny();
  private static final TransformerSpec GPT2 = TransformerSpec.builder(Architecture.GPT2)
      .name("tiny-gpt2").vocabSize(80).dModel(64).layers(2).heads(4).ffnHidden(128)
      .maxSeqLen(32).tiedEmbeddings(true).build();
  private static final TransformerSpec MOE = LLAMA.toBuilder().name("tiny-moe")
      .moe(new MoeSpec(4, 2, 64)).build();

  private static Engine engine(ModelSpec spec, Mode mode, PrecisionConfig config) {
    return GraphCompiler.compile(GraphCapture.capture(spec, new Workload(BATCH, SEQ, mode)),
        CompileOptions.builder().precision(config).target(CompileTarget.cpu()).build());
  }

  private static ModelWeights weights(ModelSpec spec) {
    return ModelWeights.random(ShapeInference.run(GraphCapture.capture(spec,
        new Workload(BATCH, SEQ, Mode.INFERENCE))), 42);
  }

  private static int[] tokens(int vocab, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] t = new int[BATCH * SEQ];
    for (int i = 0; i < t.length; i++) {
      t[i] = r.nextInt(vocab);
    }
    return t;
  }

  private static float[] logits(TransformerSpec spec, Precision p, ModelWeights w, int[] tok) {
    return CpuExecutor.forward(engine(spec, Mode.INFERENCE, PrecisionConfig.of(p)), w, tok)
        .output("logits");
  }

  /** RMS of (a - ref) over RMS of ref. */
  private static double relativeRms(float[] a, double[] ref) {
    double num = 0;
    double den = 0;
    for (int i = 0; i < a.length; i++) {
      num += (a[i] - ref[i]) * (a[i] - ref[i]);
      den += ref[i] * ref[i];
    }
    return Math.sqrt(num / den);
  }

  private static double maxRelative(float[] a, double[] ref) {
    double max = 0;
    double scale = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - ref[i]));
      scale = Math.max(scale, Math.abs(ref[i]));
    }
    return max / scale;
  }

  @Test
  void fp32MatchesTheFp64ReferenceForEachArchitecture() {
    for (TransformerSpec spec : List.of(LLAMA, GPT2, MOE)) {
      ModelWeights w = weights(spec);
      int[] tok = tokens(spec.vocabSize(), 7);
      double[] ref = new ReferenceTransformer(spec, w).logits(tok, BATCH, SEQ);
      float[] got = logits(spec, Precision.FP32, w, tok);
      assertThat(got).hasSize(BATCH * SEQ * spec.vocabSize());
      assertThat(maxRelative(got, ref)).as(spec.name()).isLessThan(2e-5);
    }
  }

  @Test
  void lowerPrecisionsDegradeGracefully() {
    ModelWeights w = weights(LLAMA);
    int[] tok = tokens(LLAMA.vocabSize(), 11);
    double[] ref = new ReferenceTransformer(LLAMA, w).logits(tok, BATCH, SEQ);
    double bf16 = relativeRms(logits(LLAMA, Precision.BF16, w, tok), ref);
    double mxfp8 = relativeRms(logits(LLAMA, Precision.MXFP8, w, tok), ref);
    double fp8 = relativeRms(logits(LLAMA, Precision.FP8, w, tok), ref);
    double nvfp4 = relativeRms(logits(LLAMA, Precision.NVFP4, w, tok), ref);
    assertThat(bf16).isBetween(1e-4, 2e-2);
    assertThat(mxfp8).isBetween(bf16, 0.08);
    assertThat(fp8).isBetween(bf16, 0.08);
    assertThat(nvfp4).isBetween(mxfp8, 0.3);
  }

  @Test
  void trainingGraphComputesTheLoss() {
    ModelWeights w = weights(LLAMA);
    int[] tok = tokens(LLAMA.vocabSize(), 3);
    int[] labels = tokens(LLAMA.vocabSize(), 4);
    double[] ref = new ReferenceTransformer(LLAMA, w).logits(tok, BATCH, SEQ);
    ForwardResult r = CpuExecutor.forward(engine(LLAMA, Mode.TRAINING,
        PrecisionConfig.of(Precision.FP32)), w, tok, labels);
    double expected = ReferenceTransformer.crossEntropy(ref, labels, LLAMA.vocabSize());
    assertThat((double) r.output("loss")[0]).isCloseTo(expected,
        org.assertj.core.api.Assertions.within(1e-4 * expected));
    assertThatThrownBy(() -> CpuExecutor.forward(engine(LLAMA, Mode.TRAINING,
        PrecisionConfig.of(Precision.FP32)), w, tok)).hasMessageContaining("missing input "
        + "'labels'");
  }

  /** The bytes a GEMM in {@code p} reads, via the quantizers directly. */
  private static float[] emulate(float[] x, int rows, int cols, Precision p, boolean weight) {
    QuantFormat f;
    QuantOptions.Builder o = QuantOptions.builder();
    switch (p) {
      case FP8:
        f = QuantFormat.FP8_TENSOR;
        break;
      case FP8_BLOCK:
        f = QuantFormat.FP8_BLOCK;
        o.fp8BlockShape(weight ? Fp8BlockShape.WEIGHT_128X128 : Fp8BlockShape.ACT_1X128);
        break;
      case MXFP8:
        f = QuantFormat.MXFP8_E4M3;
        break;
      case NVFP4:
        f = weight ? QuantFormat.NVFP4_2D : QuantFormat.NVFP4;
        break;
      default:
        throw new AssertionError(p);
    }
    Quantizer q = Quantizers.forFormat(f);
    return q.dequantize(q.quantize(x, rows, cols, o.build()));
  }

  @Test
  void aLinearLayerEmulatesEachFormatExactly() {
    int k = 256;
    int n = 256;
    SequentialSpec s = SequentialSpec.builder("one").maxSeqLen(SEQ).inputFeatures(k)
        .linear("fc", k, n, false).build();
    SplittableRandom r = new SplittableRandom(5);
    int m = BATCH * SEQ;
    float[] x = new float[m * k];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    x[3] = 40f;       // an outlier in one block
    x[k + 7] = 0f;    // zeros and a denormal
    x[2 * k] = 1e-40f;
    for (Precision p : List.of(Precision.FP8, Precision.FP8_BLOCK, Precision.MXFP8,
        Precision.NVFP4)) {
      Engine e = engine(s, Mode.INFERENCE, PrecisionConfig.of(p));
      LayerPrecision lp = e.precisionPolicy().layer("fc");
      assertThat(lp.precision()).isEqualTo(p);
      assertThat(lp.emulated()).isTrue();
      ModelWeights w = ModelWeights.random(e.graph(), 9);
      float[] got = CpuExecutor.forwardFeatures(e, w, x).output("fc.out");
      float[] xb = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        xb[i] = Bf16.decode(Bf16.encode(x[i]));  // the input is stored in BF16 first
      }
      float[] xq = emulate(xb, m, k, p, false);
      float[] wm = w.get("fc.weight");
      float[] wq = emulate(wm, n, k, p, true);
      double differsFromBf16 = 0;
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double acc = 0;
          double plain = 0;
          for (int q = 0; q < k; q++) {
            acc += (double) xq[i * k + q] * wq[j * k + q];
            plain += (double) xb[i * k + q] * wm[j * k + q];
          }
          float expected = Bf16.decode(Bf16.encode((float) acc));
          float actual = got[i * n + j];
          // FP32 accumulation may land on the other side of a BF16 rounding boundary
          assertThat((double) Math.abs(actual - expected)).as(p + " at " + i + "," + j)
              .isLessThanOrEqualTo(Math.abs(expected) * 0x1p-7 + 1e-5);
          differsFromBf16 = Math.max(differsFromBf16, Math.abs(expected - plain));
        }
      }
      assertThat(differsFromBf16).as(p + " must actually quantize").isGreaterThan(1e-3);
    }
  }

  @Test
  void autoFallbackRecordsAndComputesInBf16() {
    ModelWeights w = weights(LLAMA);
    int[] tok = tokens(LLAMA.vocabSize(), 13);
    PrecisionConfig strict = PrecisionConfig.builder().defaultCompute(Precision.MXFP8)
        .enableAutoFallback(true).fallbackThreshold(1e-9).build();
    Engine e = engine(LLAMA, Mode.INFERENCE, strict);
    ForwardResult r = CpuExecutor.forward(e, w, tok);
    assertThat(r.runtimeFallbacks()).hasSize(8).allMatch(ev ->
        ev.phase() == FallbackEvent.Phase.RUNTIME && ev.reason() == PrecisionReason.AUTO_FALLBACK
            && ev.from() == Precision.MXFP8 && ev.to() == Precision.BF16);
    assertThat(r.policy().fallbackHistory()).containsExactlyElementsOf(r.runtimeFallbacks());
    assertThat(r.policy().layer("layers.0.attn.qkv").precision()).isEqualTo(Precision.BF16);
    assertThat(e.precisionPolicy().fallbackHistory()).isEmpty();
    // falling back everywhere computes exactly what the BF16 model computes
    assertThat(r.output("logits")).containsExactly(logits(LLAMA, Precision.BF16, w, tok));
    // the recorded policy compiles into an engine that runs those layers in BF16
    Engine again = GraphCompiler.compile(e.capturedGraph(), r.policy(), e.options());
    assertThat(again.graph().op("layers.0.attn.qkv").precision()).isEqualTo(Precision.BF16);

    PrecisionConfig lax = strict.toBuilder().fallbackThreshold(10).build();
    ForwardResult none = CpuExecutor.forward(engine(LLAMA, Mode.INFERENCE, lax), w, tok);
    assertThat(none.runtimeFallbacks()).isEmpty();
    assertThat(none.output("logits")).containsExactly(logits(LLAMA, Precision.MXFP8, w, tok));
  }

  @Test
  void badInputIsRefusedWithTheReason() {
    Engine e = engine(LLAMA, Mode.INFERENCE, PrecisionConfig.of(Precision.BF16));
    ModelWeights w = weights(LLAMA);
    int[] tok = tokens(LLAMA.vocabSize(), 1);
    tok[5] = 96;
    assertThatThrownBy(() -> CpuExecutor.forward(e, w, tok))
        .hasMessageContaining("token id 96 at position 5 is outside the vocabulary [0, 96)");
    assertThatThrownBy(() -> CpuExecutor.forward(e, w, new int[3]))
        .hasMessageContaining("must have 32 elements");
    assertThatThrownBy(() -> ModelWeights.of(e.graph(), Map.of("embedding.weight",
        new float[3]))).hasMessageContaining("parameter 'embedding.weight' has shape [96, 64]");
    ModelWeights gpt = weights(GPT2);
    assertThatThrownBy(() -> CpuExecutor.forward(e, gpt, tokens(80, 1)))
        .hasMessageContaining("weights for 'embedding.weight' have shape [80, 64], the model "
            + "needs [96, 64]");
  }
}
