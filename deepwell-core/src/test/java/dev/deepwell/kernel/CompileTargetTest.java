package dev.deepwell.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.hw.GpuInfo;
import dev.deepwell.precision.Precision;
import org.junit.jupiter.api.Test;

class CompileTargetTest {

  @Test
  void namedTargetsCarryHardwareAndRates() {
    CompileTarget b200 = CompileTarget.named("B200");
    assertThat(b200.name()).isEqualTo("b200");
    assertThat(b200.smVersion()).isEqualTo(100);
    assertThat(b200.memoryBytes()).isEqualTo(180L << 30);
    assertThat(b200.bandwidthBytesPerSecond()).isEqualTo(8.0e12);
    assertThat(b200.rates()).get().extracting(PeakRates::bf16).isEqualTo(2250e12);
    assertThat(b200.hasRoofline()).isTrue();
    assertThat(CompileTarget.names()).containsExactly("cpu", "h100", "h200", "b200", "b100",
        "rtx5090");
    assertThatThrownBy(() -> CompileTarget.named("a100"))
        .hasMessageContaining("unknown target 'a100'").hasMessageContaining("rtx5090");
  }

  @Test
  void nativeSupportFollowsTheArchitecture() {
    CompileTarget h100 = CompileTarget.named("h100");
    assertThat(h100.supportsNatively(Precision.FP8)).isTrue();
    assertThat(h100.supportsNatively(Precision.FP8_BLOCK)).isTrue();
    assertThat(h100.supportsNatively(Precision.MXFP8)).isFalse();
    assertThat(h100.supportsNatively(Precision.NVFP4)).isFalse();
    for (Precision p : Precision.values()) {
      assertThat(CompileTarget.named("b200").supportsNatively(p)).as(p.name()).isTrue();
      assertThat(CompileTarget.named("rtx5090").supportsNatively(p)).as(p.name()).isTrue();
      assertThat(CompileTarget.cpu().supportsNatively(p)).as(p.name()).isFalse();
    }
    CompileTarget ada = CompileTarget.forSm(89);
    assertThat(ada.supportsNatively(Precision.FP8)).isTrue();
    assertThat(ada.supportsNatively(Precision.FP8_BLOCK)).isFalse();
    assertThat(ada.hasRoofline()).isFalse();
  }

  @Test
  void smVersionsMapToTheirNamedTarget() {
    assertThat(CompileTarget.forSm(90).name()).isEqualTo("h100");
    assertThat(CompileTarget.forSm(100).name()).isEqualTo("b200");
    assertThat(CompileTarget.forSm(120).name()).isEqualTo("rtx5090");
    assertThat(CompileTarget.forSm(103).name()).isEqualTo("sm_103");
    assertThat(CompileTarget.forSm(103).rates()).isPresent();
    assertThatThrownBy(() -> CompileTarget.forSm(9)).hasMessageContaining("smVersion");
  }

  @Test
  void probedGpuUsesItsOwnMemoryAndBandwidth() {
    GpuInfo gpu = new GpuInfo(0, "NVIDIA H100 PCIe", 9, 0, 114, 80L << 30, 1L << 30, 50L << 20,
        1_755_000, 1_593_000, 5120, 227 << 10, 13000, 13000);
    CompileTarget t = CompileTarget.fromGpu(gpu);
    assertThat(t.name()).isEqualTo("sm_90");
    assertThat(t.bandwidthBytesPerSecond()).isEqualTo(gpu.peakMemoryBandwidthBytesPerSecond());
    assertThat(t.rates()).contains(PeakRates.forTarget("h100").get());
    assertThat(t.description()).contains("probed");
  }
}
