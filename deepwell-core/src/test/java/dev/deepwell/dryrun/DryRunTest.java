package dev.deepwell.dryrun;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.deepwell.compiler.CompileOptions;
import dev.deepwell.compiler.Engine;
import dev.deepwell.compiler.GraphCompiler;
import dev.deepwell.ir.GraphCapture;
import dev.deepwell.kernel.CompileTarget;
import dev.deepwell.model.Mode;
import dev.deepwell.model.ModelPresets;
import dev.deepwell.model.Workload;
import dev.deepwell.precision.Precision;
import dev.deepwell.precision.PrecisionConfig;
import org.junit.jupiter.api.Test;

class DryRunTest {

  private static Engine compile(Mode mode, Precision p, CompileTarget t, long budget) {
    CompileOptions.Builder b = CompileOptions.builder().precision(PrecisionConfig.of(p))
        .target(t);
    if (budget > 0) {
      b.memoryBudgetBytes(budget);
    }
    return GraphCompiler.compile(GraphCapture.capture(ModelPresets.benchmark(),
        new Workload(16, 1024, mode)), b.build());
  }

  @Test
  void cpuTargetHasNoSpeedupAndSaysWhy() {
    DryRunReport r = DryRun.of(compile(Mode.TRAINING, Precision.MXFP8, CompileTarget.cpu(), -1));
    assertThat(r.speedupVsBf16()).isEmpty();
    assertThat(r.speedupUnavailableReason()).get().asString().contains("target cpu");
    assertThat(r.render()).contains("speedup vs BF16: unavailable").contains("weights")
        .contains("optimizer state");
    assertThat(r.fitsTarget()).isFalse();
  }

  @Test
  void reportStatesTheModelAndExportsJson() {
    DryRunReport r = DryRun.of(compile(Mode.TRAINING, Precision.NVFP4,
        CompileTarget.named("b200"), -1));
    assertThat(r.speedupVsBf16()).get().satisfies(s -> assertThat(s).isGreaterThan(1.0));
    String text = r.render();
    assertThat(text).contains("expected speedup vs BF16").contains("roofline")
        .contains("backward = forward x 2.0 for GEMMs, x 2.5 for attention")
        .contains("1 GB = 10^9 bytes").contains("NVFP4 9000.0");
    JsonObject j = JsonParser.parseString(r.toJson()).getAsJsonObject();
    assertThat(j.getAsJsonObject("memory").get("totalBytes").getAsLong())
        .isEqualTo(r.memory().total());
    assertThat(j.get("speedupVsBf16").getAsDouble()).isEqualTo(r.speedupVsBf16().get());
    assertThat(j.getAsJsonArray("assumptions").size()).isEqualTo(r.assumptions().size());
    assertThat(j.getAsJsonObject("layersByPrecision").get("nvfp4").getAsInt()).isPositive();
  }

  @Test
  void inferenceHasNoTrainingState() {
    DryRunReport r = DryRun.of(compile(Mode.INFERENCE, Precision.MXFP8,
        CompileTarget.named("rtx5090"), -1));
    assertThat(r.memory().masterWeights()).isZero();
    assertThat(r.memory().gradients()).isZero();
    assertThat(r.memory().optimizerState()).isZero();
    assertThat(r.policyTime().get().backwardSeconds()).isZero();
    assertThat(r.fitsTarget()).isTrue();
  }

  @Test
  void recomputationCostsTime() {
    Engine free = compile(Mode.TRAINING, Precision.MXFP8, CompileTarget.named("b200"), -1);
    Engine tight = compile(Mode.TRAINING, Precision.MXFP8, CompileTarget.named("b200"),
        free.stepMemory().total() * 2 / 3);
    DryRunReport a = DryRun.of(free);
    DryRunReport b = DryRun.of(tight);
    assertThat(b.recomputedBlocks()).isNotEmpty();
    assertThat(b.render()).contains("recomputed blocks");
    assertThat(b.policyTime().get().recomputeSeconds()).isPositive();
    assertThat(b.policyTime().get().totalSeconds())
        .isGreaterThan(a.policyTime().get().totalSeconds());
  }
}
