package dev.deepwell.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepwell.hw.HardwareInfo;
import dev.deepwell.hw.HardwareProbe;
import dev.deepwell.hw.HardwareTargets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeHardwareTest {

  @Test
  void probesThisMachine() {
    HardwareInfo hw = HardwareProbe.probe();
    String out = SampleOutput.capture(o -> ProbeHardware.run(o, hw));
    assertThat(out).startsWith("CPU  " + hw.cpu().model() + ", " + hw.cpu().logicalCores()
        + " logical cores");
    if (hw.hasGpu()) {
      assertThat(out).contains("GPU " + hw.gpus().get(0).ordinal() + "  "
          + hw.gpus().get(0).name());
    } else {
      assertThat(out).contains("GPU  none: " + hw.gpuUnavailableReason());
    }
    assertThat(out).contains("Compiled the benchmark model");
  }

  @Test
  void cpuOnlyHostEmulatesEveryFormatAndHasNoSpeedupFigure() {
    HardwareInfo hw = HardwareInfo.cpuOnly(HardwareProbe.cpu(), "no driver in this test", null);
    String out = SampleOutput.capture(o -> ProbeHardware.run(o, hw));
    assertThat(out).contains("GPU  none: no driver in this test")
        .contains("Default target: CPU backend")
        .containsPattern("(?m)^  mxfp8\\s+emulated bit-exactly")
        .containsPattern("(?m)^  fp32\\s+native")
        .contains("in bf16:")
        .contains("ops per provider:    {cpu=")
        .contains("expected speedup vs BF16: unavailable (");
  }

  @Test
  void hopperRunsFp8BlockNativelyButNotMxfp8() {
    // A described GPU (datasheet figures) goes through the same path as a probed one.
    HardwareInfo hw = new HardwareInfo(HardwareProbe.cpu(), List.of(HardwareTargets.get("h100")),
        null, "described in a test");
    String out = SampleOutput.capture(o -> ProbeHardware.run(o, hw));
    assertThat(out).contains("GPU 0  NVIDIA H100 SXM5 80GB, sm_90, 132 SMs")
        .contains("Default target: NVIDIA H100 SXM5 80GB (probed), sm_90")
        .containsPattern("(?m)^  fp32\\s+native \\(CUDA cores\\)$")
        .contains("fp8 yes, mxfp8 no, nvfp4 no, tmem no")
        .containsPattern("(?m)^  fp8-block\\s+native tensor-core kernels$")
        .containsPattern("(?m)^  mxfp8\\s+not native: refused by default")
        .contains("in fp8-block, the fastest native format here");
    assertThat(SampleOutput.number(out, "expected speedup vs BF16: (\\d+\\.\\d+)x \\(roofline\\)"))
        .isGreaterThan(1.0);
  }

  @Test
  void blackwellPicksNvfp4() {
    HardwareInfo hw = new HardwareInfo(HardwareProbe.cpu(), List.of(HardwareTargets.get("b200")),
        null, "described in a test");
    String out = SampleOutput.capture(o -> ProbeHardware.run(o, hw));
    assertThat(out).contains("fp8 yes, mxfp8 yes, nvfp4 yes, tmem yes")
        .containsPattern("(?m)^  nvfp4\\s+native tensor-core kernels$")
        .contains("in nvfp4, the fastest native format here");
  }
}
