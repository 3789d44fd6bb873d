package dev.deepwell.hw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HardwareInfoTest {

  static final CpuInfo CPU = new CpuInfo("Test CPU", 8, 32L << 30, 8L << 30, "amd64", "Linux");

  static GpuInfo gpu(int ordinal, int major, int minor, int sms, long memoryGiB) {
    return new GpuInfo(ordinal, "gpu" + ordinal, major, minor, sms, memoryGiB << 30, -1,
        50L << 20, 1_980_000, 2_619_000, 5120, 232_448, 13000, 13000);
  }

  @Test
  void cpuOnlyHostHasNoBestGpuAndSaysWhy() {
    HardwareInfo info = HardwareInfo.cpuOnly(CPU, "no driver", null);
    assertThat(info.hasGpu()).isFalse();
    assertThat(info.bestGpu()).isEmpty();
    assertThat(info.gpuUnavailableReason()).isEqualTo("no driver");
  }

  @Test
  void bestGpuPrefersBlockScaledFormatsThenTmemThenNewerSmThenSmsThenMemoryThenLowerOrdinal() {
    GpuInfo hopper = gpu(0, 9, 0, 132, 80);
    GpuInfo rtx = gpu(1, 12, 0, 170, 32);
    GpuInfo b200 = gpu(2, 10, 0, 148, 180);
    GpuInfo ampere = gpu(3, 8, 0, 108, 80);
    GpuInfo ada = gpu(4, 8, 9, 76, 24);
    // B200 has TMEM, the sm_120 part does not, despite its higher SM version and count.
    assertThat(best(hopper, rtx, b200)).isSameAs(b200);
    // Native NVFP4/MXFP8 beats a bigger Hopper; FP8 beats a bigger Ampere.
    assertThat(best(hopper, rtx)).isSameAs(rtx);
    assertThat(best(ampere, ada)).isSameAs(ada);
    assertThat(best(gpu(0, 10, 0, 148, 180), gpu(1, 10, 3, 148, 180)).ordinal()).isEqualTo(1);
    assertThat(best(gpu(0, 9, 0, 114, 80), gpu(1, 9, 0, 132, 80)).ordinal()).isEqualTo(1);
    assertThat(best(gpu(0, 9, 0, 132, 80), gpu(1, 9, 0, 132, 141)).ordinal()).isEqualTo(1);
    assertThat(best(gpu(3, 9, 0, 132, 80), gpu(1, 9, 0, 132, 80)).ordinal()).isEqualTo(1);
  }

  private static GpuInfo best(GpuInfo... gpus) {
    return new HardwareInfo(CPU, List.of(gpus), null, "x").bestGpu().orElseThrow();
  }

  @Test
  void gpuListIsCopiedAndImmutable() {
    List<GpuInfo> gpus = new ArrayList<>(List.of(gpu(0, 9, 0, 132, 80)));
    HardwareInfo info = new HardwareInfo(CPU, gpus, null, "x");
    gpus.clear();
    assertThat(info.gpus()).hasSize(1);
    assertThatThrownBy(() -> info.gpus().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void validatesTheReasonAgainstTheGpuList() {
    assertThatThrownBy(() -> new HardwareInfo(CPU, List.of(), null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gpuUnavailableReason");
    assertThatThrownBy(() -> new HardwareInfo(CPU, List.of(), " ", null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HardwareInfo(CPU, List.of(gpu(0, 9, 0, 1, 1)), "why", null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be null");
    assertThatThrownBy(() -> new HardwareInfo(null, List.of(), "r", null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("cpu");
    assertThatThrownBy(() -> new HardwareInfo(CPU, null, "r", null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("gpus");
  }

  @Test
  void jsonHasCpuGpusWithDerivedCapabilitiesAndReason() {
    HardwareInfo info = new HardwareInfo(
        CPU, List.of(gpu(0, 9, 0, 132, 80), gpu(1, 10, 0, 148, 180)), null, "dev.example.Probe");
    JsonObject root = JsonParser.parseString(info.toJson()).getAsJsonObject();
    assertThat(root.keySet())
        .containsExactly("cpu", "gpus", "gpuUnavailableReason", "gpuBackend", "bestGpuOrdinal");

    JsonObject cpu = root.getAsJsonObject("cpu");
    assertThat(cpu.get("model").getAsString()).isEqualTo("Test CPU");
    assertThat(cpu.get("logicalCores").getAsInt()).isEqualTo(8);
    assertThat(cpu.get("totalMemoryBytes").getAsLong()).isEqualTo(32L << 30);

    assertThat(root.getAsJsonArray("gpus")).hasSize(2);
    JsonObject hopper = root.getAsJsonArray("gpus").get(0).getAsJsonObject();
    assertThat(hopper.get("name").getAsString()).isEqualTo("gpu0");
    assertThat(hopper.get("ccMajor").getAsInt()).isEqualTo(9);
    assertThat(hopper.get("multiprocessors").getAsInt()).isEqualTo(132);
    assertThat(hopper.get("totalMemoryBytes").getAsLong()).isEqualTo(80L << 30);
    JsonObject caps = hopper.getAsJsonObject("capabilities");
    assertThat(caps.get("sm").getAsString()).isEqualTo("sm_90");
    assertThat(caps.get("fp8").getAsBoolean()).isTrue();
    assertThat(caps.get("mxfp8").getAsBoolean()).isFalse();
    assertThat(caps.get("nvfp4").getAsBoolean()).isFalse();
    assertThat(caps.get("tmem").getAsBoolean()).isFalse();
    // 2 * 2.619 GHz * 640 bytes
    assertThat(caps.get("peakMemoryBandwidthBytesPerSecond").getAsDouble())
        .isEqualTo(2 * 2_619_000_000.0 * 640);
    JsonObject bw = root.getAsJsonArray("gpus").get(1).getAsJsonObject()
        .getAsJsonObject("capabilities");
    assertThat(bw.get("nvfp4").getAsBoolean()).isTrue();
    assertThat(bw.get("tmem").getAsBoolean()).isTrue();

    assertThat(root.get("gpuUnavailableReason").isJsonNull()).isTrue();
    assertThat(root.get("gpuBackend").getAsString()).isEqualTo("dev.example.Probe");
    assertThat(root.get("bestGpuOrdinal").getAsInt()).isEqualTo(1);
  }

  @Test
  void cpuOnlyJsonKeepsTheNullFieldsAndTheReason() {
    JsonObject root = JsonParser.parseString(
        HardwareInfo.cpuOnly(CPU, HardwareProbe.NO_GPU_BACKEND, null).toJson()).getAsJsonObject();
    assertThat(root.getAsJsonArray("gpus")).isEmpty();
    assertThat(root.get("gpuUnavailableReason").getAsString())
        .isEqualTo("no GPU backend on the class path (deepwell-jni)");
    assertThat(root.get("gpuBackend").isJsonNull()).isTrue();
    assertThat(root.get("bestGpuOrdinal").isJsonNull()).isTrue();
  }
}
