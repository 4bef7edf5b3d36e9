package io.github.requestmerge.stack;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * A test JVM killed outright (SIGKILL: no shutdown hooks, as when CI kills a hung run) leaves no
 * part behind: every part watches its owner's PID and exits when it is gone, also once restarted,
 * and also while frozen.
 */
class PartsDieWithTheirOwnerIT {

    @Test
    void partExitsWhenTheJvmThatStartedItIsKilled() throws Exception {
        assertPartDiesWithItsOwner();
    }

    @Test
    void restartedPartExitsWhenTheJvmThatStartedItIsKilled() throws Exception {
        assertPartDiesWithItsOwner("relaunched");
    }

    @Test
    void frozenPartExitsWhenTheJvmThatStartedItIsKilled() throws Exception {
        // A frozen JVM cannot watch its owner: the guard started with the freeze thaws it, then it exits.
        assertPartDiesWithItsOwner("frozen");
    }

    private static void assertPartDiesWithItsOwner(String... probeArgs) throws Exception {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m",
            "-Dproject.basedir=" + System.getProperty("project.basedir", "."),
            "-cp", System.getProperty("java.class.path"), OwnedPartProbe.class.getName()));
        command.addAll(List.of(probeArgs));
        Process owner = new ProcessBuilder(command).redirectErrorStream(true).start();
        long partPid = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("PART-PID ")) {
                    partPid = Long.parseLong(line.substring("PART-PID ".length()).trim());
                    break;
                }
            }
            assertTrue(partPid > 0, "the probe started a part");
            Optional<ProcessHandle> part = ProcessHandle.of(partPid);
            assertTrue(part.isPresent() && part.get().isAlive(), "the part runs while its owner lives");

            owner.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (part.get().isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertFalse(part.get().isAlive(), "the part exited after its owner was killed");
        } finally {
            owner.destroyForcibly();
            if (partPid > 0) {
                ProcessHandle.of(partPid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }
}
