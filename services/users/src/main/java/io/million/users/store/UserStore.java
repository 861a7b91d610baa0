package io.million.users.store;

import java.time.Clock;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import io.million.cache.RedisTier;
import io.million.sharding.Buckets;
import io.million.sharding.RowForChange;
import io.million.sharding.ShardIds;
import io.million.sharding.Shards;
import io.million.users.api.UserView;
import io.million.users.domain.User;
import io.million.users.events.UserEvents;
import io.million.outbox.Outbox;
import io.million.web.paging.PageRequest;
import io.million.web.problem.ProblemException;
import io.million.web.problem.UniqueViolation;
import io.smallrye.mutiny.Uni;

/**
 * Users on the shard set, with reads through this service's Redis tier. A user's home bucket is
 * the bucket of its email, so an email always lives on one shard, where a unique index enforces
 * it, and every write touches exactly one shard, in one transaction.
 */
@ApplicationScoped
public class UserStore {

    private static final Duration CACHE_TTL = Duration.ofSeconds(60);
    /** An id collision between replicas is astronomically rare; a fresh id always resolves it. */
    private static final int ID_ATTEMPTS = 3;
    private static final String USERS_PRIMARY_KEY = "users_pkey";

    private final Shards shards;
    private final Outbox outbox;
    private final UserEvents events;
    private final ShardIds ids = new ShardIds();
    private final RedisTier cache;
    private final Clock clock = Clock.systemUTC();

    public UserStore(Shards shards, Outbox outbox, UserEvents events, RedisTier cache) {
        this.shards = shards;
        this.outbox = outbox;
        this.events = events;
        this.cache = cache;
    }

    /** Inserts the user (and its user.created event) on its email's shard; a taken email is a 409 problem. */
    public Uni<User> create(String email, String name) {
        String normalised = User.normaliseEmail(email);
        if (normalised.length() > User.MAX_EMAIL) {
            // Lower-casing can lengthen text (U+0130 becomes two characters): check what is stored.
            throw ProblemException.badInput("email", "must be at most " + User.MAX_EMAIL + " characters");
        }
        return create(normalised, name, 1);
    }

    private Uni<User> create(String email, String name, int attempt) {
        int bucket = Buckets.of(email);
        User user = User.create(ids.next(bucket), email, name, clock.instant());
        return outbox.inTransaction(shards.shardOfBucket(bucket), session -> session.persist(user)
                .call(session::flush)
                .call(() -> events.created(session, user))
                .replaceWith(user))
                .onFailure(failure -> UniqueViolation.of(failure, User.EMAIL_UNIQUE))
                .transform(failure -> ProblemException.conflict("A user with email " + email + " exists"))
                .onFailure(failure -> attempt < ID_ATTEMPTS && UniqueViolation.of(failure, USERS_PRIMARY_KEY))
                .recoverWithUni(() -> create(email, name, attempt + 1));
    }

    /** Drops the cached view of the user (after a change made outside this class). */
    public Uni<Void> evict(long id) {
        return cache.evict(key(id));
    }

    /** Drops the cached views of several users with one command. */
    public Uni<Void> evict(java.util.Collection<Long> ids) {
        return cache.evict(ids.stream().map(UserStore::key).toList());
    }

    /** The user's public view, or null when there is none. */
    public Uni<UserView> find(long id) {
        return cache.getOrLoad(key(id), UserView.class, CACHE_TTL,
                () -> shards.find(shards.shardOfId(id), User.class, id)
                        .onItem().ifNotNull().transform(UserView::of));
    }

    /** Renames the user; {@code ifMatch} (may be null) must name its current version. */
    public Uni<User> rename(long id, String name, String ifMatch) {
        return shards.inTransaction(shards.shardOfId(id), session -> lock(session, id, ifMatch)
                .invoke(user -> user.rename(name, clock.instant()))
                .call(session::flush))
                .call(() -> cache.evict(key(id)));
    }

    /** Deletes the user and frees its email; {@code ifMatch} (may be null) must name its version. */
    public Uni<Void> delete(long id, String ifMatch) {
        return shards.inTransaction(shards.shardOfId(id), session -> lock(session, id, ifMatch)
                .call(session::remove))
                .call(() -> cache.evict(key(id)))
                .replaceWithVoid();
    }

    /**
     * Users in id order after the cursor, from every shard: each shard returns its first
     * {@code fetchSize} rows after the cursor, and the merge keeps the first {@code fetchSize}.
     */
    public Uni<Shards.Gathered<User>> list(PageRequest request) {
        long after = request.after() == null ? -1 : request.after();
        return shards.scatter(session -> session
                .createNamedQuery(User.AFTER, User.class)
                .setParameter("after", after)
                .setMaxResults(request.fetchSize())
                .getResultList(), user -> user.id, request.fetchSize());
    }

    private static Uni<User> lock(org.hibernate.reactive.mutiny.Mutiny.Session session, long id, String ifMatch) {
        return RowForChange.lock(session, User.class, id, user -> user.version, ifMatch, "user");
    }

    private static String key(long id) {
        return "user:" + id;
    }
}
