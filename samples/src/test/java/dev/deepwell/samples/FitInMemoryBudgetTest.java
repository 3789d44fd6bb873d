package dev.deepwell.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepwell.compiler.Engine;
import dev.deepwell.dsl.Deepwell;
import dev.deepwell.precision.Precision;
import org.junit.jupiter.api.Test;

class FitInMemoryBudgetTest {

  @Test
  void stepsDownToTheEstimatedBatchAndRecomputesBlocksToFit() {
    int[] fitted = new int[1];
    String out = SampleOutput.capture(o -> fitted[0] =
        FitInMemoryBudget.run(o, "llama-1b", "rtx5090", 30.0, 8, 4096));
    assertThat(fitted[0]).isEqualTo(2);
    assertThat(out).contains("batch 8: does not fit")
        .contains("even with all 16 blocks recomputed")
        .contains("about 2 sequences per batch would fit")
        .contains("-> trying batch 2")
        .contains("batch 2: fits");
    double printedTotal = SampleOutput.number(out, "batch 2: fits, (\\S+) GB of 30\\.0 GB");
    assertThat(printedTotal).isLessThanOrEqualTo(30.0);

    // Independently: the same step without a budget does not fit 30 GB, so the recomputation the
    // sample reports was needed, and it is what brought the total down to the printed figure.
    Engine unbudgeted = Deepwell.model("llama-1b").precision(Precision.MXFP8).training()
        .batch(2).seqLen(4096).target("rtx5090").optimize();
    assertThat(unbudgeted.stepMemory().total()).isGreaterThan(30_000_000_000L);
    assertThat(unbudgeted.memoryPlan().recomputedBlocks()).isEmpty();
    assertThat(out).containsPattern("recomputed blocks: \\[0, 1, .*\\]");
    assertThat(SampleOutput.number(out, "of which recomputation (\\S+) ms")).isPositive();
  }

  @Test
  void saysSoWhenTheOptimizerStateAloneIsOverBudget() {
    int[] fitted = {-1};
    String out = SampleOutput.capture(o -> fitted[0] =
        FitInMemoryBudget.run(o, "llama-1b", "rtx5090", 20.0, 1, 4096));
    assertThat(fitted[0]).isZero();
    assertThat(out).contains("batch 1: does not fit")
        .contains("weights, master weights, gradients and optimizer state alone need")
        .contains("-> no batch fits");
  }
}
