package dev.mpath.examples.cli;

import dev.mpath.MpathException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import picocli.CommandLine;

/**
 * Entry point of the {@code mpath} tool. Exit codes: 0 success; 1 a check or operation
 * failed; 2 bad arguments or input (unknown option, malformed or unreachable target, bad
 * key), with a one-line message on standard error. {@code mpath fence --action status}
 * follows the fence-agent convention instead (0 on, 2 off).
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the tool in this process (tests use this). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    PrintWriter o = new PrintWriter(out, true);
    PrintWriter e = new PrintWriter(err, true);
    CommandLine cl = new CommandLine(new MpathCommand());
    cl.setOut(o);
    cl.setErr(e);
    cl.setParameterExceptionHandler((ex, args2) -> {
      String where = ex.getCommandLine().getCommandName();
      e.println("mpath: " + ex.getMessage() + " (see 'mpath " + (where.equals("mpath") ? "" : where + " ") + "--help')");
      return 2;
    });
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      Throwable c = ex;
      while ((c instanceof CompletionException || c instanceof UncheckedIOException) && c.getCause() != null) {
        c = c.getCause();
      }
      // the device refused (conflict, target error, no path): the operation failed, 1;
      // the request was wrong or the target unreachable: bad input, 2
      boolean input = !(c instanceof MpathException)
          && (c instanceof IllegalArgumentException || c instanceof IOException);
      e.println("mpath " + cmd.getCommandName() + ": " + (c.getMessage() != null ? c.getMessage() : c.toString()));
      return input ? 2 : 1;
    });
    int rc = cl.execute(args);
    o.flush();
    e.flush();
    return rc;
  }
}
