package dev.deepwell.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.hw.GpuProbe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The real library in this JVM: what it reports on this machine, GPU or not. */
class NativeLibraryTest {

  /** Whether libcuda.so.1 can be found where the dynamic loader would look. */
  static boolean libcudaPresent() {
    try {
      Path cache = Path.of("/etc/ld.so.cache");
      if (Files.isReadable(cache) && new String(Files.readAllBytes(cache), StandardCharsets.ISO_8859_1).contains("libcuda.so.1")) {
        return true;
      }
    } catch (IOException e) {
      // fall through to the folders
    }
    List<String> dirs = new ArrayList<>(List.of(
        "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib/x86_64-linux-gnu", "/usr/local/nvidia/lib64",
        "/usr/local/nvidia/lib", "/usr/lib/wsl/lib"));
    String ld = System.getenv("LD_LIBRARY_PATH");
    if (ld != null) dirs.addAll(List.of(ld.split(":")));
    return dirs.stream().filter(d -> !d.isEmpty()).anyMatch(d -> Files.exists(Path.of(d, "libcuda.so.1")));
  }

  @Test
  void withoutADriverTheLibraryLoadsAndSaysNoDriver() {
    TestSupport.assumeLibraryLoaded();
    NativeLoadResult status = NativeLibrary.status();
    if (libcudaPresent()) {
      assertThat(status.state()).isNotEqualTo(NativeLoadState.NO_DRIVER);
      assertThat(status.runtimeVersion()).isGreaterThanOrEqualTo(12080);
      return;
    }
    assertThat(status.state()).isEqualTo(NativeLoadState.NO_DRIVER);
    assertThat(status.reason()).contains("libcuda.so.1");
    assertThat(status.summary()).startsWith("no NVIDIA driver: ");
    assertThat(status.library()).isNotNull();
    assertThat(status.driverVersion()).isZero();
    assertThat(status.runtimeVersion()).isGreaterThanOrEqualTo(12080);
  }

  @Test
  void aDriverThatCannotBeOpenedIsNoDriverNamingTheFile() {
    TestSupport.assumeLibraryLoaded();
    NativeLoadResult r = NativeLoader.checkDriver(NativeLibrary.status().library(), "libcuda-deepwell-test-missing.so.1");
    assertThat(r.state()).isEqualTo(NativeLoadState.NO_DRIVER);
    assertThat(r.reason()).contains("libcuda-deepwell-test-missing.so.1").contains("could not be opened");
    assertThat(r.deviceCount()).isZero();
  }

  @Test
  void gpuCallsWithoutAGpuThrowTheReasonNotALinkError() {
    TestSupport.assumeLibraryLoaded();
    NativeLoadResult status = NativeLibrary.status();
    if (status.isReady()) return; // covered by the GPU tests
    assertThat(CudaDevice.count()).isZero();
    assertThatThrownBy(() -> CudaDevice.get(0))
        .isInstanceOf(GpuUnavailableException.class)
        .hasMessageContaining(status.reason())
        .satisfies(e -> assertThat(((GpuUnavailableException) e).state()).isEqualTo(status.state()));
    assertThatThrownBy(() -> PinnedHostBuffer.allocate(16)).isInstanceOf(GpuUnavailableException.class);
    GpuProbe.Result probe = new CudaGpuProbe().probe();
    assertThat(probe.gpus()).isEmpty();
    assertThat(probe.unavailableReason()).isEqualTo(status.summary());
  }

  @Test
  void theProbeIsRegisteredAsAService() {
    List<String> names = new ArrayList<>();
    for (GpuProbe p : ServiceLoader.load(GpuProbe.class)) names.add(p.getClass().getName());
    assertThat(names).contains(CudaGpuProbe.class.getName());
  }

  @Test
  void statusNamesAndStickinessComeFromTheRuntimeWithoutADriver() {
    TestSupport.assumeLibraryLoaded();
    assertThat(Natives.statusName(0)).isEqualTo("DW_SUCCESS");
    assertThat(Natives.statusName(2)).isEqualTo("cudaErrorMemoryAllocation");
    assertThat(Natives.statusName(700)).isEqualTo("cudaErrorIllegalAddress");
    assertThat(Natives.statusName(35)).isEqualTo("cudaErrorInsufficientDriver");
    assertThat(Natives.statusName(10002)).isEqualTo("DW_ERROR_NO_DRIVER");
    assertThat(Natives.statusName(12345)).isEqualTo("DW_ERROR_UNKNOWN");
    assertThat(Natives.statusIsSticky(700)).isTrue();
    assertThat(Natives.statusIsSticky(719)).isTrue();
    assertThat(Natives.statusIsSticky(2)).isFalse();
    assertThat(Natives.statusIsSticky(1)).isFalse();
  }

  @Test
  void optionalLibrariesReportWhatTheyTriedAndWhy() {
    TestSupport.assumeLibraryLoaded();
    List<OptionalLibrary> libs = NativeLibrary.optionalLibraries();
    assertThat(libs).extracting(OptionalLibrary::name).containsExactly("cuBLASLt", "NCCL");
    assertThat(libs.get(0).file()).matches("libcublasLt\\.so\\.1[23]");
    assertThat(libs.get(1).file()).isEqualTo("libnccl.so.2");
    for (OptionalLibrary lib : libs) {
      if (lib.available()) {
        assertThat(lib.version()).as(lib.name()).isPositive();
      } else {
        assertThat(lib.detail()).as(lib.name()).contains(lib.file());
        assertThat(lib.toString()).contains("missing");
      }
    }
  }

  @Test
  void syncModeFollowsTheEnvironment() {
    TestSupport.assumeLibraryLoaded();
    String v = System.getenv("DEEPWELL_SYNC");
    assertThat(NativeLibrary.syncMode()).isEqualTo("1".equals(v) || "true".equals(v));
  }
}
