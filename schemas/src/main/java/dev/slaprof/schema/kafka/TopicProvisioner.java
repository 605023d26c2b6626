package dev.slaprof.schema.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates slaprof's topics from {@code config/topics.properties} with the AdminClient. Idempotent: an existing
 * topic is kept and its configs are set to the file's values (partition counts are never changed).
 */
public final class TopicProvisioner {
    /** Classpath copy of config/topics.properties. */
    public static final String RESOURCE = "/slaprof/topics.properties";

    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);

    /** One topic's specification. */
    public record Spec(String name, int partitions, short replicationFactor, Map<String, String> configs) {
        /** The same topic under {@code prefix + name}. */
        public Spec prefixed(final String prefix) {
            return new Spec(prefix + name, partitions, replicationFactor, configs);
        }
    }

    private TopicProvisioner() {
    }

    /** Reads the specs from a file, or the bundled default when {@code file} is null. */
    public static List<Spec> load(final Path file) {
        final Properties p = new Properties();
        try (InputStream in = file == null ? TopicProvisioner.class.getResourceAsStream(RESOURCE)
            : Files.newInputStream(file)) {
            if (in == null) {
                throw new IllegalStateException("topics file " + RESOURCE + " missing from the classpath");
            }
            p.load(in);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read topics file " + file, e);
        }
        return parse(p);
    }

    /** Reads the specs as {@link #load(Path)} does, each named {@code prefix + name}. */
    public static List<Spec> load(final Path file, final String prefix) {
        return load(file).stream().map(s -> s.prefixed(prefix)).toList();
    }

    static List<Spec> parse(final Properties p) {
        final Map<String, Map<String, String>> byTopic = new LinkedHashMap<>();
        for (final String key : new TreeSet<>(p.stringPropertyNames())) {
            final int dot = key.indexOf('.');
            if (dot < 1) {
                throw new IllegalArgumentException("bad key in topics file: '" + key + "'");
            }
            byTopic.computeIfAbsent(key.substring(0, dot), t -> new HashMap<>())
                .put(key.substring(dot + 1), p.getProperty(key).trim());
        }
        final List<Spec> specs = new ArrayList<>();
        byTopic.forEach((name, kv) -> {
            final Map<String, String> configs = new LinkedHashMap<>();
            kv.forEach((k, v) -> {
                if (k.startsWith("config.")) {
                    configs.put(k.substring("config.".length()), v);
                }
            });
            specs.add(new Spec(name, Integer.parseInt(kv.getOrDefault("partitions", "1")),
                Short.parseShort(kv.getOrDefault("replication.factor", "-1")), configs));
        });
        return specs;
    }

    /** Creates missing topics and aligns configs; returns the names created now. */
    public static List<String> provision(final Admin admin, final Collection<Spec> specs, final long timeoutMs) {
        try {
            final Set<String> existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
            final List<NewTopic> missing = new ArrayList<>();
            for (final Spec s : specs) {
                if (!existing.contains(s.name())) {
                    missing.add(new NewTopic(s.name(), Optional.of(s.partitions()), Optional.of(s.replicationFactor()))
                        .configs(s.configs()));
                }
            }
            final List<String> created = new ArrayList<>();
            for (final var e : admin.createTopics(missing).values().entrySet()) {
                try {
                    e.getValue().get(timeoutMs, TimeUnit.MILLISECONDS);
                    created.add(e.getKey());
                } catch (final ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw ex;
                    }
                }
            }
            alignConfigs(admin, specs, existing, timeoutMs);
            LOG.info("topics provisioned: created {}, kept {}", created, existing);
            return created;
        } catch (final ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot provision topics: " + e.getMessage(), e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while provisioning topics", e);
        }
    }

    private static void alignConfigs(final Admin admin, final Collection<Spec> specs, final Set<String> existing,
                                     final long timeoutMs)
        throws ExecutionException, InterruptedException, TimeoutException {
        final Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
        for (final Spec s : specs) {
            if (existing.contains(s.name()) && !s.configs().isEmpty()) {
                final List<AlterConfigOp> list = new ArrayList<>();
                s.configs().forEach((k, v) -> list.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
                ops.put(new ConfigResource(ConfigResource.Type.TOPIC, s.name()), list);
            }
        }
        if (!ops.isEmpty()) {
            admin.incrementalAlterConfigs(ops).all().get(timeoutMs, TimeUnit.MILLISECONDS);
        }
    }
}
