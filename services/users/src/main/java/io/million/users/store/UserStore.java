package io.million.users.store;

import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;

import io.million.cache.RedisTier;
import io.million.users.api.UserView;
import io.million.users.domain.User;
import io.million.web.paging.PageRequest;
import io.million.web.problem.ProblemException;
import io.million.web.problem.UniqueViolation;
import io.smallrye.mutiny.Uni;

/** Users in PostgreSQL, with reads through this service's Redis tier. */
@ApplicationScoped
public class UserStore {

    private static final Duration CACHE_TTL = Duration.ofSeconds(60);

    private final Mutiny.SessionFactory sessions;
    private final RedisTier cache;

    public UserStore(Mutiny.SessionFactory sessions, RedisTier cache) {
        this.sessions = sessions;
        this.cache = cache;
    }

    /** Inserts the user; a taken email is a 409 problem. */
    public Uni<User> create(User user) {
        return sessions.withTransaction(session -> session.persist(user).replaceWith(user))
                .onFailure(failure -> UniqueViolation.of(failure, User.EMAIL_UNIQUE))
                .transform(failure -> ProblemException.conflict("A user with email " + user.email + " exists"));
    }

    /** The user's public view, or null when there is none. */
    public Uni<UserView> find(long id) {
        return cache.getOrLoad(key(id), UserView.class, CACHE_TTL,
                () -> sessions.withSession(session -> session.find(User.class, id))
                        .onItem().ifNotNull().transform(UserView::of));
    }

    /** Users ordered by id, after {@code request.after()}: one more than a page, to detect the next. */
    public Uni<List<User>> list(PageRequest request) {
        return sessions.withSession(session -> session
                .createSelectionQuery("from User where id > :after order by id", User.class)
                .setParameter("after", request.after() == null ? Long.MIN_VALUE : request.after())
                .setMaxResults(request.fetchSize())
                .getResultList());
    }

    private static String key(long id) {
        return "user:" + id;
    }
}
