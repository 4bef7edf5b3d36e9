package io.github.requestmerge.stack;

/**
 * A stand-in for a test JVM, for {@link PartsDieWithTheirOwnerIT}: starts the S3 part owned by
 * this JVM, prints the part's PID, and waits to be killed.
 */
public final class OwnedPartProbe {

    private OwnedPartProbe() {
    }

    public static void main(String[] args) throws InterruptedException {
        S3Server s3 = S3Server.start();
        System.out.println("PART-PID " + s3.pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
