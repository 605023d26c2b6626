package dev.slaprof.cli;

import dev.slaprof.schema.kafka.TopicProvisioner;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "topics", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Create slaprof's topics from config/topics.properties (idempotent).")
final class ProvisionTopicsCommand implements Callable<Integer> {
    @Mixin
    private KafkaOptions kafka;
    @Option(names = "--topics-file", description = "Topic specs (default: the bundled config/topics.properties).")
    private Path file;

    @Override
    public Integer call() {
        try (Admin admin = Admin.create(kafka.client())) {
            System.out.println("slaprof: created " + TopicProvisioner.provision(admin,
                TopicProvisioner.load(file, kafka.topicPrefix()), 60_000));
        }
        return 0;
    }
}
