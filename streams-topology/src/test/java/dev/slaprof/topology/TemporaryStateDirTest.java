package dev.slaprof.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TemporaryStateDirTest {
    @Test
    void shouldDeleteTheDirectoryAndTheStoresInItOnClose() throws Exception {
        final Path dir;
        try (TemporaryStateDir state = TemporaryStateDir.create()) {
            dir = state.path();
            final Path store = Files.createDirectories(dir.resolve("app").resolve("0_1").resolve("rocksdb"));
            Files.writeString(store.resolve("000001.sst"), "x");
            assertThat(dir.getFileName().toString()).startsWith("slaprof-state-");
        }
        assertThat(dir).doesNotExist();
    }
}
