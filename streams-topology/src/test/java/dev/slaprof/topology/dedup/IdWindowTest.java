package dev.slaprof.topology.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdWindowTest {
    private static final long MIN = 60_000;

    @Test
    void shouldRecogniseAnIdWithinTheWindowAndForgetItAfter() {
        final IdWindow w = new IdWindow(60 * MIN, MIN, 1_000_000);
        final long a = IdWindow.fingerprint("a");
        assertThat(w.addIfAbsent(a, 0)).isGreaterThanOrEqualTo(0);
        assertThat(w.addIfAbsent(a, 59 * MIN)).isEqualTo(-1);
        // Time moves on by other ids; 'a' (slot 0) is held while slot 0 is within the window of the newest.
        w.addIfAbsent(IdWindow.fingerprint("b"), 60 * MIN);
        assertThat(w.addIfAbsent(a, 60 * MIN)).isEqualTo(-1);
        w.addIfAbsent(IdWindow.fingerprint("c"), 62 * MIN);
        assertThat(w.addIfAbsent(a, 62 * MIN)).as("forgotten after the window").isGreaterThanOrEqualTo(0);
        assertThat(w.evictedEarly()).isZero();
    }

    @Test
    void shouldHoldEveryIdOfABusyWindowWithoutFalseDuplicates() {
        final IdWindow w = new IdWindow(60 * MIN, MIN, 1_000_000);
        final Random r = new Random(1);
        final Set<String> ids = new HashSet<>();
        for (int i = 0; i < 300_000; i++) {
            final String id = new UUID(r.nextLong(), r.nextLong()).toString();
            ids.add(id);
            assertThat(w.addIfAbsent(IdWindow.fingerprint(id), i / 10)).isGreaterThanOrEqualTo(0);
        }
        int dup = 0;
        for (final String id : ids) {
            dup += w.addIfAbsent(IdWindow.fingerprint(id), 30_000) < 0 ? 1 : 0;
        }
        assertThat(dup).isEqualTo(ids.size());
        assertThat(w.size()).isEqualTo(300_000);
    }

    @Test
    void shouldForgetTheOldestSlotsEarlyWhenFullAndCountThem() {
        final IdWindow w = new IdWindow(60 * MIN, MIN, 1000);
        for (int i = 0; i < 5000; i++) {
            w.addIfAbsent(IdWindow.fingerprint("id-" + i), i * 1000L);
        }
        assertThat(w.size()).isLessThanOrEqualTo(1000);
        assertThat(w.evictedEarly()).isEqualTo(5000 - w.size());
        assertThat(w.addIfAbsent(IdWindow.fingerprint("id-4999"), 5_000_000)).isEqualTo(-1);
        assertThat(w.addIfAbsent(IdWindow.fingerprint("id-0"), 5_000_000)).isGreaterThanOrEqualTo(0);
    }

    @Test
    void shouldRememberALateIdInTheOldestSlotHeld() {
        final IdWindow w = new IdWindow(10 * MIN, MIN, 1000);
        w.addIfAbsent(IdWindow.fingerprint("new"), 100 * MIN);
        final long slot = w.addIfAbsent(IdWindow.fingerprint("late"), 0);
        assertThat(slot).isEqualTo(w.oldestSlot());
        assertThat(w.addIfAbsent(IdWindow.fingerprint("late"), 0)).isEqualTo(-1);
    }

    @Test
    void shouldRestoreWhatWasRecorded() {
        final IdWindow w = new IdWindow(60 * MIN, MIN, 1000);
        w.restore(IdWindow.fingerprint("x"), 5);
        w.restore(IdWindow.fingerprint("y"), 7);
        assertThat(w.addIfAbsent(IdWindow.fingerprint("x"), 7 * MIN)).isEqualTo(-1);
        assertThat(w.addIfAbsent(IdWindow.fingerprint("y"), 7 * MIN)).isEqualTo(-1);
        assertThat(w.addIfAbsent(IdWindow.fingerprint("z"), 7 * MIN)).isEqualTo(7);
    }

    @Test
    void shouldKeepDistinctIdsDistinct() {
        final String u = "0f8fad5b-d9cb-469f-a165-70867728950e";
        assertThat(IdWindow.fingerprint(u)).isNotEqualTo(IdWindow.fingerprint(u.toUpperCase()));
        assertThat(IdWindow.fingerprint(u)).isNotEqualTo(IdWindow.fingerprint("0f8fad5b-d9cb-469f-a165-70867728950f"));
        assertThat(IdWindow.fingerprint("req-1")).isNotEqualTo(IdWindow.fingerprint("req-2"));
        final Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 200_000; i++) {
            assertThat(seen.add(IdWindow.fingerprint("x_request_id-" + i))).isTrue();
        }
    }
}
