package io.dnnvis.spark;

import io.dnnvis.onnx.UserErrorException;
import javax.imageio.ImageIO;
import picocli.CommandLine;

/**
 * Entry point of {@code dnnvis-spark.jar} for {@code spark-submit}. Exit codes as dnnvis's: 0 ok,
 * 1 failure, 2 bad input (one line on stderr naming the file and the problem).
 */
public final class SparkAuditMain {

    private SparkAuditMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code. */
    public static int run(String... args) {
        ImageIO.setUseCache(false);
        CommandLine cl = new CommandLine(new SparkAuditCommand());
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            Throwable user = e;
            while (user != null && !(user instanceof UserErrorException)) {
                user = user.getCause();
            }
            if (user != null) {
                // a layer the model does not have is a problem of the model file, as dnnvis says it
                String model = user instanceof io.dnnvis.onnx.UnknownLayerException && !parsed.matchedPositionals().isEmpty()
                        ? parsed.matchedPositionals().get(0).getValue() + ": " : "";
                line.getErr().println("error: " + model + user.getMessage());
                line.getErr().flush();
                return 2;
            }
            line.getErr().println("error: " + e);
            e.printStackTrace(line.getErr());
            line.getErr().flush();
            return 1;
        });
        return cl.execute(args);
    }
}
