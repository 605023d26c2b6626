package dev.slaprof.topology;

import dev.slaprof.domain.Fixtures;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slaprof.schema.AvroSerde;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.TopicNames;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.WireFormatException;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.Statistic;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

/**
 * A v2 LatencySample with a new optional field, produced beside v1, is processed like v1; a schema that breaks
 * BACKWARD compatibility is refused at registration with a message naming the problem.
 */
class SchemaEvolutionTest {
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final Topics topics = Topics.create(registry);

    private static Schema withField(final String field) {
        final String v1 = LatencySample.getClassSchema().toString();
        return new Schema.Parser().parse(v1.substring(0, v1.lastIndexOf(']')) + "," + field + "]}");
    }

    private static GenericRecord asV2(final LatencySample s, final Schema v2) throws IOException {
        final byte[] framed = AvroSerde.specific(LatencySample.class, new InMemorySchemaRegistry(), false)
            .serialize("x", s);
        final GenericRecord g = new GenericDatumReader<GenericRecord>(LatencySample.getClassSchema(), v2)
            .read(null, DecoderFactory.get().binaryDecoder(Arrays.copyOfRange(framed, 5, framed.length), null));
        g.put("gpu_temperature_c", 71.5);
        return g;
    }

    @Test
    void shouldProcessV1AndV2SamplesSideBySide() throws Exception {
        final Schema v2 = withField("{\"name\":\"gpu_temperature_c\",\"type\":[\"null\",\"double\"],\"default\":null,"
            + "\"doc\":\"GPU temperature in degrees Celsius at request end\"}");
        final Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "evolution");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("evolution").toString());
        try (TopologyTestDriver d = new TopologyTestDriver(SlaprofTopology.build(p, topics,
            Fixtures.sla(500, 50, Statistic.MEAN), Duration.ofMillis(250)), p)) {
            final var v1In = d.createInputTopic(TopicNames.LATENCY_SAMPLES, topics.samples().keySerde().serializer(),
                topics.samples().valueSerde().serializer());
            final var v2In = d.createInputTopic(TopicNames.LATENCY_SAMPLES, topics.samples().keySerde().serializer(),
                AvroSerde.generic(null, registry, false).serializer());
            final LatencySample one = Fixtures.prefill(Mappings.tp(1), 3000, 100);
            final LatencySample two = Fixtures.prefill(Mappings.tp(1), 3000, 200);
            v1In.pipeInput(one.getDeployment(), one);
            v2In.pipeInput(two.getDeployment(), asV2(two, v2));
            d.advanceWallClockTime(Duration.ofMillis(250));
            final MappingLoadStats st = d.createOutputTopic(TopicNames.MAPPING_LOAD_STATS,
                topics.stats().keySerde().deserializer(), topics.stats().valueSerde().deserializer())
                .readKeyValuesToMap().values().iterator().next();
            assertThat(st.getOkCount()).isEqualTo(2);
            assertThat(st.getTtft().getMeanMs()).isEqualTo(150.0);
            assertThat(d.createOutputTopic(TopicNames.DEAD_LETTERS, Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer()).isEmpty()).isTrue();
            assertThat(registry.versions(TopicNames.LATENCY_SAMPLES + "-value")).containsExactly(1, 2);
        }
    }

    @Test
    void shouldRefuseAnIncompatibleSchemaClearly() throws Exception {
        final LatencySample s = Fixtures.prefill(Mappings.tp(1), 3000, 100);
        AvroSerde.specific(LatencySample.class, registry, false).serialize(TopicNames.LATENCY_SAMPLES, s);
        final Schema breaking = withField("{\"name\":\"tenant\",\"type\":\"string\"}");
        final GenericRecord g = new GenericData.Record(breaking);
        for (final Schema.Field f : LatencySample.getClassSchema().getFields()) {
            g.put(f.name(), GenericData.get().deepCopy(f.schema(), s.get(f.pos())));
        }
        g.put("tenant", "acme");
        assertThatThrownBy(() -> AvroSerde.generic(null, registry, false).serialize(TopicNames.LATENCY_SAMPLES, g))
            .isInstanceOfSatisfying(WireFormatException.class, e -> {
                assertThat(e.kind()).isEqualTo(WireFormatException.Kind.REGISTRATION_REFUSED);
                assertThat(e.getMessage()).contains("latency-samples-value").contains("tenant");
            });
    }
}
