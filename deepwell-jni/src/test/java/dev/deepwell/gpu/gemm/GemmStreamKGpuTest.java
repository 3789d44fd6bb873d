package dev.deepwell.gpu.gemm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepwell.kernel.GemmActivation;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmKernelCatalog;
import dev.deepwell.kernel.GemmOutput;
import dev.deepwell.kernel.GemmPreference;
import dev.deepwell.kernel.GemmProblem;
import dev.deepwell.kernel.GemmVariant;
import dev.deepwell.kernel.KernelProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

/**
 * The stream-K CUTLASS configurations (and the BF16 split-K with a separate reduction, which cuts
 * this problem's K into several ranges) on shapes where they really split K: few output tiles
 * (ragged 200 x 136: 2 x 2 tiles of 128x128) and K = 2048 (32 k-tiles of 64 for BF16, 16 of 128
 * for FP8), so several SMs share every tile and pass their partial sums along before the last
 * one runs the epilogue. Every epilogue must apply once to the whole sum; two runs of a plan must
 * give the same bits (the partial sums are added in K order).
 */
@Tag("gpu")
class GemmStreamKGpuTest {

  private static GpuGemmFixture fx;

  @BeforeAll
  static void open() {
    fx = GpuGemmFixture.openOrSkip();
  }

  @AfterAll
  static void close() {
    if (fx != null) {
      fx.close();
    }
  }

  private static List<GemmProblem> problems(GemmInput in) {
    GemmProblem base = GemmProblem.builder(200, 136, 2048, in).build();
    return List.of(base,
        base.toBuilder().bias(true).build(),
        base.toBuilder().activation(GemmActivation.GELU).bias(true).residual(true).alpha(0.5f).outScale(1.25f)
            .build(),
        base.toBuilder().activation(GemmActivation.SILU).output(GemmOutput.FP32).residual(true).outScale(-2f).build());
  }

  @TestFactory
  Stream<DynamicTest> everyStreamKConfigurationMatchesTheReferenceWithEveryEpilogue() {
    Assumptions.assumeTrue(fx.gemm.target().smVersion() == 90, "CUTLASS sm90 kernels need an sm_90 device");
    List<DynamicTest> tests = new ArrayList<>();
    for (GemmVariant v : fx.gemm.catalog().variants()) {
      // stream-K, and split-K with a separate reduction (its K ranges in FP32 slots, added by a
      // second kernel that applies the epilogue): both must apply the epilogue once, in K order
      boolean splitsK = v.schedule().equals(GemmKernelCatalog.STREAM_K)
          || v.schedule().equals(GemmKernelCatalog.SPLIT_K_REDUCE);
      if (v.provider() != KernelProvider.CUTLASS || !splitsK) {
        continue;
      }
      for (GemmProblem p : problems(v.input())) {
        tests.add(DynamicTest.dynamicTest(v.name() + ": " + p, () -> {
          GemmTestData data = GemmTestData.random(p, 77 + v.index() + 31L * p.hashCode());
          GemmPreference pref = GemmPreference.variant(v.provider(), v.index());
          GpuGemmFixture.Run first = fx.run(data, pref, 0);
          assertThat(first.plan().kernelName()).isEqualTo(v.name());
          assertThat(first.plan().workspaceBytes()).as("the partial sums and flags live in the workspace")
              .isPositive();
          assertThat(GemmTolerance.check(data, first.d())).as("%s on %s", p, v.name()).isNull();
          GpuGemmFixture.Run second = fx.run(data, pref, 0);
          assertThat(Arrays.equals(first.d(), second.d())).as("two runs of %s give the same bits", v.name()).isTrue();
        }));
      }
    }
    assertThat(tests).as("this library has stream-K configurations").isNotEmpty();
    return tests.stream();
  }
}
