package io.github.requestmerge.stack;

/**
 * A stand-in for a test JVM, for {@link PartsDieWithTheirOwnerIT}: starts the S3 part owned by
 * this JVM (with the argument {@code relaunched}: then kills it and runs it again, as a restart
 * does; with {@code frozen}: then freezes it), prints the running part's PID, and waits to be killed.
 */
public final class OwnedPartProbe {

    private OwnedPartProbe() {
    }

    public static void main(String[] args) throws InterruptedException {
        S3Server s3 = S3Server.start();
        if (args.length > 0 && args[0].equals("relaunched")) {
            s3.kill();
            s3.jvm.relaunch();
        }
        if (args.length > 0 && args[0].equals("frozen")) {
            s3.freeze();
        }
        System.out.println("PART-PID " + s3.pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
