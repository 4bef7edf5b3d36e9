package io.github.requestmerge.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ChaosPlanTest {

    private static final long TEN_MINUTES = 600_000;

    @Test
    void aSeedAlwaysGivesTheSamePlan() {
        assertEquals(Chaos.plan(2026, TEN_MINUTES), Chaos.plan(2026, TEN_MINUTES));
    }

    @Test
    void faultsStartAfterTheWarmUpAndAreMendedBeforeTheQuietTail() {
        for (long seed = 0; seed < 50; seed++) {
            for (Chaos.Fault fault : Chaos.plan(seed, TEN_MINUTES)) {
                assertTrue(fault.atMs() >= 30_000, fault.toString());
                assertTrue(fault.endMs() <= TEN_MINUTES - 45_000, fault.toString());
                assertTrue(fault.holdMs() >= 0 && fault.holdMs() <= fault.kind().maxHoldMs, fault.toString());
            }
        }
    }

    @Test
    void tenMinutesBringEveryKindOfFaultAndOverlapsBetweenThem() {
        List<Chaos.Fault> plan = Chaos.plan(2026, TEN_MINUTES);
        Set<Chaos.Kind> kinds = EnumSet.noneOf(Chaos.Kind.class);
        int overlaps = 0;
        for (int i = 0; i < plan.size(); i++) {
            kinds.add(plan.get(i).kind());
            for (int j = i + 1; j < plan.size(); j++) {
                overlaps += plan.get(j).atMs() < plan.get(i).endMs() ? 1 : 0;
            }
        }
        assertTrue(plan.size() >= 10, plan.toString());
        assertEquals(EnumSet.allOf(Chaos.Kind.class), kinds, plan.toString());
        assertTrue(overlaps > 0, plan.toString());
    }
}
