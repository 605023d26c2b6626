package dev.slaprof.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The one precedence of every slaprof command, applied before it runs: an option given on the command line wins;
 * then the command's files, in the order the command lists them (run: {@code --config}, then {@code --scenario};
 * every Kafka command: {@code bootstrap.servers} of {@code --kafka-config}); then the environment,
 * {@code SLAPROF_<OPTION>} ({@code SLAPROF_TTFT}, {@code SLAPROF_BOOTSTRAP_SERVERS}, {@code SLAPROF_PEERS_PYTHON},
 * ...); then the option's default. A value that does not convert is an error naming the option and its source.
 */
final class Settings {
    /** A command or option group whose files hold option values. */
    interface Layered {
        /** Option values by long name without the dashes, one map per file, the strongest first. */
        List<Layer> layers();
    }

    /** Option values from one source, named for the error messages. */
    record Layer(String source, Map<String, String> values) {
    }

    private Settings() {
    }

    /** The environment variable of an option: {@code --min-num-gpus-per-engine} is SLAPROF_MIN_NUM_GPUS_PER_ENGINE. */
    static String envName(final String option) {
        return "SLAPROF_" + option.replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** An execution strategy that resolves the settings of the command being run, then runs it. */
    static CommandLine.IExecutionStrategy resolvingFrom(final Map<String, String> env) {
        return parsed -> {
            ParseResult leaf = parsed;
            while (leaf.hasSubcommand()) {
                leaf = leaf.subcommand();
            }
            try {
                apply(leaf.commandSpec(), env);
            } catch (final RuntimeException e) {
                // Reported like a failure of the command itself: one line, a non-zero exit (the error handler).
                throw new CommandLine.ExecutionException(leaf.commandSpec().commandLine(), e.getMessage(), e);
            }
            return new CommandLine.RunLast().execute(parsed);
        };
    }

    /** Sets every option of {@code spec} not given on its command line from the files, then the environment. */
    static void apply(final CommandSpec spec, final Map<String, String> env) {
        final List<Layer> layers = new ArrayList<>();
        collect(spec.userObject(), layers);
        spec.mixins().values().forEach(m -> collect(m.userObject(), layers));
        final ParseResult parsed = spec.commandLine().getParseResult();
        for (final OptionSpec o : spec.options()) {
            final String name = o.longestName().replaceFirst("^--?", "");
            if (parsed != null && parsed.hasMatchedOption(o)) {
                continue;
            }
            String value = null;
            String source = null;
            for (final Layer l : layers) {
                if (l.values().containsKey(name)) {
                    value = l.values().get(name);
                    source = l.source();
                    break;
                }
            }
            if (value == null && env.get(envName(name)) != null && !env.get(envName(name)).isBlank()) {
                value = env.get(envName(name));
                source = envName(name);
            }
            if (value != null) {
                set(o, name, value, source);
            }
        }
    }

    private static void collect(final Object userObject, final List<Layer> into) {
        if (userObject instanceof Layered l) {
            into.addAll(l.layers());
        }
    }

    private static void set(final OptionSpec o, final String name, final String value, final String source) {
        try {
            o.setValue(convert(o, value));
        } catch (final Exception e) {
            throw new IllegalArgumentException("bad value '" + value + "' for --" + name + " from " + source + " ("
                + o.type().getSimpleName() + ")");
        }
    }

    private static Object convert(final OptionSpec o, final String v) throws Exception {
        final ITypeConverter<?>[] converters = o.converters();
        if (converters != null && converters.length > 0) {
            return converters[0].convert(v);
        }
        final Class<?> type = o.type();
        if (type == int.class || type == Integer.class) {
            return Integer.parseInt(v.trim());
        }
        if (type == long.class || type == Long.class) {
            return Long.parseLong(v.trim());
        }
        if (type == double.class || type == Double.class) {
            return Double.parseDouble(v.trim());
        }
        if (type == boolean.class || type == Boolean.class) {
            return Boolean.parseBoolean(v.trim());
        }
        if (type == Path.class) {
            return Path.of(v);
        }
        if (type == Duration.class) {
            return Duration.parse(v.trim());
        }
        if (type == String.class) {
            return v;
        }
        throw new IllegalArgumentException("a " + type.getSimpleName() + " option is set on the command line only");
    }
}
