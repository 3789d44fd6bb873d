package dev.deepwell.cli;

import dev.deepwell.hw.GpuInfo;
import dev.deepwell.hw.HardwareInfo;
import dev.deepwell.hw.HardwareProbe;
import dev.deepwell.kernel.bench.GemmBenchResult;
import dev.deepwell.kernel.bench.GemmBenchShape;
import dev.deepwell.kernel.bench.GemmBenchSpec;
import dev.deepwell.kernel.bench.GemmBenchmarkProvider;
import dev.deepwell.kernel.bench.GemmBenchmarks;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code deepwell bench gemm}: Deepwell's GEMM kernels next to cuBLASLt on the probed GPU, through
 * the {@link GemmBenchmarkProvider} of the GPU backend (the CLI never depends on CUDA itself).
 */
@Command(
    name = "gemm",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    sortOptions = false,
    description = {
      "Times Deepwell's GEMM kernels (CUTLASS where they run, else the reference CUDA kernel) and"
          + " cuBLASLt on the same operands, on the best GPU the probe finds, and prints one row per"
          + " shape, pass and format with TFLOP/s, ours / cuBLASLt and ours / our BF16, then the"
          + " geometric mean per format.",
      "Method: per contender a CUDA graph of calls rotating over enough operand copies that none is"
          + " found in L2; all contenders of a shape and pass timed in the same shuffled rounds;"
          + " median per call. The full default table takes about 1-2 minutes on an H100.",
      "Without a usable GPU it says why in one line and exits with status 1."
    })
final class BenchGemmCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--formats", paramLabel = "LIST", defaultValue = "bf16,fp8-tensor,fp8-block128",
      description = "Operand formats: bf16, fp8-tensor, fp8-block128, mxfp8, nvfp4, nvfp4-weight (BF16 x NVFP4"
          + " weights: the decode GEMV where M <= 16, our sm90 kernel past it on Hopper) (default: ${DEFAULT-VALUE}).")
  String formats;

  @Option(names = "--passes", paramLabel = "LIST", defaultValue = "fwd,dgrad,wgrad",
      description = "Training passes of each shape: fwd (M,N,K), dgrad (M,K,N), wgrad (N,K,M)"
          + " (default: ${DEFAULT-VALUE}). A cube is measured once.")
  String passes;

  @Option(names = "--shapes", paramLabel = "LIST", defaultValue = "4096^3,8192^3,model",
      description = "Forward shapes: C^3, MxNxK, or 'model' (16384 tokens x the linear layers of a"
          + " d_model=768 transformer: 2304x768, 768x768, 4096x768, 768x2048, 32768x768)"
          + " (default: ${DEFAULT-VALUE}).")
  String shapes;

  @Option(names = "--warmup", paramLabel = "N",
      description = "Untimed graph replays of each contender before the rounds (default: 2; --quick 1).")
  Integer warmup;

  @Option(names = "--iters", paramLabel = "N",
      description = "Calls captured in each graph replay (default: as many as take ~10 ms, 3 to 400;"
          + " --quick ~3 ms).")
  Integer iters;

  @Option(names = "--rounds", paramLabel = "N",
      description = "Timed rounds; each time is the median over them (default: 7; --quick 3).")
  Integer rounds;

  @Option(names = "--quick", description = "Fewer and shorter measurements: a first look, noisier.")
  boolean quick;

  @Option(names = "--device", paramLabel = "N",
      description = "CUDA device ordinal (default: the best GPU the probe finds).")
  Integer device;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write every result to FILE as JSON.")
  Path json;

  @Override
  public Integer call() throws IOException {
    GemmBenchSpec.Builder b = GemmBenchSpec.builder();
    try {
      b.formats(GemmBenchSpec.parseFormats(formats))
          .passes(GemmBenchSpec.parsePasses(passes))
          .shapes(GemmBenchShape.parseList(shapes));
      if (quick) {
        b.quick();
      }
      if (warmup != null) {
        b.warmup(warmup);
      }
      if (rounds != null) {
        b.rounds(rounds);
      }
      if (iters != null) {
        if (iters < 1) {
          throw new IllegalArgumentException("--iters must be >= 1, got " + iters);
        }
        b.calls(iters);
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    HardwareInfo hw = HardwareProbe.probe();
    if (!hw.hasGpu()) {
      throw new CliException("no usable GPU: " + hw.gpuUnavailableReason());
    }
    b.device(chooseDevice(hw));
    GemmBenchmarks.Lookup lookup = GemmBenchmarks.find(loader());
    GemmBenchmarkProvider provider = lookup.provider().orElseThrow(() -> new CliException(lookup.reason()));
    provider.unavailableReason().ifPresent(why -> {
      throw new CliException("no usable GPU: " + why);
    });
    GemmBenchSpec s = b.build();
    PrintWriter out = spec.commandLine().getOut();
    String when = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    List<GemmBenchResult> all = new ArrayList<>();
    String[] device = {""};
    provider.run(s, new GemmBenchmarkProvider.Listener() {
      @Override
      public void started(String d) {
        device[0] = d;
        GemmBenchTable.header(out, d, when, s);
      }

      @Override
      public void measured(List<GemmBenchResult> group) {
        all.addAll(group);
        GemmBenchTable.rows(out, group, all);
      }
    });
    GemmBenchTable.summary(out, all);
    if (json != null) {
      Path parent = json.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(json, Json.PRETTY.toJson(GemmBenchTable.json(device[0], when, s, all)) + "\n",
          StandardCharsets.UTF_8);
      out.println("results: " + json);
    }
    out.flush();
    return DeepwellCli.EXIT_OK;
  }

  private int chooseDevice(HardwareInfo hw) {
    if (device == null) {
      return hw.bestGpu().orElseThrow().ordinal();
    }
    for (GpuInfo g : hw.gpus()) {
      if (g.ordinal() == device) {
        return device;
      }
    }
    throw new ParameterException(spec.commandLine(), "--device " + device + ": no such GPU (the probe found "
        + hw.gpus().stream().map(g -> String.valueOf(g.ordinal())).toList() + ")");
  }

  private static ClassLoader loader() {
    ClassLoader l = Thread.currentThread().getContextClassLoader();
    return l != null ? l : BenchGemmCommand.class.getClassLoader();
  }
}
