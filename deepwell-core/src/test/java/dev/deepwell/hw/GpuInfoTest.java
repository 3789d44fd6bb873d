package dev.deepwell.hw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GpuInfoTest {

  static GpuInfo gpu(int major, int minor) {
    return new GpuInfo(0, "test", major, minor, 100, 16L << 30, -1, 1 << 20, 0, 0, 0, 0, 0, 0);
  }

  @ParameterizedTest(name = "cc {0}.{1}")
  @CsvSource({
    // major, minor, sm,     hopper, blackwell, fp8,   mxfp8, nvfp4, tmem
    "8, 0, sm_80,  false, false, false, false, false, false", // A100: BF16 only
    "8, 6, sm_86,  false, false, false, false, false, false", // RTX 30xx
    "8, 9, sm_89,  false, false, true,  false, false, false", // Ada: FP8 without block scales
    "9, 0, sm_90,  true,  false, true,  false, false, false", // H100/H200
    "10, 0, sm_100, false, true, true,  true,  true,  true",  // B200
    "10, 3, sm_103, false, true, true,  true,  true,  true",  // GB300
    "12, 0, sm_120, false, true, true,  true,  true,  false", // RTX 50xx: no TMEM
    "12, 1, sm_121, false, true, true,  true,  true,  false"  // DGX Spark
  })
  void derivesCapabilitiesFromComputeCapability(int major, int minor, String sm, boolean hopper,
      boolean blackwell, boolean fp8, boolean mxfp8, boolean nvfp4, boolean tmem) {
    GpuInfo g = gpu(major, minor);
    assertThat(g.smName()).isEqualTo(sm);
    assertThat(g.smVersion()).isEqualTo(major * 10 + minor);
    assertThat(g.isHopper()).isEqualTo(hopper);
    assertThat(g.isBlackwell()).isEqualTo(blackwell);
    assertThat(g.supportsFp8()).isEqualTo(fp8);
    assertThat(g.supportsMxfp8()).isEqualTo(mxfp8);
    assertThat(g.supportsNvfp4()).isEqualTo(nvfp4);
    assertThat(g.hasTmem()).isEqualTo(tmem);
  }

  @Test
  void peakBandwidthIsTwiceClockTimesBusBytes() {
    // 1 GHz DDR on a 256-bit bus: 2 * 1e9 * 32 bytes = 64 GB/s.
    GpuInfo g = new GpuInfo(0, "t", 9, 0, 1, 1L << 30, -1, 0, 0, 1_000_000, 256, 0, 0, 0);
    assertThat(g.peakMemoryBandwidthBytesPerSecond()).isCloseTo(64e9, within(1e-3));
    assertThat(gpu(9, 0).peakMemoryBandwidthBytesPerSecond()).isZero();
  }

  @Test
  void rejectsImpossibleDevices() {
    assertThatThrownBy(() -> new GpuInfo(-1, "t", 9, 0, 1, 1, -1, 0, 0, 0, 0, 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ordinal");
    assertThatThrownBy(() -> new GpuInfo(0, "t", 0, 0, 1, 1, -1, 0, 0, 0, 0, 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("compute capability");
    assertThatThrownBy(() -> new GpuInfo(0, "t", 9, 0, 0, 1, -1, 0, 0, 0, 0, 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiprocessors");
    assertThatThrownBy(() -> new GpuInfo(0, "t", 9, 0, 1, 0, -1, 0, 0, 0, 0, 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("totalMemoryBytes");
    assertThatThrownBy(() -> new GpuInfo(0, null, 9, 0, 1, 1, -1, 0, 0, 0, 0, 0, 0, 0))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("name");
  }
}
