package io.github.requestmerge.testing;

import java.util.SplittableRandom;

/**
 * Shapes of realistic traffic for reproducible test streams: Zipf-like popularity (rank r drawn
 * with weight 1/r) and public IPv4 addresses.
 */
public final class Traffic {

    private Traffic() {
    }

    /** @return the cumulative distribution of ranks 1..n with weight 1/rank */
    public static double[] zipfCdf(int n) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int rank = 1; rank <= n; rank++) {
            sum += 1.0 / rank;
            cdf[rank - 1] = sum;
        }
        for (int i = 0; i < n; i++) {
            cdf[i] /= sum;
        }
        return cdf;
    }

    /** @return the index (rank - 1) a uniform draw in [0, 1) falls on */
    public static int zipfSample(double[] cdf, double uniform) {
        int low = 0;
        int high = cdf.length - 1;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (cdf[mid] < uniform) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /** @return a random IPv4 address outside the private, loopback, CGNAT, link-local and documentation /8s */
    public static String publicIpv4(SplittableRandom random) {
        while (true) {
            int a = 1 + random.nextInt(223);
            if (a == 10 || a == 127 || a == 100 || a == 169 || a == 172 || a == 192 || a == 198 || a == 203) {
                continue;
            }
            return a + "." + random.nextInt(256) + "." + random.nextInt(256) + "." + (1 + random.nextInt(254));
        }
    }
}
