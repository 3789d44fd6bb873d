package dev.deepwell.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.deepwell.compiler.CompileOptions;
import dev.deepwell.compiler.Engine;
import dev.deepwell.compiler.GraphCompiler;
import dev.deepwell.ir.Graph;
import dev.deepwell.ir.GraphCapture;
import dev.deepwell.kernel.CompileTarget;
import dev.deepwell.model.Mode;
import dev.deepwell.model.ModelPresets;
import dev.deepwell.model.Workload;
import dev.deepwell.precision.Precision;
import dev.deepwell.precision.PrecisionConfig;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RecomputePlannerTest {

  private static final CompileTarget B200 = CompileTarget.named("b200");

  private static Engine compile(int batch, long budget) {
    CompileOptions.Builder b = CompileOptions.builder().precision(PrecisionConfig.of(
        Precision.MXFP8)).target(B200);
    if (budget > 0) {
      b.memoryBudgetBytes(budget);
    }
    return GraphCompiler.compile(GraphCapture.capture(ModelPresets.benchmark(),
        new Workload(batch, 1024, Mode.TRAINING)), b.build());
  }

  private static long total(Graph g, int blocks) {
    List<Integer> first = IntStream.range(0, blocks).boxed().collect(Collectors.toList());
    MemoryPlan p = MemoryPlanner.plan(g, new LinkedHashSet<>(first));
    return StepMemory.of(g, p, B200, TrainingSetup.defaults(), 0).total();
  }

  @Test
  void recomputesTheFewestBlocksThatFit() {
    Engine free = compile(8, -1);
    Graph g = free.graph();
    long budget = (total(g, 0) + total(g, 12)) / 2;
    MemoryPlan p = RecomputePlanner.fit(g, B200, TrainingSetup.defaults(), 0, budget);
    int k = p.recomputedBlocks().size();
    assertThat(k).isBetween(1, 11);
    assertThat(total(g, k)).isLessThanOrEqualTo(budget);
    assertThat(total(g, k - 1)).isGreaterThan(budget);
    assertThat(p.recomputedBlocks()).containsExactlyElementsOf(
        IntStream.range(0, k).boxed().collect(Collectors.toList()));
    assertThat(RecomputePlanner.fit(g, B200, TrainingSetup.defaults(), 0, total(g, 0))
        .recomputedBlocks()).isEmpty();
  }

  @Test
  void aBatchThatCannotFitSaysWhatWould() {
    Engine free = compile(64, -1);
    StepMemory m = free.stepMemory();
    long fixed = m.weights() + m.masterWeights() + m.gradients() + m.optimizerState();
    long budget = fixed + 2_000_000_000L;
    MemoryBudgetExceededException e = catchThrowableOfType(() -> compile(64, budget),
        MemoryBudgetExceededException.class);
    assertThat(e).isNotNull();
    assertThat(e.budgetBytes()).isEqualTo(budget);
    assertThat(e.getMessage()).contains("batch 64 x seqLen 1024")
        .contains("sequences per batch would fit");
    int max = e.maxBatch();
    assertThat(max).isBetween(1, 63);
    // the estimate is good: that batch fits the budget (recomputing as needed)
    assertThat(compile(max, budget).stepMemory().total()).isLessThanOrEqualTo(budget);
    MemoryBudgetExceededException none = catchThrowableOfType(() -> compile(1, fixed / 2),
        MemoryBudgetExceededException.class);
    assertThat(none.maxBatch()).isZero();
    assertThat(none.getMessage()).contains("optimizer state alone need");
  }
}
