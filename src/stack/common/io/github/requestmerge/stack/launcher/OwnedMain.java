package io.github.requestmerge.stack.launcher;

import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Runs another program's main class in this JVM and exits when the owning process dies, so a part
 * of the stack started by a test JVM never outlives it (a killed JVM runs no shutdown hooks).
 * Compiled at run time by the stack launcher and put first on the part's classpath.
 *
 * <p>Arguments: owner PID (0 = no owner, as for bin/stack), main class, then that class's arguments.
 */
public final class OwnedMain {

    private OwnedMain() {
    }

    public static void main(String[] args) throws Exception {
        long owner = Long.parseLong(args[0]);
        if (owner > 0) {
            Thread watchdog = new Thread(() -> {
                while (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                System.err.println("OwnedMain: owner process " + owner + " is gone; exiting");
                Runtime.getRuntime().halt(0);
            }, "owner-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }
        Method main = Class.forName(args[1]).getMethod("main", String[].class);
        main.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
    }
}
