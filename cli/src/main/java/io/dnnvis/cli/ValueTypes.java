package io.dnnvis.cli;

import io.dnnvis.methods.core.Gates;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.image.Preprocessing;
import io.dnnvis.methods.image.ResizeMode;
import io.dnnvis.methods.occlusion.Fill;
import io.dnnvis.methods.core.Target;
import io.dnnvis.methods.core.TargetArea;
import io.dnnvis.methods.render.Colormap;
import io.dnnvis.onnx.UserErrorException;
import io.dnnvis.trace.ExecutionProvider;
import io.dnnvis.trace.backward.rules.Pooling;
import io.dnnvis.trace.backward.StartSignal;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The types of the option values, each with the converter that reads it, registered in one place:
 * the library's enums and values through their own parsers (whose messages list what is valid), the
 * command line's own values through theirs. A value that does not convert is refused before the
 * command runs, as one line naming the option (see {@link ErrorHandler}).
 */
final class ValueTypes {

    private ValueTypes() {
    }

    /** Registers every converter on {@code cl} and its subcommands. */
    static void registerOn(CommandLine cl) {
        cl.registerConverter(ExecutionProvider.class, parsedBy(ExecutionProvider::parse));
        cl.registerConverter(Pooling.class, parsedBy(Pooling::parse));
        cl.registerConverter(StartSignal.class, parsedBy(StartSignal::parse));
        cl.registerConverter(Gates.class, parsedBy(Gates::parse));
        cl.registerConverter(Colormap.class, parsedBy(Colormap::parse));
        cl.registerConverter(ResizeMode.class, parsedBy(ResizeMode::parse));
        cl.registerConverter(Preprocessing.class, parsedBy(Preprocessing::parse));
        cl.registerConverter(Fill.class, parsedBy(Fill::parse));
        cl.registerConverter(io.dnnvis.methods.occlusion.IncrementalMode.class,
                parsedBy(io.dnnvis.methods.occlusion.IncrementalMode::parse));
        cl.registerConverter(Target.class, parsedBy(Target::parse));
        cl.registerConverter(InputLayout.class, parsedBy(InputLayout::parse));
        cl.registerConverter(TargetArea.Region.class, parsedBy(TargetArea.Region::parse));
        cl.registerConverter(VisualizeMethod.class, named(VisualizeMethod.class, "method"));
        cl.registerConverter(BenchMethod.class, parsedBy(BenchMethod::parse));
        cl.registerConverter(ExplainMethod.class, parsedBy(ExplainMethod::parse));
        cl.registerConverter(io.dnnvis.methods.attribution.Quadrature.class,
                parsedBy(io.dnnvis.methods.attribution.Quadrature::parse));
        cl.registerConverter(io.dnnvis.methods.attribution.CamResolution.class,
                parsedBy(io.dnnvis.methods.attribution.CamResolution::parse));
        cl.registerConverter(Neurons.class, Neurons::parse);
        cl.registerConverter(Position.class, Position::parse);
        cl.registerConverter(ValueRange.class, ValueRange::parse);
        cl.registerConverter(ImageSize.class, ImageSize::parse);
        cl.registerConverter(InputShape.class, InputShape::parse);
    }

    /** A converter that lets a library parser decide; its refusal becomes picocli's, with the parser's message. */
    static <T> ITypeConverter<T> parsedBy(Function<String, T> parser) {
        return text -> {
            try {
                return parser.apply(text);
            } catch (IllegalArgumentException | UserErrorException e) {
                throw new TypeConversionException(e.getMessage());
            }
        };
    }

    /**
     * A converter of an enum of the command line by its lower-case names ({@code _} written {@code -}),
     * any case; the message of a refusal lists them.
     */
    static <E extends Enum<E>> ITypeConverter<E> named(Class<E> type, String what) {
        List<E> values = Arrays.asList(type.getEnumConstants());
        return text -> values.stream().filter(v -> label(v).equalsIgnoreCase(text.strip())).findFirst()
                .orElseThrow(() -> new TypeConversionException("unknown " + what + " '" + text + "' ("
                        + listing(values.stream().map(ValueTypes::label).toList()) + ")"));
    }

    /** How an enum constant is written on the command line: {@code CHANNEL_MEAN} as {@code channel-mean}. */
    static String label(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** "a, b or c". */
    static String listing(List<String> names) {
        int last = names.size() - 1;
        return last <= 0 ? String.join("", names)
                : String.join(", ", names.subList(0, last)) + " or " + names.get(last);
    }
}
