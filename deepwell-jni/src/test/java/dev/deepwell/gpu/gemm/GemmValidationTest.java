package dev.deepwell.gpu.gemm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.gpu.quant.Fp8ScaleOrder;
import dev.deepwell.kernel.GemmActivation;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmOutput;
import dev.deepwell.kernel.GemmProblem;
import dev.deepwell.kernel.OperandMajor;
import dev.deepwell.quant.Fp8BlockShape;
import dev.deepwell.quant.QuantFormat;
import dev.deepwell.quant.QuantOptions;
import dev.deepwell.quant.ScaleLayout;
import org.junit.jupiter.api.Test;

/**
 * Every bad GEMM call fails in Java, before any native call, with an exception naming the
 * argument; good calls pass and report their pointer alignment. No GPU: the buffers are address
 * ranges ({@link FakeMemory}).
 */
class GemmValidationTest {

  private static final GemmProblem BF16 = GemmProblem.builder(64, 32, 128, GemmInput.BF16).build();

  private static GemmOperands.Builder bf16Ops() {
    return GemmOperands.builder().a(FakeMemory.view(64 * 128 * 2)).b(FakeMemory.view(32 * 128 * 2))
        .d(FakeMemory.view(64 * 32 * 2));
  }

  private static int validate(GemmProblem p, GemmOperands ops) {
    return GemmValidator.validate(p, ops, 0);
  }

  @Test
  void aCompleteCallPassesWithItsAlignment() {
    assertThat(validate(BF16, bf16Ops().build())).isEqualTo(256);
    DeviceView.Memory mem = FakeMemory.allocate(1 << 20);
    GemmOperands offset = bf16Ops().a(DeviceView.of(mem, 8, 0, null, null)).build();
    assertThat(validate(BF16, offset)).isEqualTo(8);
    GemmOperands offset48 = bf16Ops().d(DeviceView.of(mem, 48, 0, null, null)).build();
    assertThat(validate(BF16, offset48)).isEqualTo(16);
  }

  @Test
  void missingArgumentsAreNamed() {
    assertThatThrownBy(() -> validate(BF16, bf16Ops().a(null).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a is missing: bf16 needs it ([M, K] bf16 for M=64, N=32, K=128)");
    assertThatThrownBy(() -> validate(BF16, bf16Ops().d(null).build())).hasMessageStartingWith("d is missing");
    GemmProblem fp8 = GemmProblem.builder(64, 32, 128, GemmInput.FP8_TENSOR).build();
    GemmOperands noScale = GemmOperands.builder().a(FakeMemory.view(64 * 128)).b(FakeMemory.view(32 * 128))
        .d(FakeMemory.view(64 * 32 * 2)).scaleA(FakeMemory.view(4)).build();
    assertThatThrownBy(() -> validate(fp8, noScale))
        .hasMessage("scaleB is missing: fp8-tensor needs it (one FP32 (FP8 per-tensor decode scale) for M=64, N=32, K=128)");
    GemmProblem nvfp4 = GemmProblem.builder(64, 32, 128, GemmInput.NVFP4).build();
    GemmOperands noTensorScale = GemmOperands.builder().a(FakeMemory.view(64 * 64)).b(FakeMemory.view(32 * 64))
        .d(FakeMemory.view(64 * 32 * 2)).scaleA(FakeMemory.view(64 * 8)).scaleB(FakeMemory.view(32 * 8))
        .tensorScaleA(FakeMemory.view(4)).build();
    assertThatThrownBy(() -> validate(nvfp4, noTensorScale)).hasMessageStartingWith("tensorScaleB is missing");
    GemmProblem withBias = BF16.toBuilder().bias(true).build();
    assertThatThrownBy(() -> validate(withBias, bf16Ops().build()))
        .hasMessage("bias is missing: the problem has a bias ([N] bf16)");
    GemmProblem withResidual = BF16.toBuilder().residual(true).build();
    assertThatThrownBy(() -> validate(withResidual, bf16Ops().build()))
        .hasMessage("residual is missing: the problem has a residual ([M, N] bf16)");
  }

  @Test
  void argumentsTheProblemDoesNotHaveAreRefused() {
    assertThatThrownBy(() -> validate(BF16, bf16Ops().scaleA(FakeMemory.view(4)).build()))
        .hasMessage("scaleA was given, but bf16 operands have no scales");
    GemmProblem fp8 = GemmProblem.builder(64, 32, 128, GemmInput.FP8_TENSOR).build();
    GemmOperands ts = GemmOperands.builder().a(FakeMemory.view(64 * 128)).b(FakeMemory.view(32 * 128))
        .d(FakeMemory.view(64 * 32 * 2)).scaleA(FakeMemory.view(4)).scaleB(FakeMemory.view(4))
        .tensorScaleA(FakeMemory.view(4)).build();
    assertThatThrownBy(() -> validate(fp8, ts)).hasMessage("tensorScaleA was given, but only NVFP4 has a second-level "
        + "tensor scale (FP8 per-tensor's one scale goes in scaleA)");
    assertThatThrownBy(() -> validate(BF16, bf16Ops().bias(FakeMemory.view(64)).build()))
        .hasMessageContaining("bias was given, but the problem has none");
    assertThatThrownBy(() -> validate(BF16, bf16Ops().residual(FakeMemory.view(4096)).build()))
        .hasMessageContaining("residual was given, but the problem has none");
  }

  @Test
  void closedBuffersThrowIllegalState() {
    FakeMemory m = FakeMemory.allocate(64 * 128 * 2);
    m.closed = true;
    assertThatThrownBy(() -> validate(BF16, bf16Ops().a(DeviceView.of(m, 0, 0, null, null)).build()))
        .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("a is closed");
  }

  @Test
  void buffersOnAnotherDeviceAreRefused() {
    DeviceView other = DeviceView.of(new FakeMemory(0x10_0000_0000L, 1 << 20, 1), 0, 0, null, null);
    assertThatThrownBy(() -> validate(BF16, bf16Ops().b(other).build()))
        .hasMessage("b is on device 1, the GEMM runs on device 0");
  }

  @Test
  void tooSmallAndMisalignedBuffersAreRefused() {
    assertThatThrownBy(() -> validate(BF16, bf16Ops().a(FakeMemory.view(64 * 128 * 2 - 1)).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("a needs 16384 bytes ([M, K] bf16 for M=64, N=32, K=128), the view has 16383");
    DeviceView.Memory mem = FakeMemory.allocate(1 << 20);
    assertThatThrownBy(() -> validate(BF16, bf16Ops().a(DeviceView.of(mem, 1, 0, null, null)).build()))
        .hasMessageContaining("is not 2-byte aligned (16-bit elements)");
    GemmProblem f32 = BF16.toBuilder().output(GemmOutput.FP32).build();
    GemmOperands d = bf16Ops().d(DeviceView.of(mem, 4096 + 2, 0, null, null)).build();
    assertThatThrownBy(() -> validate(f32, d)).hasMessageContaining("d at 0x").hasMessageContaining("not 4-byte aligned");
  }

  @Test
  void declaredShapesMustMatchTheProblem() {
    // mismatched K
    GemmOperands wrongK = bf16Ops().a(FakeMemory.shaped(16, 64, 96)).build();
    assertThatThrownBy(() -> validate(BF16, wrongK)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a is [64, 96], the problem needs [64, 128] ([M, K] bf16 for M=64, N=32, K=128)");
    GemmOperands wrongK2 = bf16Ops().b(FakeMemory.shaped(16, 32, 256)).build();
    assertThatThrownBy(() -> validate(BF16, wrongK2))
        .hasMessage("b is [32, 256], the problem needs [32, 128] ([N, K] bf16 for M=64, N=32, K=128)");
    GemmOperands transposed = bf16Ops().b(FakeMemory.shaped(16, 128, 32)).build();
    assertThatThrownBy(() -> validate(BF16, transposed)).hasMessageStartingWith("b is [128, 32], the problem needs");
    GemmOperands bits = bf16Ops().a(FakeMemory.shaped(8, 64, 256)).build();
    assertThatThrownBy(() -> validate(BF16, bits))
        .hasMessage("a holds 8-bit elements, the problem needs 16-bit: [M, K] bf16");
    // [1, N] and [N] are the same bias
    GemmProblem withBias = BF16.toBuilder().bias(true).build();
    assertThat(validate(withBias, bf16Ops().bias(FakeMemory.shaped(16, 1, 32)).build())).isEqualTo(256);
    // the transposed layout declares [K, M]
    GemmProblem mn = BF16.toBuilder().layout(OperandMajor.MN_MAJOR, OperandMajor.K_MAJOR).build();
    assertThat(validate(mn, bf16Ops().a(FakeMemory.shaped(16, 128, 64)).build())).isEqualTo(256);
    assertThatThrownBy(() -> validate(mn, bf16Ops().a(FakeMemory.shaped(16, 64, 128)).build()))
        .hasMessageContaining("[K, M] bf16");
  }

  @Test
  void scalesOfTheWrongShapeAreRefusedWithAHint() {
    GemmProblem p = GemmProblem.builder(256, 256, 384, GemmInput.FP8_BLOCK128).build();
    GemmOperands.Builder ops = GemmOperands.builder().a(FakeMemory.view(256 * 384)).b(FakeMemory.view(256 * 384))
        .d(FakeMemory.view(256 * 256 * 2)).scaleB(FakeMemory.shaped(32, 2, 3));
    assertThat(validate(p, ops.scaleA(FakeMemory.shaped(32, 3, 256)).build())).isEqualTo(256);
    assertThatThrownBy(() -> validate(p, ops.scaleA(FakeMemory.shaped(32, 256, 3)).build()))
        .hasMessageContaining("scaleA is [256, 3], the problem needs [3, 256]")
        .hasMessageContaining("quantize A with Fp8ScaleOrder.MN_MAJOR");
    assertThatThrownBy(() -> validate(p, ops.scaleA(FakeMemory.shaped(32, 3, 256))
        .scaleB(FakeMemory.shaped(32, 256, 3)).build()))
        .hasMessageStartingWith("scaleB is [256, 3], the problem needs [2, 3]");
    GemmProblem mx = GemmProblem.builder(64, 32, 100, GemmInput.MXFP8).build();
    GemmOperands mxOps = GemmOperands.builder().a(FakeMemory.view(6400)).b(FakeMemory.view(3200))
        .d(FakeMemory.view(4096)).scaleA(FakeMemory.shaped(8, 64, 3)).scaleB(FakeMemory.shaped(8, 32, 3)).build();
    assertThatThrownBy(() -> validate(mx, mxOps))
        .hasMessage("scaleA is [64, 3], the problem needs [64, 4] ([M, ceil(K/32)] E8M0, row-major for M=64, N=32, K=100)");
    GemmOperands mxFloat = mxOps.toBuilder().scaleA(FakeMemory.shaped(32, 64, 4)).build();
    assertThatThrownBy(() -> validate(mx, mxFloat)).hasMessageStartingWith("scaleA holds 32-bit elements");
  }

  @Test
  void outputOverlappingAnInputIsRefusedButAResidualMayBeD() {
    DeviceView.Memory mem = FakeMemory.allocate(1 << 20);
    GemmOperands overlap = bf16Ops().a(DeviceView.of(mem, 0, 0, null, null))
        .d(DeviceView.of(mem, 8192, 0, null, null)).build();
    assertThatThrownBy(() -> validate(BF16, overlap)).hasMessageContaining("overlaps a")
        .hasMessageContaining("the kernels read a while writing d");
    GemmProblem res = BF16.toBuilder().residual(true).build();
    DeviceView d = FakeMemory.view(64 * 32 * 2);
    assertThat(validate(res, bf16Ops().d(d).residual(d).build())).isEqualTo(256);
    DeviceView.Memory m2 = FakeMemory.allocate(1 << 20);
    GemmOperands shifted = bf16Ops().d(DeviceView.of(m2, 0, 0, null, null))
        .residual(DeviceView.of(m2, 256, 0, null, null)).build();
    assertThatThrownBy(() -> validate(res, shifted)).hasMessageContaining("overlaps residual");
  }

  @Test
  void zeroSizedProblemsNeedNoOperands() {
    GemmProblem m0 = GemmProblem.builder(0, 32, 128, GemmInput.FP8_BLOCK128).bias(true).build();
    assertThat(validate(m0, GemmOperands.builder().build())).isEqualTo(256);
    GemmProblem n0 = GemmProblem.builder(64, 0, 128, GemmInput.BF16).build();
    assertThat(validate(n0, GemmOperands.builder().d(FakeMemory.view(1)).build())).isEqualTo(256);
    // K = 0: the operands are not read, D and the epilogue's inputs are
    GemmProblem k0 = GemmProblem.builder(64, 32, 0, GemmInput.NVFP4).bias(true).build();
    assertThatThrownBy(() -> validate(k0, GemmOperands.builder().d(FakeMemory.view(4096)).build()))
        .hasMessageStartingWith("bias is missing");
    assertThat(validate(k0, GemmOperands.builder().d(FakeMemory.view(4096)).bias(FakeMemory.view(64)).build()))
        .isEqualTo(256);
    // a closed buffer is still an error, even for a no-op
    FakeMemory closed = FakeMemory.allocate(64);
    closed.closed = true;
    assertThatThrownBy(() -> validate(m0, GemmOperands.builder().a(DeviceView.of(closed, 0, 0, null, null)).build()))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void sizesBeyond2To63AreRefused() {
    GemmProblem huge = GemmProblem.builder(1L << 40, 1L << 40, 16, GemmInput.BF16).output(GemmOutput.FP32).build();
    assertThatThrownBy(() -> validate(huge, GemmOperands.builder().build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than 2^63 bytes");
  }

  @Test
  void quantizedOperandsMustBeOfTheProblemsFormat() {
    QuantOptions row = QuantOptions.defaults();
    DeviceView.Memory data = FakeMemory.allocate(64 * 128);
    DeviceView.Memory scales = FakeMemory.allocate(64 * 4);
    DeviceView[] mx = GemmOperands.quantizedParts("a", QuantFormat.MXFP8_E4M3, row, Fp8ScaleOrder.ROW_MAJOR, 64, 128,
        64, 4, data, scales, null);
    DeviceView[] mxB = GemmOperands.quantizedParts("b", QuantFormat.MXFP8_E4M3, row, Fp8ScaleOrder.ROW_MAJOR, 32, 128,
        32, 4, FakeMemory.allocate(32 * 128), FakeMemory.allocate(32 * 4), null);
    GemmOperands ops = GemmOperands.builder().a(mx[0]).scaleA(mx[1]).b(mxB[0]).scaleB(mxB[1])
        .d(FakeMemory.view(64 * 32 * 2)).build();
    assertThat(validate(GemmProblem.builder(64, 32, 128, GemmInput.MXFP8).build(), ops)).isEqualTo(256);
    // read as another format: the element width gives it away first
    GemmProblem nv = GemmProblem.builder(64, 32, 128, GemmInput.NVFP4).build();
    assertThatThrownBy(() -> validate(nv, ops)).hasMessage("a holds 8-bit elements, the problem needs 4-bit: [M, K] nvfp4");
    GemmProblem bf16 = GemmProblem.builder(64, 32, 64, GemmInput.BF16).build();
    GemmOperands asBf16 = GemmOperands.builder().a(mx[0]).b(mxB[0]).d(FakeMemory.view(64 * 32 * 2)).build();
    assertThatThrownBy(() -> validate(bf16, asBf16)).hasMessageStartingWith("a holds 8-bit elements");
    GemmOperands tagged = GemmOperands.builder().a(DeviceView.of(data, 0, 8, new long[] {64, 128},
        new QuantTag(QuantFormat.MXFP8_E4M3, row))).b(FakeMemory.view(32 * 128)).d(FakeMemory.view(64 * 32 * 2))
        .scaleA(FakeMemory.view(4)).scaleB(FakeMemory.view(4)).build();
    assertThatThrownBy(() -> validate(GemmProblem.builder(64, 32, 128, GemmInput.FP8_TENSOR).build(), tagged))
        .hasMessage("a is quantized as mxfp8-e4m3, the problem reads fp8-tensor operands");
  }

  @Test
  void quantizedPartsLandInTheRightFields() {
    QuantOptions row = QuantOptions.defaults();
    DeviceView[] fp8 = GemmOperands.quantizedParts("a", QuantFormat.FP8_TENSOR, row, Fp8ScaleOrder.ROW_MAJOR, 64, 128,
        0, 0, FakeMemory.allocate(8192), null, FakeMemory.allocate(4));
    assertThat(fp8[1].shape()).hasValueSatisfying(s -> assertThat(s).containsExactly(1));
    assertThat(fp8[1].elementBits()).isEqualTo(32);
    assertThat(fp8[2]).isNull();
    DeviceView[] nv = GemmOperands.quantizedParts("a", QuantFormat.NVFP4_2D, row, Fp8ScaleOrder.ROW_MAJOR, 64, 128,
        64, 8, FakeMemory.allocate(4096), FakeMemory.allocate(512), FakeMemory.allocate(4));
    assertThat(nv[0].elementBits()).isEqualTo(4);
    assertThat(nv[1].shape().get()).containsExactly(64, 8);
    assertThat(nv[2].shape().get()).containsExactly(1);
    QuantOptions act = QuantOptions.builder().fp8BlockShape(Fp8BlockShape.ACT_1X128).build();
    DeviceView[] block = GemmOperands.quantizedParts("a", QuantFormat.FP8_BLOCK, act, Fp8ScaleOrder.MN_MAJOR, 256, 384,
        256, 3, FakeMemory.allocate(256 * 384), FakeMemory.allocate(256 * 12), null);
    assertThat(block[1].shape().get()).containsExactly(3, 256);
    assertThat(block[1].elementBits()).isEqualTo(32);
    // an activation-shaped B: refused by block shape
    GemmProblem p = GemmProblem.builder(256, 256, 384, GemmInput.FP8_BLOCK128).build();
    DeviceView[] bAsAct = GemmOperands.quantizedParts("b", QuantFormat.FP8_BLOCK, act, Fp8ScaleOrder.ROW_MAJOR, 256,
        384, 256, 3, FakeMemory.allocate(256 * 384), FakeMemory.allocate(256 * 12), null);
    GemmOperands ops = GemmOperands.builder().a(block[0]).scaleA(block[1]).b(bAsAct[0]).scaleB(bAsAct[1])
        .d(FakeMemory.view(256 * 256 * 2)).build();
    assertThatThrownBy(() -> validate(p, ops)).hasMessageContaining("scaleB is [256, 3], the problem needs [2, 3]");
  }

  @Test
  void formatsNoGemmReadsAreRefusedWhenMapped() {
    QuantOptions row = QuantOptions.defaults();
    assertThatThrownBy(() -> GemmOperands.quantizedParts("a", QuantFormat.MXFP8_E5M2, row, Fp8ScaleOrder.ROW_MAJOR, 64,
        128, 64, 4, FakeMemory.allocate(8192), FakeMemory.allocate(256), null))
        .hasMessageContaining("read MXFP8 as E4M3 only");
    assertThatThrownBy(() -> GemmOperands.quantizedParts("b", QuantFormat.MXFP4, row, Fp8ScaleOrder.ROW_MAJOR, 64,
        128, 64, 4, FakeMemory.allocate(4096), FakeMemory.allocate(256), null))
        .hasMessageContaining("no MXFP4 kernel");
    QuantOptions swizzled = QuantOptions.builder().scaleLayout(ScaleLayout.SWIZZLED_128X4).build();
    assertThatThrownBy(() -> GemmOperands.quantizedParts("a", QuantFormat.NVFP4, swizzled, Fp8ScaleOrder.ROW_MAJOR, 64,
        128, 64, 8, FakeMemory.allocate(4096), FakeMemory.allocate(512 * 2), FakeMemory.allocate(4)))
        .hasMessageContaining("quantize with ScaleLayout.ROW_MAJOR");
  }

  @Test
  void nvfp4OperandsMustShareTheHadamardTransform() {
    QuantOptions plain = QuantOptions.defaults();
    QuantOptions rht = QuantOptions.builder().hadamard16(true).seed(7).build();
    DeviceView[] a = GemmOperands.quantizedParts("a", QuantFormat.NVFP4, rht, Fp8ScaleOrder.ROW_MAJOR, 64, 128, 64, 8,
        FakeMemory.allocate(4096), FakeMemory.allocate(512), FakeMemory.allocate(4));
    DeviceView[] b = GemmOperands.quantizedParts("b", QuantFormat.NVFP4, plain, Fp8ScaleOrder.ROW_MAJOR, 32, 128, 32,
        8, FakeMemory.allocate(2048), FakeMemory.allocate(256), FakeMemory.allocate(4));
    GemmProblem p = GemmProblem.builder(64, 32, 128, GemmInput.NVFP4).activation(GemmActivation.GELU).build();
    GemmOperands ops = GemmOperands.builder().a(a[0]).scaleA(a[1]).tensorScaleA(a[2]).b(b[0]).scaleB(b[1])
        .tensorScaleB(b[2]).d(FakeMemory.view(4096)).build();
    assertThatThrownBy(() -> validate(p, ops)).hasMessageContaining("must share the Hadamard transform");
    DeviceView[] b2 = GemmOperands.quantizedParts("b", QuantFormat.NVFP4, rht, Fp8ScaleOrder.ROW_MAJOR, 32, 128, 32,
        8, FakeMemory.allocate(2048), FakeMemory.allocate(256), FakeMemory.allocate(4));
    GemmOperands same = ops.toBuilder().b(b2[0]).scaleB(b2[1]).tensorScaleB(b2[2]).build();
    assertThat(validate(p, same)).isEqualTo(256);
  }

  // ---- NVFP4 weights x BF16 activations -------------------------------------------------------

  private static final GemmProblem NVFP4_WEIGHT = GemmProblem.builder(8, 32, 128, GemmInput.NVFP4_WEIGHT).build();

  /** A [8, 128] BF16, B [32, 128] NVFP4 (64 bytes a row), its scales [32, 8] and tensor scale. */
  private static GemmOperands.Builder nvfp4WeightOps() {
    return GemmOperands.builder().a(FakeMemory.shaped(16, 8, 128)).b(FakeMemory.shaped(4, 32, 128))
        .scaleB(FakeMemory.shaped(8, 32, 8)).tensorScaleB(FakeMemory.shaped(32, 1)).d(FakeMemory.view(8 * 32 * 2));
  }

  @Test
  void nvfp4WeightTakesBf16ActivationsAndNvfp4Weights() {
    assertThat(validate(NVFP4_WEIGHT, nvfp4WeightOps().build())).isEqualTo(256);
    // byte sizes: A 2 bytes a value, B half a byte
    assertThatThrownBy(() -> validate(NVFP4_WEIGHT, nvfp4WeightOps().a(FakeMemory.view(8 * 128 * 2 - 2)).build()))
        .hasMessageStartingWith("a needs 2048 bytes ([M, K] bf16 (nvfp4-weight's activations) for M=8, N=32, K=128)");
    assertThatThrownBy(() -> validate(NVFP4_WEIGHT, nvfp4WeightOps().b(FakeMemory.view(32 * 64 - 1)).build()))
        .hasMessageStartingWith("b needs 2048 bytes ([N, K] nvfp4-weight for M=8, N=32, K=128)");
    // A given as 4-bit codes, B as BF16: the element widths give them away
    assertThatThrownBy(() -> validate(NVFP4_WEIGHT, nvfp4WeightOps().a(FakeMemory.shaped(4, 8, 128)).build()))
        .hasMessage("a holds 4-bit elements, the problem needs 16-bit: [M, K] bf16 (nvfp4-weight's activations)");
    assertThatThrownBy(() -> validate(NVFP4_WEIGHT, nvfp4WeightOps().b(FakeMemory.shaped(16, 32, 128)).build()))
        .hasMessage("b holds 16-bit elements, the problem needs 4-bit: [N, K] nvfp4-weight");
  }

  @Test
  void nvfp4WeightScalesAreBsOnly() {
    assertThatThrownBy(() -> validate(NVFP4_WEIGHT, nvfp4WeightOps().scaleA(FakeMemory.shaped(8, 8, 8)).build()))
        .hasMessage("scaleA was given, but nvfp4-weight's A is BF16 activations, with no scales");
    assertThatThrownBy(() -> validate(NVFP4_WEIGHT, nvfp4WeightOps().tensorScaleA(FakeMemory.shaped(32, 1)).build()))
        .hasMessage("tensorScaleA was given, but nvfp4-weight's A is BF16 activations: only B has a tensor scale");
    assertThatThrownBy(() -> validate(NVFP4_WEIGHT, nvfp4WeightOps().scaleB(null).build()))
        .hasMessage("scaleB is missing: nvfp4-weight needs it ([N, ceil(K/16)] UE4M3, row-major for M=8, N=32, K=128)");
    assertThatThrownBy(() -> validate(NVFP4_WEIGHT, nvfp4WeightOps().tensorScaleB(null).build()))
        .hasMessage("tensorScaleB is missing: nvfp4-weight needs it (one FP32 (the NVFP4 weights' tensor scale) for "
            + "M=8, N=32, K=128)");
    // scales of the wrong size: one per 32 (MXFP8's block) instead of per 16; FP32 instead of UE4M3
    assertThatThrownBy(() -> validate(NVFP4_WEIGHT, nvfp4WeightOps().scaleB(FakeMemory.shaped(8, 32, 4)).build()))
        .hasMessage("scaleB is [32, 4], the problem needs [32, 8] ([N, ceil(K/16)] UE4M3, row-major for M=8, N=32, "
            + "K=128)");
    assertThatThrownBy(() -> validate(NVFP4_WEIGHT, nvfp4WeightOps().scaleB(FakeMemory.view(32 * 8 - 1)).build()))
        .hasMessageStartingWith("scaleB needs 256 bytes");
    assertThatThrownBy(() -> validate(NVFP4_WEIGHT, nvfp4WeightOps().scaleB(FakeMemory.shaped(32, 32, 8)).build()))
        .hasMessageStartingWith("scaleB holds 32-bit elements, the problem needs 8-bit");
    // ragged K: ceil(K/16) scales a row, ceil(K/2) bytes
    GemmProblem ragged = GemmProblem.builder(3, 5, 100, GemmInput.NVFP4_WEIGHT).build();
    GemmOperands r = GemmOperands.builder().a(FakeMemory.shaped(16, 3, 100)).b(FakeMemory.view(5 * 50))
        .scaleB(FakeMemory.shaped(8, 5, 7)).tensorScaleB(FakeMemory.view(4)).d(FakeMemory.view(3 * 5 * 2)).build();
    assertThat(validate(ragged, r)).isEqualTo(256);
  }

  @Test
  void nvfp4WeightOperandsMustBeBf16AndPlainNvfp4() {
    QuantOptions plain = QuantOptions.defaults();
    DeviceView[] w = GemmOperands.quantizedParts("b", QuantFormat.NVFP4, plain, Fp8ScaleOrder.ROW_MAJOR, 32, 128, 32, 8,
        FakeMemory.allocate(2048), FakeMemory.allocate(256), FakeMemory.allocate(4));
    GemmOperands ops = GemmOperands.builder().a(FakeMemory.shaped(16, 8, 128)).b(w[0]).scaleB(w[1]).tensorScaleB(w[2])
        .d(FakeMemory.view(8 * 32 * 2)).build();
    assertThat(validate(NVFP4_WEIGHT, ops)).isEqualTo(256);
    // 2-D NVFP4 weights are stored per row too: accepted
    DeviceView[] w2 = GemmOperands.quantizedParts("b", QuantFormat.NVFP4_2D, plain, Fp8ScaleOrder.ROW_MAJOR, 32, 128,
        32, 8, FakeMemory.allocate(2048), FakeMemory.allocate(256), FakeMemory.allocate(4));
    assertThat(validate(NVFP4_WEIGHT, ops.toBuilder().b(w2[0]).scaleB(w2[1]).tensorScaleB(w2[2]).build()))
        .isEqualTo(256);
    // B quantized as another 4-bit-wide format
    GemmOperands mx = ops.toBuilder().b(DeviceView.of(FakeMemory.allocate(2048), 0, 4, new long[] {32, 128},
        new QuantTag(QuantFormat.MXFP8_E4M3, plain))).build();
    assertThatThrownBy(() -> validate(NVFP4_WEIGHT, mx))
        .hasMessage("b is quantized as mxfp8-e4m3, the problem reads nvfp4-weight operands");
    // A quantized at all
    GemmOperands qa = ops.toBuilder().a(DeviceView.of(FakeMemory.allocate(2048), 0, 16, new long[] {8, 128},
        new QuantTag(QuantFormat.NVFP4, plain))).build();
    assertThatThrownBy(() -> validate(NVFP4_WEIGHT, qa)).hasMessageStartingWith("a is quantized as nvfp4, but "
        + "nvfp4-weight reads BF16 activations");
    // the Hadamard transform on the weights would not cancel against plain activations
    QuantOptions rht = QuantOptions.builder().hadamard16(true).seed(3).build();
    DeviceView[] wh = GemmOperands.quantizedParts("b", QuantFormat.NVFP4, rht, Fp8ScaleOrder.ROW_MAJOR, 32, 128, 32, 8,
        FakeMemory.allocate(2048), FakeMemory.allocate(256), FakeMemory.allocate(4));
    assertThatThrownBy(() -> validate(NVFP4_WEIGHT, ops.toBuilder().b(wh[0]).scaleB(wh[1]).tensorScaleB(wh[2]).build()))
        .hasMessageContaining("16-point Hadamard transform").hasMessageContaining("hadamard16=false");
  }

  @Test
  void viewsCheckTheirOwnArguments() {
    FakeMemory m = FakeMemory.allocate(64);
    assertThatThrownBy(() -> DeviceView.of(m, -1, 0, null, null)).hasMessage("offsetBytes must be >= 0, got -1");
    assertThatThrownBy(() -> DeviceView.of(m, 65, 0, null, null)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> DeviceView.of(m, 0, 12, new long[] {2}, null))
        .hasMessage("elementBits must be 4, 8, 16 or 32, got 12");
    DeviceView v = DeviceView.of(m, 16, 0, null, null);
    assertThat(v.bytes()).isEqualTo(48);
    assertThat(v.shape()).isEmpty();
  }
}
