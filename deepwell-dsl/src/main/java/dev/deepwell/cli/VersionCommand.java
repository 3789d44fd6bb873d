package dev.deepwell.cli;

import dev.deepwell.hw.HardwareInfo;
import dev.deepwell.hw.HardwareProbe;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code deepwell version}: Deepwell's version, the Java runtime and the GPU backend's status. */
@Command(
    name = "version",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "Shows the Deepwell version, the Java runtime and whether the native GPU backend"
        + " was found.")
final class VersionCommand implements Callable<Integer> {

  static final String VERSION_RESOURCE = "/dev/deepwell/cli/version.properties";

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    out.println("deepwell " + deepwellVersion());
    out.println("java     " + javaLine());
    out.println("os       " + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    out.println("native   " + nativeLine(HardwareProbe.probe()));
    out.flush();
    return DeepwellCli.EXIT_OK;
  }

  /**
   * The version Maven stamped into {@value #VERSION_RESOURCE}; else the jar manifest's
   * Implementation-Version; else "unknown" (e.g. classes compiled by an IDE without filtering).
   */
  static String deepwellVersion() {
    try (InputStream in = VersionCommand.class.getResourceAsStream(VERSION_RESOURCE)) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version", "").trim();
        if (!v.isEmpty() && !v.startsWith("${")) return v;
      }
    } catch (IOException e) {
      // Fall through to the manifest.
    }
    String manifest = VersionCommand.class.getPackage().getImplementationVersion();
    return manifest != null ? manifest : "unknown";
  }

  static String javaLine() {
    return System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
        + System.getProperty("java.vm.name") + ") at " + System.getProperty("java.home");
  }

  static String nativeLine(HardwareInfo info) {
    if (info.gpuBackend() == null) {
      return "not found: " + info.gpuUnavailableReason();
    }
    if (info.hasGpu()) {
      return "loaded (" + info.gpuBackend() + "), " + info.gpus().size() + " CUDA device(s)";
    }
    return "backend " + info.gpuBackend() + " present but unusable: "
        + info.gpuUnavailableReason();
  }

  /** Answers {@code deepwell --version}. */
  static final class Provider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"deepwell " + deepwellVersion() + " (Java " + System.getProperty(
          "java.version") + ")"};
    }
  }
}
