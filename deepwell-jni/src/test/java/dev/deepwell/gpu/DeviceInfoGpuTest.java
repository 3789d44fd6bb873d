package dev.deepwell.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepwell.hw.GpuInfo;
import dev.deepwell.hw.GpuProbe;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("gpu")
class DeviceInfoGpuTest {

  @Test
  void theProbeDescribesEveryVisibleDevice() {
    TestSupport.assumeGpu();
    NativeLoadResult status = NativeLibrary.status();
    GpuProbe.Result result = new CudaGpuProbe().probe();
    assertThat(result.gpus()).hasSize(status.deviceCount()).hasSize(CudaDevice.count());
    for (GpuInfo g : result.gpus()) {
      System.out.println("[deepwell] " + g);
      assertThat(g.name()).isNotBlank();
      assertThat(g.ccMajor()).isGreaterThanOrEqualTo(7);
      assertThat(g.multiprocessors()).isPositive();
      assertThat(g.totalMemoryBytes()).isGreaterThan(1L << 30);
      assertThat(g.freeMemoryBytes()).isPositive().isLessThanOrEqualTo(g.totalMemoryBytes());
      assertThat(g.l2CacheBytes()).isPositive();
      assertThat(g.sharedMemPerBlockOptin()).isGreaterThanOrEqualTo(48 * 1024);
      assertThat(g.runtimeVersion()).isEqualTo(status.runtimeVersion());
      assertThat(g.driverVersion() / 1000).isGreaterThanOrEqualTo(g.runtimeVersion() / 1000);
    }
    assertThat(NativeLibrary.optionalLibraries()).hasSize(2);
  }
}
