package dev.deepwell.hw;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HardwareProbeTest {

  static final CpuInfo CPU = HardwareInfoTest.CPU;
  static final GpuInfo H100 = HardwareTargets.get("h100");

  /** Finds one fake H100. */
  public static final class OneGpuProbe implements GpuProbe {
    @Override
    public Result probe() {
      return Result.found(List.of(H100));
    }
  }

  /** A backend on the class path whose driver is missing. */
  public static final class NoDriverProbe implements GpuProbe {
    @Override
    public Result probe() {
      return Result.none("libcuda.so.1 not found");
    }
  }

  /** Breaks the SPI's promise never to throw. */
  public static final class ThrowingProbe implements GpuProbe {
    @Override
    public Result probe() {
      throw new IllegalStateException("driver\ncrashed");
    }
  }

  @TempDir Path dir;

  /** A class loader that sees the test classes plus a service file listing {@code providers}. */
  private ClassLoader loaderWithProviders(String... providers) throws IOException {
    Path services = dir.resolve("META-INF/services");
    Files.createDirectories(services);
    Files.writeString(services.resolve(GpuProbe.class.getName()),
        String.join("\n", providers) + "\n", StandardCharsets.UTF_8);
    return new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
  }

  @Test
  void withoutAProviderReportsTheCpuAndSaysTheBackendIsMissing() {
    // The core module's test class path has no GpuProbe provider.
    HardwareInfo info = HardwareProbe.probe();
    assertThat(info.hasGpu()).isFalse();
    assertThat(info.gpuUnavailableReason())
        .isEqualTo("no GPU backend on the class path (deepwell-jni)");
    assertThat(info.gpuBackend()).isNull();
    assertThat(info.cpu().logicalCores()).isEqualTo(Runtime.getRuntime().availableProcessors());
  }

  @Test
  void aProviderThatFindsDevicesWins() throws IOException {
    HardwareInfo info = HardwareProbe.probe(loaderWithProviders(
        NoDriverProbe.class.getName(), OneGpuProbe.class.getName()));
    assertThat(info.gpus()).containsExactly(H100);
    assertThat(info.gpuUnavailableReason()).isNull();
    assertThat(info.gpuBackend()).isEqualTo(OneGpuProbe.class.getName());
    assertThat(info.bestGpu()).contains(H100);
  }

  @Test
  void aProviderWithoutDriverGivesItsReason() throws IOException {
    HardwareInfo info = HardwareProbe.probe(loaderWithProviders(NoDriverProbe.class.getName()));
    assertThat(info.hasGpu()).isFalse();
    assertThat(info.gpuUnavailableReason()).isEqualTo("libcuda.so.1 not found");
    assertThat(info.gpuBackend()).isEqualTo(NoDriverProbe.class.getName());
  }

  @Test
  void providerFailuresBecomeOneLineReasonsNotExceptions() throws IOException {
    HardwareInfo info = HardwareProbe.probe(loaderWithProviders(
        "dev.deepwell.hw.NoSuchProbe", ThrowingProbe.class.getName()));
    assertThat(info.hasGpu()).isFalse();
    assertThat(info.gpuUnavailableReason())
        .contains("GPU backend failed to load")
        .contains("NoSuchProbe")
        .contains(ThrowingProbe.class.getName() + " failed: IllegalStateException: driver crashed")
        .doesNotContain("\n");
  }

  @Test
  void reasonsOfSeveralProvidersAreJoined() {
    HardwareInfo info = HardwareProbe.probe(CPU,
        List.of(new NoDriverProbe(), () -> GpuProbe.Result.none("no device")), List.of());
    assertThat(info.gpuUnavailableReason()).isEqualTo("libcuda.so.1 not found; no device");
    assertThat(info.cpu()).isSameAs(CPU);
  }

  @Test
  void parsesTheModelNameOfX86AndArmCpuinfo() {
    List<String> x86 = List.of("processor\t: 0", "vendor_id\t: GenuineIntel",
        "model\t\t: 143", "model name\t: Intel(R) Xeon(R) Platinum 8480+", "");
    assertThat(HardwareProbe.parseCpuModel(x86)).contains("Intel(R) Xeon(R) Platinum 8480+");
    List<String> arm = List.of("processor\t: 0", "BogoMIPS\t: 2000.00",
        "CPU implementer\t: 0x41", "", "Model\t\t: Raspberry Pi 5 Model B Rev 1.0");
    assertThat(HardwareProbe.parseCpuModel(arm)).contains("Raspberry Pi 5 Model B Rev 1.0");
    assertThat(HardwareProbe.parseCpuModel(List.of("processor : 0", "model name :   ", "junk")))
        .isEmpty();
  }

  @Test
  void cpuDescribesThisJvm() {
    CpuInfo cpu = HardwareProbe.cpu();
    assertThat(cpu.logicalCores()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(cpu.maxHeapBytes()).isEqualTo(Runtime.getRuntime().maxMemory());
    assertThat(cpu.arch()).isEqualTo(System.getProperty("os.arch"));
    assertThat(cpu.os()).isEqualTo(System.getProperty("os.name"));
    // HotSpot ships jdk.management, so the physical memory is known and at least the heap limit
    // is plausible against it (a container limit can be below -Xmx, hence no ordering check).
    assertThat(cpu.totalMemoryBytes()).isPositive();
    if (Files.isReadable(Path.of("/proc/cpuinfo"))) {
      assertThat(cpu.model()).isNotBlank();
    }
  }
}
