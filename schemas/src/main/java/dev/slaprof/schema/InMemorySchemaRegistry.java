package dev.slaprof.schema;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;

/**
 * An in-memory schema registry with Confluent semantics: global ids shared by identical schemas, per-subject
 * versions from 1, compatibility enforced on registration (default BACKWARD). Thread-safe. The embedded default.
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient {
    /** Largest schema text accepted, in characters; a registry must not be a memory sink. */
    public static final int MAX_SCHEMA_CHARS = 256 * 1024;

    private final Map<Integer, Schema> byId = new HashMap<>();
    private final Map<String, Integer> idByCanonical = new HashMap<>();
    private final Map<String, List<Integer>> subjectVersions = new TreeMap<>();
    private final Map<String, Compatibility> subjectLevels = new HashMap<>();
    private Compatibility globalLevel = Compatibility.BACKWARD;
    private int nextId = 1;

    @Override
    public synchronized int register(final String subject, final Schema schema) {
        final String text = schema.toString();
        if (text.length() > MAX_SCHEMA_CHARS) {
            throw new SchemaRegistryException(SchemaRegistryException.INVALID_SCHEMA,
                "schema of " + text.length() + " characters exceeds the limit of " + MAX_SCHEMA_CHARS);
        }
        final Optional<Registered> existing = lookup(subject, schema);
        if (existing.isPresent()) {
            return existing.get().id();
        }
        final List<Integer> versions = subjectVersions.getOrDefault(subject, List.of());
        final List<Schema> previous = new ArrayList<>();
        for (final int id : versions) {
            previous.add(byId.get(id));
        }
        final String problem = compatibility(subject).check(schema, previous);
        if (problem != null) {
            throw new SchemaRegistryException(SchemaRegistryException.INCOMPATIBLE,
                "Schema being registered is incompatible with an earlier schema for subject \"" + subject + "\": "
                    + problem);
        }
        final String canonical = canonical(schema);
        final int id = idByCanonical.computeIfAbsent(canonical, c -> {
            final int fresh = nextId++;
            byId.put(fresh, schema);
            return fresh;
        });
        subjectVersions.computeIfAbsent(subject, s -> new ArrayList<>()).add(id);
        return id;
    }

    @Override
    public synchronized Schema byId(final int id) {
        final Schema schema = byId.get(id);
        if (schema == null) {
            throw new SchemaRegistryException(SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
        }
        return schema;
    }

    @Override
    public synchronized Optional<Registered> latest(final String subject) {
        final List<Integer> versions = subjectVersions.get(subject);
        if (versions == null || versions.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(version(subject, versions.size()));
    }

    @Override
    public synchronized Registered version(final String subject, final int version) {
        final List<Integer> versions = subjectVersions.get(subject);
        if (versions == null) {
            throw new SchemaRegistryException(SchemaRegistryException.SUBJECT_NOT_FOUND,
                "Subject '" + subject + "' not found");
        }
        if (version < 1 || version > versions.size()) {
            throw new SchemaRegistryException(SchemaRegistryException.VERSION_NOT_FOUND,
                "Version " + version + " not found");
        }
        final int id = versions.get(version - 1);
        return new Registered(id, subject, version, byId.get(id));
    }

    @Override
    public synchronized Optional<Registered> lookup(final String subject, final Schema schema) {
        final Integer id = idByCanonical.get(canonical(schema));
        final List<Integer> versions = subjectVersions.get(subject);
        if (id == null || versions == null) {
            return Optional.empty();
        }
        final int index = versions.indexOf(id);
        return index < 0 ? Optional.empty() : Optional.of(new Registered(id, subject, index + 1, byId.get(id)));
    }

    @Override
    public synchronized boolean isCompatible(final String subject, final Schema schema) {
        final List<Schema> previous = new ArrayList<>();
        for (final int id : subjectVersions.getOrDefault(subject, List.of())) {
            previous.add(byId.get(id));
        }
        return compatibility(subject).check(schema, previous) == null;
    }

    @Override
    public synchronized Compatibility compatibility(final String subject) {
        return subject == null ? globalLevel : subjectLevels.getOrDefault(subject, globalLevel);
    }

    @Override
    public synchronized void setCompatibility(final String subject, final Compatibility level) {
        if (subject == null) {
            globalLevel = level;
        } else {
            subjectLevels.put(subject, level);
        }
    }

    @Override
    public synchronized List<String> subjects() {
        return List.copyOf(subjectVersions.keySet());
    }

    @Override
    public synchronized List<Integer> versions(final String subject) {
        final List<Integer> versions = subjectVersions.get(subject);
        if (versions == null) {
            throw new SchemaRegistryException(SchemaRegistryException.SUBJECT_NOT_FOUND,
                "Subject '" + subject + "' not found");
        }
        final List<Integer> numbers = new ArrayList<>();
        for (int v = 1; v <= versions.size(); v++) {
            numbers.add(v);
        }
        return numbers;
    }

    /** Identity of a schema for id sharing: its full JSON text (docs and defaults matter to readers). */
    private static String canonical(final Schema schema) {
        return schema.toString();
    }
}
