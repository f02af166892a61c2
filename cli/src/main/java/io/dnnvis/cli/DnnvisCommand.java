package io.dnnvis.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The top-level {@code dnnvis} command; its subcommands do the work. */
@Command(
        name = "dnnvis",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "See what the neurons of an ONNX CNN respond to (DeconvNet, SaliNet, DeSaliNet, occlusion).",
        subcommands = {LayersCommand.class, PredictCommand.class, VisualizeCommand.class, ExplainCommand.class, OcclusionCommand.class, AuditCommand.class, BenchCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 failure, 2 bad input (model, image, option)."})
public final class DnnvisCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command");
    }
}
