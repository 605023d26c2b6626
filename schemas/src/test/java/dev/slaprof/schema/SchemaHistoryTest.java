package dev.slaprof.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * BACKWARD policy: each current schema must read records written with every released version, whose texts are
 * kept under {@code src/test/resources/schema-history/<version>/}. Changing a schema incompatibly fails here.
 */
class SchemaHistoryTest {
    static List<String> released() throws IOException {
        try (InputStream in = SchemaHistoryTest.class.getResourceAsStream("/schema-history/index.txt")) {
            return List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim().split("\\s+"));
        }
    }

    @ParameterizedTest
    @MethodSource("released")
    void shouldReadEveryReleasedVersion(final String path) throws Exception {
        final Schema old;
        try (InputStream in = SchemaHistoryTest.class.getResourceAsStream("/schema-history/" + path)) {
            old = new Schema.Parser().parse(in);
        }
        final Class<?> current = Class.forName(old.getFullName());
        final Schema now = SpecificData.get().getSchema(current);
        final var result = SchemaCompatibility.checkReaderWriterCompatibility(now, old);
        assertThat(result.getType()).as(result.getDescription())
            .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    }
}
