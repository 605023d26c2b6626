package dev.slaprof.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class InMemorySchemaRegistryTest {
    private static final Schema V1 = SchemaBuilder.record("R").namespace("t").fields()
        .requiredString("a").endRecord();
    private static final Schema V2_OPTIONAL = SchemaBuilder.record("R").namespace("t").fields()
        .requiredString("a").optionalInt("b").endRecord();
    private static final Schema V2_REQUIRED = SchemaBuilder.record("R").namespace("t").fields()
        .requiredString("a").requiredInt("c").endRecord();

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

    @Test
    void shouldReturnTheSameIdForTheSameSchema() {
        final int id = registry.register("s-value", V1);
        assertThat(registry.register("s-value", V1)).isEqualTo(id);
        assertThat(registry.register("other-value", V1)).isEqualTo(id);
        assertThat(registry.versions("s-value")).containsExactly(1);
    }

    @Test
    void shouldAcceptABackwardCompatibleVersion() {
        registry.register("s-value", V1);
        final int id2 = registry.register("s-value", V2_OPTIONAL);
        assertThat(registry.latest("s-value")).get().satisfies(r -> {
            assertThat(r.version()).isEqualTo(2);
            assertThat(r.id()).isEqualTo(id2);
        });
    }

    @Test
    void shouldRefuseANewRequiredFieldUnderBackward() {
        registry.register("s-value", V1);
        assertThat(registry.isCompatible("s-value", V2_REQUIRED)).isFalse();
        assertThatThrownBy(() -> registry.register("s-value", V2_REQUIRED))
            .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE);
                assertThat(e.getMessage()).contains("s-value").contains("READER_FIELD_MISSING_DEFAULT_VALUE");
            });
    }

    @Test
    void shouldAllowAnythingUnderNone() {
        registry.register("s-value", V1);
        registry.setCompatibility("s-value", Compatibility.NONE);
        assertThat(registry.register("s-value", V2_REQUIRED)).isPositive();
    }

    @Test
    void shouldRefuseOversizedSchemas() {
        final SchemaBuilder.FieldAssembler<Schema> f = SchemaBuilder.record("Big").namespace("t").fields();
        for (int i = 0; i < 20_000; i++) {
            f.optionalString("field_with_a_long_name_" + i);
        }
        assertThatThrownBy(() -> registry.register("big-value", f.endRecord()))
            .isInstanceOf(SchemaRegistryException.class).hasMessageContaining("exceeds the limit");
    }

    @Test
    void shouldAnswerNotFoundForUnknownIdsAndSubjects() {
        assertThatThrownBy(() -> registry.byId(99)).isInstanceOfSatisfying(SchemaRegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND));
        assertThat(registry.latest("nope")).isEmpty();
        assertThatThrownBy(() -> registry.version("nope", 1)).isInstanceOfSatisfying(SchemaRegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND));
    }
}
