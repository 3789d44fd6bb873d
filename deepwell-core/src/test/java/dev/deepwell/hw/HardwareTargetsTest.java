package dev.deepwell.hw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

import org.junit.jupiter.api.Test;

class HardwareTargetsTest {

  @Test
  void catalogueHoldsTheFiveNamedTargets() {
    assertThat(HardwareTargets.names()).containsExactly("h100", "h200", "b200", "b100", "rtx5090");
    assertThat(HardwareTargets.all()).hasSize(5);
  }

  @Test
  void lookupIsCaseInsensitiveAndUnknownNamesListTheValidOnes() {
    assertThat(HardwareTargets.get(" H100 ")).isSameAs(HardwareTargets.get("h100"));
    assertThat(HardwareTargets.find("a100")).isEmpty();
    assertThatThrownBy(() -> HardwareTargets.get("a100"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a100'")
        .hasMessageContaining("h100, h200, b200, b100, rtx5090");
    assertThatThrownBy(() -> HardwareTargets.find(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void hopperTargetsMatchTheirDatasheets() {
    GpuInfo h100 = HardwareTargets.get("h100");
    assertThat(h100.smName()).isEqualTo("sm_90");
    assertThat(h100.multiprocessors()).isEqualTo(132);
    assertThat(h100.totalMemoryBytes()).isEqualTo(80L << 30);
    assertThat(h100.l2CacheBytes()).isEqualTo(50L << 20);
    assertThat(h100.peakMemoryBandwidthBytesPerSecond()).isCloseTo(3.35e12, withinPercentage(0.01));
    assertThat(h100.supportsFp8()).isTrue();
    assertThat(h100.supportsNvfp4()).isFalse();

    GpuInfo h200 = HardwareTargets.get("h200");
    assertThat(h200.multiprocessors()).isEqualTo(132);
    assertThat(h200.totalMemoryBytes()).isEqualTo(141L << 30);
    assertThat(h200.peakMemoryBandwidthBytesPerSecond()).isCloseTo(4.8e12, withinPercentage(0.01));
  }

  @Test
  void blackwellTargetsHaveBlockScaledTensorCores() {
    GpuInfo b200 = HardwareTargets.get("b200");
    assertThat(b200.smName()).isEqualTo("sm_100");
    assertThat(b200.multiprocessors()).isEqualTo(148);
    assertThat(b200.peakMemoryBandwidthBytesPerSecond()).isCloseTo(8.0e12, withinPercentage(0.01));
    assertThat(b200.supportsMxfp8()).isTrue();
    assertThat(b200.supportsNvfp4()).isTrue();
    assertThat(b200.hasTmem()).isTrue();
    assertThat(HardwareTargets.get("b100").hasTmem()).isTrue();

    GpuInfo rtx = HardwareTargets.get("rtx5090");
    assertThat(rtx.smName()).isEqualTo("sm_120");
    assertThat(rtx.multiprocessors()).isEqualTo(170);
    assertThat(rtx.totalMemoryBytes()).isEqualTo(32L << 30);
    assertThat(rtx.peakMemoryBandwidthBytesPerSecond()).isCloseTo(1.792e12, withinPercentage(0.01));
    assertThat(rtx.supportsNvfp4()).isTrue();
    assertThat(rtx.hasTmem()).isFalse();
    assertThat(rtx.sharedMemPerBlockOptin()).isLessThan(b200.sharedMemPerBlockOptin());
  }

  @Test
  void targetsDescribeSiliconNotAnInstallation() {
    for (GpuInfo t : HardwareTargets.all()) {
      assertThat(t.ordinal()).isZero();
      assertThat(t.freeMemoryBytes()).isEqualTo(-1);
      assertThat(t.driverVersion()).isZero();
      assertThat(t.runtimeVersion()).isZero();
      assertThat(t.l2CacheBytes()).isPositive();
    }
  }
}
