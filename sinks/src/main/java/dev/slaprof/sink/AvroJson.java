package dev.slaprof.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.IndexedRecord;

/**
 * Plain JSON of an Avro record for consumers in any language: field names as in the schema, unions as their
 * value (no type wrapper), enums as strings, bytes as base64, and non-finite numbers (an interval of a single
 * sample is infinite) as null, since JSON has no Infinity or NaN.
 */
public final class AvroJson {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private AvroJson() {
    }

    /** The record as a JSON tree. */
    public static ObjectNode toJson(final IndexedRecord r) {
        final ObjectNode o = F.objectNode();
        for (final Schema.Field f : r.getSchema().getFields()) {
            o.set(f.name(), value(r.get(f.pos())));
        }
        return o;
    }

    private static JsonNode value(final Object v) {
        if (v == null) {
            return F.nullNode();
        }
        if (v instanceof IndexedRecord rec) {
            return toJson(rec);
        }
        if (v instanceof Double d) {
            return Double.isFinite(d) ? F.numberNode(d) : F.nullNode();
        }
        if (v instanceof Float d) {
            return Float.isFinite(d) ? F.numberNode(d) : F.nullNode();
        }
        if (v instanceof Integer i) {
            return F.numberNode(i);
        }
        if (v instanceof Long l) {
            return F.numberNode(l);
        }
        if (v instanceof Boolean b) {
            return F.booleanNode(b);
        }
        if (v instanceof ByteBuffer b) {
            final ByteBuffer d = b.duplicate();
            final byte[] bytes = new byte[d.remaining()];
            d.get(bytes);
            return F.textNode(Base64.getEncoder().encodeToString(bytes));
        }
        if (v instanceof Collection<?> c) {
            final ArrayNode a = F.arrayNode();
            c.forEach(x -> a.add(value(x)));
            return a;
        }
        if (v instanceof Map<?, ?> m) {
            final ObjectNode o = F.objectNode();
            m.forEach((k, x) -> o.set(String.valueOf(k), value(x)));
            return o;
        }
        if (v instanceof Enum<?> || v instanceof GenericEnumSymbol<?>) {
            return F.textNode(v.toString());
        }
        return F.textNode(v.toString());
    }
}
