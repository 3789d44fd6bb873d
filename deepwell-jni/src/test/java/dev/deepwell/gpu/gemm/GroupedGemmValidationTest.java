package dev.deepwell.gpu.gemm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.gpu.gemm.GroupedGemmOperands.Field;
import dev.deepwell.kernel.GemmActivation;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmOutput;
import dev.deepwell.quant.Fp8BlockShape;
import dev.deepwell.quant.QuantFormat;
import dev.deepwell.quant.QuantOptions;
import org.junit.jupiter.api.Test;

/**
 * Every bad grouped GEMM call fails in Java, before any native call, with an exception naming
 * the argument; good calls pass. No GPU: the buffers are address ranges ({@link FakeMemory}).
 */
class GroupedGemmValidationTest {

  // G = 4 experts, up to 100 tokens, N = 64, K = 256 (2 scale blocks)
  private static final GroupedGemmProblem BF16 = GroupedGemmProblem.builder(4, 100, 64, 256, GemmInput.BF16).build();
  private static final GroupedGemmProblem FP8 =
      GroupedGemmProblem.builder(4, 100, 64, 256, GemmInput.FP8_BLOCK128).build();
  private static final int[] SIZES = {30, 0, 50, 20};

  private static GroupedGemmOperands.Builder bf16Ops() {
    return GroupedGemmOperands.builder().a(FakeMemory.view(100 * 256 * 2)).b(FakeMemory.view(4 * 64 * 256 * 2))
        .d(FakeMemory.view(100 * 64 * 2)).groupSizes(FakeMemory.view(16));
  }

  private static GroupedGemmOperands.Builder fp8Ops() {
    return GroupedGemmOperands.builder().a(FakeMemory.view(100 * 256)).b(FakeMemory.view(4 * 64 * 256))
        .d(FakeMemory.view(100 * 64 * 2)).scaleA(FakeMemory.view(2 * 100 * 4)).scaleB(FakeMemory.view(4 * 2 * 4))
        .groupSizes(SIZES);
  }

  private static void validate(GroupedGemmProblem p, GroupedGemmOperands ops) {
    GroupedGemmValidator.validate(p, ops, 0);
  }

  @Test
  void problemArgumentsAreCheckedAndNamed() {
    assertThatThrownBy(() -> GroupedGemmProblem.builder(0, 10, 8, 8, GemmInput.BF16))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("groups must be in [1, 65536], got 0");
    assertThatThrownBy(() -> GroupedGemmProblem.builder(65537, 10, 8, 8, GemmInput.BF16))
        .hasMessageStartingWith("groups must be in [1, 65536]");
    assertThatThrownBy(() -> GroupedGemmProblem.builder(2, -1, 8, 8, GemmInput.BF16))
        .hasMessage("maxTotalM must be in [0, 2^31 - 1], got -1");
    assertThatThrownBy(() -> GroupedGemmProblem.builder(2, 1L << 31, 8, 8, GemmInput.BF16))
        .hasMessageStartingWith("maxTotalM must be in");
    assertThatThrownBy(() -> GroupedGemmProblem.builder(2, 10, 0, 8, GemmInput.BF16))
        .hasMessage("n must be in [1, 2^31 - 1], got 0");
    assertThatThrownBy(() -> GroupedGemmProblem.builder(2, 10, 8, 0, GemmInput.BF16))
        .hasMessage("k must be in [1, 2^31 - 1], got 0");
    assertThatThrownBy(() -> GroupedGemmProblem.builder(2, 10, 8, 8, GemmInput.MXFP8))
        .hasMessage("input mxfp8: grouped GEMMs take bf16 or fp8-block128 operands");
    assertThatThrownBy(() -> GroupedGemmProblem.builder(2, 10, 8, 8, null)).isInstanceOf(NullPointerException.class)
        .hasMessage("input");
    assertThatThrownBy(() -> BF16.toBuilder().alpha(Float.NaN)).hasMessage("alpha must be finite, got NaN");
    assertThatThrownBy(() -> BF16.toBuilder().outScale(Float.POSITIVE_INFINITY))
        .hasMessage("outScale must be finite, got Infinity");
    // 65536 experts of 2^31 - 1 squared elements: no buffer of that size has a long byte count
    assertThatThrownBy(() -> GroupedGemmProblem.builder(65536, 10, Integer.MAX_VALUE, Integer.MAX_VALUE,
        GemmInput.BF16).build()).hasMessageContaining("would exceed 2^63 bytes");
  }

  @Test
  void aProblemIsAValue() {
    GroupedGemmProblem p = BF16.toBuilder().output(GemmOutput.FP32).activation(GemmActivation.SILU).bias(true)
        .alpha(0.5f).build();
    assertThat(p).isEqualTo(p.toBuilder().build()).hasSameHashCodeAs(p.toBuilder().build()).isNotEqualTo(BF16);
    assertThat(p.sameShape(p.toBuilder().alpha(2f).outScale(3f).build())).isTrue();
    assertThat(p.sameShape(BF16)).isFalse();
    assertThat(p.toString()).isEqualTo("grouped GEMM bf16 G=4 maxTotalM=100 N=64 K=256 -> fp32 +silu +bias alpha=0.5");
    assertThat(BF16.flops(100)).isEqualTo(2.0 * 100 * 64 * 256);
  }

  @Test
  void completeCallsPass() {
    validate(BF16, bf16Ops().build());
    validate(BF16, bf16Ops().groupSizes(SIZES).build());
    validate(FP8, fp8Ops().build());
    validate(FP8, fp8Ops().groupSizes(FakeMemory.shaped(32, 4)).sizesClamped(FakeMemory.view(4)).build());
    GroupedGemmProblem biased = BF16.toBuilder().bias(true).output(GemmOutput.FP32).build();
    validate(biased, bf16Ops().d(FakeMemory.view(100 * 64 * 4)).bias(FakeMemory.view(4 * 64 * 4)).build());
    // every group empty: maxTotalM = 0 still needs the buffers, of any size
    GroupedGemmProblem none = GroupedGemmProblem.builder(3, 0, 64, 256, GemmInput.BF16).build();
    validate(none, bf16Ops().groupSizes(new int[] {0, 0, 0}).build());
  }

  @Test
  void theExpectedSizesFollowTheHeader() {
    // FP8 block128, G=4, maxTotalM=100, N=64 (1 block of 128), K=256 (2 blocks)
    assertThat(GroupedGemmValidator.expect(FP8, Field.A).bytes()).isEqualTo(100 * 256);
    assertThat(GroupedGemmValidator.expect(FP8, Field.B).bytes()).isEqualTo(4 * 64 * 256);
    assertThat(GroupedGemmValidator.expect(FP8, Field.D).bytes()).isEqualTo(100 * 64 * 2);
    assertThat(GroupedGemmValidator.expect(FP8, Field.SCALE_A).bytes()).isEqualTo(4 * 2 * 100);
    assertThat(GroupedGemmValidator.expect(FP8, Field.SCALE_B).bytes()).isEqualTo(4 * 4 * 1 * 2);
    assertThat(GroupedGemmValidator.expect(FP8, Field.BIAS)).isNull();
    assertThat(GroupedGemmValidator.expect(BF16, Field.SCALE_A)).isNull();
    assertThat(GroupedGemmValidator.expect(BF16, Field.GROUP_SIZES).bytes()).isEqualTo(16);
    GroupedGemmProblem f32Bias = BF16.toBuilder().output(GemmOutput.FP32).bias(true).build();
    assertThat(GroupedGemmValidator.expect(f32Bias, Field.BIAS).bytes()).isEqualTo(4 * 64 * 4);
    assertThat(GroupedGemmValidator.expect(f32Bias, Field.D).bytes()).isEqualTo(100 * 64 * 4);
    // ragged N and K round their scale blocks up: N = 200 -> 2, K = 300 -> 3
    GroupedGemmProblem ragged = GroupedGemmProblem.builder(3, 10, 200, 300, GemmInput.FP8_BLOCK128).build();
    assertThat(GroupedGemmValidator.expect(ragged, Field.SCALE_A).bytes()).isEqualTo(4 * 3 * 10);
    assertThat(GroupedGemmValidator.expect(ragged, Field.SCALE_B).bytes()).isEqualTo(4 * 3 * 2 * 3);
  }

  @Test
  void missingAndSurplusArgumentsAreNamed() {
    assertThatThrownBy(() -> validate(BF16, bf16Ops().a(null).build())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("a is missing: grouped GEMM bf16 G=4").hasMessageEndingWith("([maxTotalM, K] bf16)");
    assertThatThrownBy(() -> validate(BF16, bf16Ops().d(null).build())).hasMessageStartingWith("d is missing");
    assertThatThrownBy(() -> validate(FP8, fp8Ops().scaleB(null).build())).hasMessageStartingWith("scaleB is missing")
        .hasMessageContaining("[G, ceil(N/128), ceil(K/128)] FP32");
    assertThatThrownBy(() -> validate(BF16, bf16Ops().scaleA(FakeMemory.view(4)).build()))
        .hasMessage("scaleA was given, but bf16 operands have no scales");
    assertThatThrownBy(() -> validate(BF16, bf16Ops().bias(FakeMemory.view(512)).build()))
        .hasMessageStartingWith("bias was given, but the problem has none");
    GroupedGemmProblem biased = BF16.toBuilder().bias(true).build();
    assertThatThrownBy(() -> validate(biased, bf16Ops().build())).hasMessageStartingWith("bias is missing")
        .hasMessageEndingWith("([G, N] bf16)");
    GroupedGemmOperands noSizes = GroupedGemmOperands.builder().a(FakeMemory.view(100 * 256 * 2))
        .b(FakeMemory.view(4 * 64 * 256 * 2)).d(FakeMemory.view(100 * 64 * 2)).build();
    assertThatThrownBy(() -> validate(BF16, noSizes)).hasMessageStartingWith("groupSizes is missing: give the G = 4");
  }

  @Test
  void hostGroupSizesAreChecked() {
    assertThatThrownBy(() -> validate(BF16, bf16Ops().groupSizes(new int[] {1, 2, 3}).build()))
        .hasMessage("hostGroupSizes has 3 entries, the problem has G = 4 groups");
    assertThatThrownBy(() -> validate(BF16, bf16Ops().groupSizes(new int[] {1, -2, 3, 4}).build()))
        .hasMessage("hostGroupSizes[1] = -2 must be >= 0");
    assertThatThrownBy(() -> validate(BF16, bf16Ops().groupSizes(new int[] {60, 0, 41, 0}).build()))
        .hasMessage("hostGroupSizes: groups 0..2 hold 101 rows, more than maxTotalM = 100");
    // exactly maxTotalM rows is fine; the builder copies the array
    int[] sizes = {60, 0, 40, 0};
    GroupedGemmOperands ops = bf16Ops().groupSizes(sizes).build();
    sizes[0] = 1000;
    validate(BF16, ops);
    assertThat(ops.hostGroupSizes()).get().isEqualTo(new int[] {60, 0, 40, 0});
    assertThat(ops.deviceGroupSizes()).isEmpty();
  }

  @Test
  void theLastSourceOfGroupSizesWins() {
    DeviceView device = FakeMemory.view(16);
    GroupedGemmOperands ops = bf16Ops().groupSizes(SIZES).groupSizes(device).build();
    assertThat(ops.hostGroupSizes()).isEmpty();
    assertThat(ops.deviceGroupSizes()).containsSame(device);
    GroupedGemmOperands back = ops.toBuilder().groupSizes(SIZES).build();
    assertThat(back.deviceGroupSizes()).isEmpty();
    assertThat(back.hostGroupSizes()).get().isEqualTo(SIZES);
  }

  @Test
  void tooSmallBuffersAreRefused() {
    assertThatThrownBy(() -> validate(BF16, bf16Ops().a(FakeMemory.view(100 * 256 * 2 - 1)).build()))
        .hasMessageStartingWith("a needs 51200 bytes ([maxTotalM, K] bf16 for G=4, maxTotalM=100, N=64, K=256), "
            + "the view has 51199");
    assertThatThrownBy(() -> validate(BF16, bf16Ops().b(FakeMemory.view(3 * 64 * 256 * 2)).build()))
        .hasMessageStartingWith("b needs 131072 bytes");
    assertThatThrownBy(() -> validate(BF16, bf16Ops().groupSizes(FakeMemory.view(12)).build()))
        .hasMessageStartingWith("groupSizes needs 16 bytes ([G] int32 group sizes");
    assertThatThrownBy(() -> validate(FP8, fp8Ops().scaleA(FakeMemory.view(2 * 100 * 4 - 4)).build()))
        .hasMessageStartingWith("scaleA needs 800 bytes");
    assertThatThrownBy(() -> validate(BF16, bf16Ops().sizesClamped(FakeMemory.view(2)).build()))
        .hasMessageStartingWith("sizesClamped needs 4 bytes");
  }

  @Test
  void misalignedBuffersAreRefused() {
    DeviceView.Memory mem = FakeMemory.allocate(1 << 20);
    assertThatThrownBy(() -> validate(BF16, bf16Ops().a(DeviceView.of(mem, 8, 0, null, null)).build()))
        .hasMessageContaining("a at 0x").hasMessageContaining("is not 16-byte aligned (TMA reads it)");
    assertThatThrownBy(() -> validate(BF16, bf16Ops().d(DeviceView.of(mem, 4096 + 32 + 2, 0, null, null)).build()))
        .hasMessageContaining("d at 0x").hasMessageContaining("16-byte aligned");
    assertThatThrownBy(() -> validate(FP8, fp8Ops().scaleB(DeviceView.of(mem, 2, 0, null, null)).build()))
        .hasMessageContaining("scaleB at 0x").hasMessageContaining("is not 4-byte aligned");
    // 4-byte alignment is enough for the FP32 scales and the int32 sizes
    validate(FP8, fp8Ops().scaleB(DeviceView.of(mem, 4, 0, null, null))
        .groupSizes(DeviceView.of(mem, 8192 + 4, 0, null, null)).build());
  }

  @Test
  void closedBuffersThrowIllegalState() {
    FakeMemory m = FakeMemory.allocate(4 * 64 * 256 * 2);
    m.closed = true;
    assertThatThrownBy(() -> validate(BF16, bf16Ops().b(DeviceView.of(m, 0, 0, null, null)).build()))
        .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("b is closed");
  }

  @Test
  void buffersOnAnotherDeviceAreRefused() {
    DeviceView other = DeviceView.of(new FakeMemory(0x10_0000_0000L, 1 << 20, 1), 0, 0, null, null);
    assertThatThrownBy(() -> validate(BF16, bf16Ops().groupSizes(other).build()))
        .hasMessage("groupSizes is on device 1, the grouped GEMM runs on device 0");
  }

  @Test
  void declaredShapesMustMatchTheProblem() {
    assertThatThrownBy(() -> validate(BF16, bf16Ops().a(FakeMemory.shaped(16, 100, 255)).build()))
        .hasMessage("a is [100, 255], the problem needs [100, 256] ([maxTotalM, K] bf16 for G=4, maxTotalM=100, "
            + "N=64, K=256)");
    assertThatThrownBy(() -> validate(BF16, bf16Ops().b(FakeMemory.shaped(8, 4, 64, 256)).build()))
        .hasMessageStartingWith("b holds 8-bit elements, the problem needs 16-bit");
    assertThatThrownBy(() -> validate(BF16, bf16Ops().groupSizes(FakeMemory.shaped(32, 5)).build()))
        .hasMessageStartingWith("groupSizes is [5], the problem needs [4]");
    // A's scales are one run of blocks of varying shape: any shape with the right count will do
    validate(FP8, fp8Ops().scaleA(FakeMemory.shaped(32, 2, 100)).scaleB(FakeMemory.shaped(32, 4, 1, 2)).build());
    assertThatThrownBy(() -> validate(FP8, fp8Ops().scaleA(FakeMemory.shaped(32, 2, 99)).build()))
        .hasMessageStartingWith("scaleA is [2, 99], the problem needs [200]");
  }

  @Test
  void quantizedOperandsMustBeOfTheProblemsFormatAndBlockShape() {
    QuantTag act = new QuantTag(QuantFormat.FP8_BLOCK, QuantOptions.builder().fp8BlockShape(Fp8BlockShape.ACT_1X128)
        .build());
    QuantTag weight = new QuantTag(QuantFormat.FP8_BLOCK,
        QuantOptions.builder().fp8BlockShape(Fp8BlockShape.WEIGHT_128X128).build());
    DeviceView actA = DeviceView.of(FakeMemory.allocate(100 * 256), 0, 8, new long[] {100, 256}, act);
    DeviceView weightB = DeviceView.of(FakeMemory.allocate(4 * 64 * 256), 0, 8, new long[] {4, 64, 256}, weight);
    validate(FP8, fp8Ops().a(actA).b(weightB).build());
    DeviceView weightA = DeviceView.of(FakeMemory.allocate(100 * 256), 0, 8, new long[] {100, 256}, weight);
    assertThatThrownBy(() -> validate(FP8, fp8Ops().a(weightA).build()))
        .hasMessage("a has WEIGHT_128X128 blocks, the grouped FP8 block128 GEMM reads ACT_1X128 for a");
    DeviceView taggedBf16 = DeviceView.of(FakeMemory.allocate(100 * 256 * 2), 0, 16, new long[] {100, 256}, act);
    assertThatThrownBy(() -> validate(BF16, bf16Ops().a(taggedBf16).build()))
        .hasMessageEndingWith(", the problem reads bf16 operands").hasMessageStartingWith("a is quantized as ");
  }

  @Test
  void writesMayNotOverlapInputs() {
    DeviceView.Memory mem = FakeMemory.allocate(1 << 20);
    GroupedGemmOperands overlap = bf16Ops().a(DeviceView.of(mem, 0, 0, null, null))
        .d(DeviceView.of(mem, 51200 - 256, 0, null, null)).build();
    assertThatThrownBy(() -> validate(BF16, overlap)).hasMessageStartingWith("d [0x")
        .hasMessageContaining(") overlaps a [0x").hasMessageEndingWith("the kernels read a while writing d");
    GroupedGemmOperands flag = bf16Ops().groupSizes(DeviceView.of(mem, 0, 0, null, null))
        .sizesClamped(DeviceView.of(mem, 12, 0, null, null)).build();
    assertThatThrownBy(() -> validate(BF16, flag)).hasMessageStartingWith("sizesClamped [0x")
        .hasMessageContaining("overlaps groupSizes");
    // adjacent ranges do not overlap
    validate(BF16, bf16Ops().a(DeviceView.of(mem, 0, 0, null, null)).d(DeviceView.of(mem, 51200, 0, null, null))
        .build());
  }
}
