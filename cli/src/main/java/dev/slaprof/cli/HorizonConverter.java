package dev.slaprof.cli;

import dev.slaprof.topology.AgeingHorizon;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --horizon}'s value as an {@link AgeingHorizon} ({@code none} gives null: keep samples for ever). */
final class HorizonConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(final String value) {
        try {
            return AgeingHorizon.parse(value);
        } catch (final IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
