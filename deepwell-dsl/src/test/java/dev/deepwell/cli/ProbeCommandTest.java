package dev.deepwell.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.deepwell.hw.HardwareInfo;
import dev.deepwell.hw.HardwareProbe;
import org.junit.jupiter.api.Test;

class ProbeCommandTest {

  @Test
  void humanOutputShowsTheCpuAndTheGpusOrWhyThereAreNone() {
    HardwareInfo expected = HardwareProbe.probe();
    CliRun r = CliRun.of("probe");
    assertThat(r.exitCode()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).startsWith("CPU  " + expected.cpu().model() + ", "
        + expected.cpu().logicalCores() + " logical cores");
    if (expected.hasGpu()) {
      assertThat(r.out()).contains(expected.bestGpu().orElseThrow().name(), "best GPU:");
    } else {
      assertThat(r.out()).contains("GPU  none: " + expected.gpuUnavailableReason());
    }
  }

  @Test
  void jsonOutputIsTheHardwareInfoTree() {
    HardwareInfo expected = HardwareProbe.probe();
    CliRun r = CliRun.of("probe", "--json");
    assertThat(r.exitCode()).isZero();
    JsonObject root = JsonParser.parseString(r.out()).getAsJsonObject();
    assertThat(root.keySet()).contains("cpu", "gpus", "gpuUnavailableReason", "gpuBackend");
    assertThat(root.getAsJsonObject("cpu").get("logicalCores").getAsInt())
        .isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(root.getAsJsonArray("gpus")).hasSize(expected.gpus().size());
    if (!expected.hasGpu()) {
      assertThat(root.get("gpuUnavailableReason").getAsString())
          .isEqualTo(expected.gpuUnavailableReason());
    }
    assertThat(root.has("targets")).isFalse();
  }

  @Test
  void targetsAreListedOnRequest() {
    CliRun human = CliRun.of("probe", "--targets");
    assertThat(human.exitCode()).isZero();
    assertThat(human.out()).contains("Named targets", "h100", "h200", "b200", "b100", "rtx5090",
        "NVIDIA H100 SXM5 80GB", "sm_100", "sm_120", "3.35 TB/s");

    CliRun json = CliRun.of("probe", "--json", "--targets");
    JsonObject targets = JsonParser.parseString(json.out()).getAsJsonObject()
        .getAsJsonObject("targets");
    assertThat(targets.keySet()).containsExactly("h100", "h200", "b200", "b100", "rtx5090");
    JsonObject b200 = targets.getAsJsonObject("b200");
    assertThat(b200.get("multiprocessors").getAsInt()).isEqualTo(148);
    assertThat(b200.getAsJsonObject("capabilities").get("nvfp4").getAsBoolean()).isTrue();
  }
}
