package dev.slaprof.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slaprof.schema.avro.SlaTarget;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The SLA defaults: today's Dynamo (DGDR v1beta1) unless --sla-defaults v1alpha1; a given target always wins. */
class SlaOptionsTest {
    private static SlaTarget target(final String... args) {
        final CommandLine cli = Main.commandLine();
        final String[] all = new String[args.length + 1];
        all[0] = "stream";
        System.arraycopy(args, 0, all, 1, args.length);
        cli.parseArgs(all);
        final SlaOptions o = (SlaOptions) cli.getSubcommands().get("stream").getCommandSpec().mixins().values()
            .stream().map(m -> m.userObject()).filter(SlaOptions.class::isInstance).findFirst().orElseThrow();
        return o.target("default", 1, 8, false);
    }

    @Test
    void shouldDefaultToTodaysDynamoAndKeepTheOldDefaultsOnRequest() {
        final SlaTarget beta = target();
        assertThat(beta.getTtftMs()).isEqualTo(2000.0);
        assertThat(beta.getItlMs()).isEqualTo(30.0);
        assertThat(beta.getIsl()).isEqualTo(4000);
        assertThat(beta.getOsl()).isEqualTo(1000);
        final SlaTarget alpha = target("--sla-defaults", "v1alpha1");
        assertThat(alpha.getTtftMs()).isEqualTo(50.0);
        assertThat(alpha.getItlMs()).isEqualTo(10.0);
        assertThat(alpha.getIsl()).isEqualTo(3000);
        assertThat(alpha.getOsl()).isEqualTo(500);
        final SlaTarget mixed = target("--sla-defaults", "v1alpha1", "--ttft", "300");
        assertThat(mixed.getTtftMs()).isEqualTo(300.0);
        assertThat(mixed.getItlMs()).isEqualTo(10.0);
    }

    @Test
    void shouldRefuseAnUnknownSetOfDefaults() {
        assertThatThrownBy(() -> target("--sla-defaults", "v2")).hasMessageContaining("unknown --sla-defaults 'v2' "
            + "(v1beta1, v1alpha1)");
    }
}
