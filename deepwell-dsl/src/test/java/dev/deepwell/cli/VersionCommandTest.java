package dev.deepwell.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepwell.hw.HardwareInfo;
import dev.deepwell.hw.HardwareProbe;
import java.util.List;
import org.junit.jupiter.api.Test;

class VersionCommandTest {

  @Test
  void printsDeepwellJavaOsAndNativeStatus() {
    CliRun r = CliRun.of("version");
    assertThat(r.exitCode()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(4);
    // Maven filters version.properties; an unfiltered "${project.version}" must never show.
    assertThat(lines.get(0)).matches("deepwell \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    assertThat(lines.get(1)).startsWith("java     " + System.getProperty("java.version"))
        .contains(System.getProperty("java.home"));
    assertThat(lines.get(2)).isEqualTo(
        "os       " + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    HardwareInfo hw = HardwareProbe.probe();
    assertThat(lines.get(3)).isEqualTo("native   " + VersionCommand.nativeLine(hw));
  }

  @Test
  void nativeLineSaysWhetherTheBackendWasFoundAndUsable() {
    var cpu = HardwareProbe.cpu();
    assertThat(VersionCommand.nativeLine(HardwareInfo.cpuOnly(cpu, "no GPU backend", null)))
        .isEqualTo("not found: no GPU backend");
    assertThat(VersionCommand.nativeLine(HardwareInfo.cpuOnly(cpu, "no driver", "a.Probe")))
        .isEqualTo("backend a.Probe present but unusable: no driver");
    assertThat(VersionCommand.nativeLine(new HardwareInfo(cpu,
            List.of(dev.deepwell.hw.HardwareTargets.get("h100")), null, "a.Probe")))
        .isEqualTo("loaded (a.Probe), 1 CUDA device(s)");
  }
}
