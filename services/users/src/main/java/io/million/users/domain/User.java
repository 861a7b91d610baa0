package io.million.users.domain;

import java.time.Instant;
import java.util.Locale;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;
import jakarta.persistence.Version;

/** A customer account. Emails are stored normalised (trimmed, lower case) and unique. */
@Entity
@Table(name = "users", uniqueConstraints = @UniqueConstraint(name = User.EMAIL_UNIQUE, columnNames = "email"))
public class User {

    public static final String EMAIL_UNIQUE = "users_email_key";

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "users_id")
    @SequenceGenerator(name = "users_id", sequenceName = "users_id_seq", allocationSize = 50)
    public Long id;

    @Column(nullable = false, length = 254)
    public String email;

    @Column(nullable = false, length = 100)
    public String name;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Version
    public long version;

    protected User() {
    }

    public static User create(String email, String name, Instant now) {
        User user = new User();
        user.email = normaliseEmail(email);
        user.name = name.strip();
        user.createdAt = now;
        return user;
    }

    public static String normaliseEmail(String email) {
        return email.strip().toLowerCase(Locale.ROOT);
    }
}
