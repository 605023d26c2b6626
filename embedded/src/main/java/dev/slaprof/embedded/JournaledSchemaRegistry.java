package dev.slaprof.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slaprof.schema.Compatibility;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.SchemaRegistryClient;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * A schema registry that survives restarts: the in-memory registry, with every accepted change (a registration, a
 * compatibility level) appended to a JSON-lines journal and replayed in order at start. Replay assigns the same ids
 * in the same order, so records written before a restart still decode after it. For {@code slaprof kafka
 * --data-dir}; a production deployment uses its own registry.
 */
public final class JournaledSchemaRegistry implements SchemaRegistryClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final InMemorySchemaRegistry memory = new InMemorySchemaRegistry();
    private final Path journal;
    private final int replayed;

    /** Opens (or creates) the journal at {@code journal} and replays it. */
    public JournaledSchemaRegistry(final Path journal) {
        this.journal = journal;
        int n = 0;
        if (Files.exists(journal)) {
            try {
                int line = 0;
                for (final String text : Files.readAllLines(journal, StandardCharsets.UTF_8)) {
                    line++;
                    if (text.isBlank()) {
                        continue;
                    }
                    replay(JSON.readTree(text), line);
                    n++;
                }
            } catch (final IOException e) {
                throw new UncheckedIOException("cannot read the registry journal " + journal + ": " + e.getMessage(),
                    e);
            }
        }
        this.replayed = n;
    }

    private void replay(final JsonNode e, final int line) {
        switch (e.path("op").asText()) {
            case "register" -> memory.register(e.path("subject").asText(), new Schema.Parser().parse(
                e.path("schema").asText()));
            case "compatibility" -> memory.setCompatibility(e.path("subject").isNull() ? null
                : e.path("subject").asText(), Compatibility.valueOf(e.path("level").asText()));
            default -> throw new IllegalStateException("registry journal " + journal + " line " + line
                + ": unknown op '" + e.path("op").asText() + "'");
        }
    }

    /** Changes read back from the journal at start. */
    public int replayed() {
        return replayed;
    }

    private synchronized void append(final JsonNode entry) {
        try (BufferedWriter w = Files.newBufferedWriter(journal, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND, StandardOpenOption.WRITE, StandardOpenOption.SYNC)) {
            w.write(entry.toString());
            w.write('\n');
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot append to the registry journal " + journal, e);
        }
    }

    @Override
    public synchronized int register(final String subject, final Schema schema) {
        final boolean known = memory.lookup(subject, schema).isPresent();
        final int id = memory.register(subject, schema);
        if (!known) {
            append(JSON.createObjectNode().put("op", "register").put("subject", subject).put("schema",
                schema.toString()));
        }
        return id;
    }

    @Override
    public Schema byId(final int id) {
        return memory.byId(id);
    }

    @Override
    public Optional<Registered> latest(final String subject) {
        return memory.latest(subject);
    }

    @Override
    public Registered version(final String subject, final int version) {
        return memory.version(subject, version);
    }

    @Override
    public Optional<Registered> lookup(final String subject, final Schema schema) {
        return memory.lookup(subject, schema);
    }

    @Override
    public boolean isCompatible(final String subject, final Schema schema) {
        return memory.isCompatible(subject, schema);
    }

    @Override
    public Compatibility compatibility(final String subject) {
        return memory.compatibility(subject);
    }

    @Override
    public synchronized void setCompatibility(final String subject, final Compatibility level) {
        memory.setCompatibility(subject, level);
        append(JSON.createObjectNode().put("op", "compatibility").put("subject", subject).put("level",
            level.name()));
    }

    @Override
    public List<String> subjects() {
        return memory.subjects();
    }

    @Override
    public List<Integer> versions(final String subject) {
        return memory.versions(subject);
    }
}
