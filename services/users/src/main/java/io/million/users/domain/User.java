package io.million.users.domain;

import java.time.Instant;
import java.util.Locale;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/**
 * A customer account. Its id is shard-aware and carries the bucket of its email, which is why the
 * email cannot change in place (a new email would belong to another bucket).
 */
@Entity
@Table(name = "users")
@jakarta.persistence.NamedQuery(name = User.AFTER, query = "from User where id > :after order by id")
public class User {

    /** Users after a cursor, by id (named: parsed at boot, not on a request). */
    public static final String AFTER = "User.after";

    /** Shard-local unique index; unique everywhere because an email always routes to one shard. */
    public static final String EMAIL_UNIQUE = "users_email_key";
    /** The column's length (RFC 5321's limit), in characters, of the normalised email. */
    public static final int MAX_EMAIL = 254;

    @Id
    public Long id;

    @Column(nullable = false, length = MAX_EMAIL)
    public String email;

    @Column(nullable = false, length = 100)
    public String name;

    /** Confirmed orders, counted asynchronously from orders.events (never set through the API). */
    @Column(name = "order_count", nullable = false)
    public long orderCount;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Version
    public Long version;

    protected User() {
    }

    public static User create(long id, String normalisedEmail, String name, Instant now) {
        User user = new User();
        user.id = id;
        user.email = normalisedEmail;
        user.name = name.strip();
        user.createdAt = now;
        user.updatedAt = now;
        return user;
    }

    public void rename(String newName, Instant now) {
        name = newName.strip();
        updatedAt = now;
    }

    /** Emails compare case-insensitively: stored trimmed and in lower case. */
    public static String normaliseEmail(String email) {
        return email.strip().toLowerCase(Locale.ROOT);
    }
}
