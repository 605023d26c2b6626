package dev.slaprof.schema;

import org.apache.kafka.common.serialization.Serde;

/**
 * A topic with the serdes of its keys and values.
 *
 * @param name       kebab-case topic name
 * @param keySerde   serde of the keys
 * @param valueSerde serde of the values
 * @param <K>        key type
 * @param <V>        value type
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
}
