package dev.slaprof.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slaprof.schema.avro.LatencySample;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final AvroSerde<LatencySample> serde = AvroSerde.specific(LatencySample.class, registry, false);

    @Test
    void shouldRoundTripASpecificRecord() {
        final LatencySample in = TestData.sample();
        final byte[] bytes = serde.serialize("latency-samples", in);
        assertThat(serde.deserialize("latency-samples", bytes)).isEqualTo(in);
        assertThat(registry.subjects()).containsExactly("latency-samples-value");
    }

    @Test
    void shouldFrameWithMagicByteAndBigEndianSchemaId() {
        final Schema s = SchemaBuilder.record("Tiny").namespace("t").fields().requiredInt("n").endRecord();
        // Take ids 1..257 so the id needs two bytes and byte order shows.
        for (int i = 0; i < 256; i++) {
            registry.register("filler-" + i, SchemaBuilder.fixed("F" + i).namespace("f").size(1));
        }
        final AvroSerde<GenericRecord> generic = AvroSerde.generic(null, registry, false);
        final GenericRecord r = new GenericData.Record(s);
        r.put("n", -2);
        final byte[] bytes = generic.serialize("tiny", r);
        // id 257 = 0x00000101; Avro int -2 zig-zags to 3.
        assertThat(bytes).containsExactly(0x00, 0x00, 0x00, 0x01, 0x01, 0x03);
        assertThat(((GenericRecord) generic.deserialize("tiny", bytes)).get("n")).isEqualTo(-2);
    }

    @Test
    void shouldLeaveAPlainAvroBodyAfterTheHeader() throws IOException {
        final LatencySample in = TestData.sample();
        final byte[] bytes = serde.serialize("latency-samples", in);
        final int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        final byte[] body = Arrays.copyOfRange(bytes, AvroSerde.HEADER, bytes.length);
        final GenericRecord plain = new GenericDatumReader<GenericRecord>(registry.byId(id))
            .read(null, DecoderFactory.get().binaryDecoder(body, null));
        assertThat(plain.get("event_id").toString()).isEqualTo(in.getEventId());
        assertThat(plain.get("ttft_ms")).isEqualTo(123.5);
        assertThat(((GenericRecord) plain.get("deployment")).get("model").toString()).isEqualTo("Qwen/Qwen3-32B");
    }

    @Test
    void shouldRejectUnknownMagicByte() {
        final byte[] bytes = serde.serialize("latency-samples", TestData.sample());
        bytes[0] = 1;
        assertThatThrownBy(() -> serde.deserialize("latency-samples", bytes))
            .isInstanceOfSatisfying(WireFormatException.class,
                e -> assertThat(e.kind()).isEqualTo(WireFormatException.Kind.UNKNOWN_MAGIC_BYTE));
    }

    @Test
    void shouldRejectShortHeader() {
        assertThatThrownBy(() -> serde.deserialize("latency-samples", new byte[] {0, 0, 1}))
            .isInstanceOfSatisfying(WireFormatException.class,
                e -> assertThat(e.kind()).isEqualTo(WireFormatException.Kind.TRUNCATED_HEADER));
    }

    @Test
    void shouldRejectUnknownSchemaId() {
        final byte[] bytes = serde.serialize("latency-samples", TestData.sample());
        bytes[1] = 0x7f;
        assertThatThrownBy(() -> serde.deserialize("latency-samples", bytes))
            .isInstanceOfSatisfying(WireFormatException.class,
                e -> assertThat(e.kind()).isEqualTo(WireFormatException.Kind.UNKNOWN_SCHEMA_ID));
    }

    @Test
    void shouldRejectTruncatedBody() {
        final byte[] bytes = serde.serialize("latency-samples", TestData.sample());
        final byte[] cut = Arrays.copyOf(bytes, bytes.length / 2);
        assertThatThrownBy(() -> serde.deserialize("latency-samples", cut))
            .isInstanceOfSatisfying(WireFormatException.class,
                e -> assertThat(e.kind()).isEqualTo(WireFormatException.Kind.TRUNCATED_PAYLOAD));
    }

    @Test
    void shouldRejectWriterSchemaThatCannotBeReadAsTheClass() {
        final Schema other = SchemaBuilder.record("Other").namespace("x").fields().requiredString("a").endRecord();
        final int id = registry.register("foreign-value", other);
        final byte[] bytes = {0, 0, 0, 0, (byte) id, 2, 'z'};
        assertThatThrownBy(() -> serde.deserialize("latency-samples", bytes))
            .isInstanceOfSatisfying(WireFormatException.class,
                e -> assertThat(e.kind()).isEqualTo(WireFormatException.Kind.INCOMPATIBLE_SCHEMA));
    }

    @Test
    void shouldPassNullsThroughAsTombstones() {
        assertThat(serde.serialize("t", null)).isNull();
        assertThat(serde.deserialize("t", null)).isNull();
    }
}
