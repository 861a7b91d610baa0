package io.million.ratelimit;

/**
 * One policy's count for one key on this replica, in hybrid mode: the last state Redis reported
 * (shared by all replicas), what this replica admitted since (not yet sent, or in flight), and the
 * rate at which the other replicas consumed at the last syncs, so that a decision between two
 * syncs also accounts for what the others are likely admitting meanwhile (prediction). The
 * shared state wins at every sync, so an overshoot between syncs becomes debt and is paid back.
 * <p>
 * Thread-safety: guarded by its own monitor; held only for a few arithmetic operations (several
 * event loops may decide for the same key).
 */
final class LocalCount {

    final Policy policy;
    final String redisKey;

    private boolean synced;
    private long syncedAt;
    /** Token bucket: tokens at {@link #syncedAt}. Sliding window: the current window's count. */
    private double level;
    /** Sliding window: the previous window's count. */
    private double previous;
    /** Sliding window: nanoseconds into the window at {@link #syncedAt}. */
    private long elapsedAtSync;
    private long unsent;
    private long inFlight;
    /** What the other replicas consumed per nanosecond, smoothed over syncs. */
    private double othersRate;

    /**
     * Before its first sync a replica knows nothing of the others' use of this key: it admits at
     * most two sync intervals' share of the quota, so N replicas meeting a new key overshoot by
     * at most N times that (then the shared count decides).
     */
    private final double firstAllowance;
    private final long syncIntervalNanos;

    LocalCount(Policy policy, String redisKey, long now, long syncIntervalNanos) {
        this.policy = policy;
        this.redisKey = redisKey;
        this.syncIntervalNanos = syncIntervalNanos;
        this.firstAllowance = Math.max(1, Math.ceil(2.0 * policy.limit() * syncIntervalNanos / policy.windowNanos()));
        this.syncedAt = now;
        this.level = policy.algorithm() == RateLimitConfig.Algorithm.TOKEN_BUCKET ? policy.burst() : 0;
    }

    /** Decides locally and counts an admitted request towards the next sync. */
    synchronized Decision tryAcquire(long now) {
        touched = true;
        double available = available(now);
        if (available >= 1) {
            unsent++;
            return new Decision(policy, true, (long) Math.floor(available - 1), resetSeconds(available - 1),
                    false);
        }
        return new Decision(policy, false, 0, resetSeconds(available), false);
    }

    private boolean queued;
    /** Asked since the last sync: a refused key syncs too, or it would never learn the quota is back. */
    private boolean touched;

    /** Whether the caller must queue this count for the next sync (it was not queued yet). */
    synchronized boolean markQueued() {
        if (queued || (!touched && unsent == 0)) {
            return false;
        }
        queued = true;
        return true;
    }

    /** Takes the unsent count for a sync; {@code 0} when there is nothing to send. */
    synchronized long beginSync() {
        queued = false;
        touched = false;
        inFlight = unsent;
        unsent = 0;
        return inFlight;
    }

    /** The shared state after a sync that added {@code sent}. */
    synchronized void synced(long now, double newLevel, double newPrevious, long elapsedNanos) {
        long sent = inFlight;
        inFlight = 0;
        if (synced) {
            double dt = now - syncedAt;
            double others;
            if (policy.algorithm() == RateLimitConfig.Algorithm.TOKEN_BUCKET) {
                double refill = dt * policy.limit() / policy.windowNanos();
                others = Math.min(policy.burst(), level + refill) - sent - newLevel;
            } else {
                // Syncs are far shorter than a window: the window rolled over iff its elapsed time shrank.
                others = elapsedNanos >= elapsedAtSync ? newLevel - level - sent : Double.NaN;
            }
            if (!Double.isNaN(others) && dt > 0) {
                othersRate = 0.5 * othersRate + 0.5 * Math.max(0, others / dt);
            }
        }
        synced = true;
        syncedAt = now;
        level = newLevel;
        previous = newPrevious;
        elapsedAtSync = elapsedNanos;
    }

    /** A failed sync: what was in flight is sent again next time. */
    synchronized void syncFailed() {
        unsent += inFlight;
        inFlight = 0;
    }

    private double available(long now) {
        double dt = Math.max(0, now - syncedAt);
        double mine = unsent + inFlight;
        if (!synced) {
            return Math.min(firstAllowance, policy.limit()) - mine;
        }
        // The others' share since the last sync, up to when the next one is due (a late sync must
        // not make the prediction grow without bound and starve every replica).
        double predicted = othersRate * Math.min(dt, 2.0 * syncIntervalNanos);
        long window = policy.windowNanos();
        if (policy.algorithm() == RateLimitConfig.Algorithm.TOKEN_BUCKET) {
            double refilled = Math.min(policy.burst(), level + dt * policy.limit() / window);
            return refilled - mine - predicted;
        }
        long elapsed = elapsedAtSync + (long) dt;
        long windows = elapsed / window;
        double fraction = (double) (elapsed % window) / window;
        double estimate;
        if (windows == 0) {
            estimate = previous * (1 - fraction) + level + mine + predicted;
        } else if (windows == 1) {
            estimate = (level + mine + predicted) * (1 - fraction);
        } else {
            estimate = mine;
        }
        return policy.limit() - estimate;
    }

    private long resetSeconds(double available) {
        if (available >= policy.limit()) {
            return 0;
        }
        // Seconds until one more request fits: a refill of one token, or the window moving on.
        double perNanos = (double) policy.limit() / policy.windowNanos();
        double missing = Math.max(1, 1 - available);
        return Math.max(1, (long) Math.ceil(missing / perNanos / 1e9));
    }
}
