package io.million.users.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The claim on an email: its primary key is what makes emails unique across all shards. */
@Entity
@Table(name = "user_emails")
public class UserEmail {

    public static final String PRIMARY_KEY = "user_emails_pkey";

    @Id
    @Column(length = 254)
    public String email;

    @Column(name = "user_id", nullable = false)
    public long userId;

    protected UserEmail() {
    }

    public UserEmail(String email, long userId) {
        this.email = email;
        this.userId = userId;
    }
}
