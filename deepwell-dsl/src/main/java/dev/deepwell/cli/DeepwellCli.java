package dev.deepwell.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The {@code deepwell} command line. {@link #main} is the entry point of the launcher script and
 * of the dist bundle; {@link #execute} runs it in-process (tests, embedding).
 *
 * <p>Error contract: a failing command prints ONE line, {@code deepwell <command>: <what went
 * wrong>}, on stderr and exits non-zero: {@value #EXIT_USAGE} for a usage error (unknown option,
 * missing or malformed value), {@value #EXIT_FAILURE} for a failure while running (missing file,
 * wrong length, a shape the format cannot quantize). {@code --verbose} adds the stack trace.
 */
@Command(
    name = "deepwell",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "Low-precision (MXFP8, NVFP4, FP8) transformer toolkit for the JVM.",
    subcommands = {
      ProbeCommand.class,
      VersionCommand.class,
      QuantizeCommand.class,
      DemoCommand.class,
      DryrunCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class DeepwellCli implements Runnable {

  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  // Inherited by every subcommand, so it may be given before or after the command name.
  @CommandLine.Option(
      names = "--verbose",
      scope = CommandLine.ScopeType.INHERIT,
      description = "On errors, print the stack trace too.")
  boolean verbose;

  @Override
  public void run() {
    // A bare "deepwell" is a usage error: say what the commands are.
    throw new ParameterException(spec.commandLine(),
        "missing command; one of: probe, version, quantize, demo, dryrun, bench, help");
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    int code = execute(out, err, args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Runs the CLI with {@code args}, writing to {@code out} and {@code err}; returns the exit code. */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    if (out == null) throw new NullPointerException("out");
    if (err == null) throw new NullPointerException("err");
    if (args == null) throw new NullPointerException("args");
    CommandLine cli = newCommandLine();
    cli.setOut(out);
    cli.setErr(err);
    int code;
    try {
      code = cli.execute(args);
    } catch (OutOfMemoryError e) {
      // picocli hands only Exceptions to the handlers; running out of heap on a big tensor is a
      // user-fixable condition too, so it gets its one line (other Errors are bugs and propagate).
      err.println("deepwell: " + CliErrors.describe(e));
      code = EXIT_FAILURE;
    }
    out.flush();
    err.flush();
    return code;
  }

  /** The configured command tree (error handlers included), without output streams set. */
  public static CommandLine newCommandLine() {
    CommandLine cli = new CommandLine(new DeepwellCli());
    cli.setParameterExceptionHandler(USAGE_ERROR);
    cli.setExecutionExceptionHandler(RUN_ERROR);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    return cli;
  }

  private static final IParameterExceptionHandler USAGE_ERROR = (ex, args) -> {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println(commandPath(cmd) + ": " + oneLine(ex.getMessage())
        + " (try '" + commandPath(cmd) + " --help')");
    if (isVerbose(cmd.getParseResult())) ex.printStackTrace(err);
    err.flush();
    return EXIT_USAGE;
  };

  private static final IExecutionExceptionHandler RUN_ERROR = (ex, cmd, parseResult) -> {
    PrintWriter err = cmd.getErr();
    err.println(commandPath(cmd) + ": " + CliErrors.describe(ex));
    if (isVerbose(parseResult)) ex.printStackTrace(err);
    err.flush();
    return EXIT_FAILURE;
  };

  /** "deepwell quantize" for the quantize subcommand. */
  private static String commandPath(CommandLine cmd) {
    return cmd.getCommandSpec().qualifiedName(" ");
  }

  /** True when --verbose was given to any command on the parsed path. */
  private static boolean isVerbose(ParseResult result) {
    for (ParseResult r = result; r != null; r = r.subcommand()) {
      if (r.hasMatchedOption("--verbose")) return true;
    }
    return false;
  }

  static String oneLine(String message) {
    if (message == null) return "";
    return message.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ').trim();
  }
}
