package io.million.cache;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import io.vertx.core.buffer.Buffer;

/**
 * A ready-to-send HTTP representation: the serialized body (kept as a Vert.x buffer so a cache hit
 * writes it without copying or serializing), its strong ETag and Last-Modified. {@link #NOT_FOUND}
 * marks a cached 404. Immutable.
 */
public final class Representation {

    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    /** A negative entry: the resource does not exist (cached briefly). */
    public static final Representation NOT_FOUND = new Representation(new byte[0], "", Instant.EPOCH, "");


    private final byte[] body;
    private final Buffer buffer;
    private final String etag;
    private final Instant lastModified;
    private final String lastModifiedHeader;
    private final String surrogateKeys;
    private volatile Representation alternate;

    /** @param surrogateKeys space-separated purge tags for edges ({@code Surrogate-Key}) */
    public Representation(byte[] body, String etag, Instant lastModified, String surrogateKeys) {
        this.body = body;
        this.surrogateKeys = surrogateKeys;
        this.buffer = Buffer.buffer(body);
        this.etag = etag;
        this.lastModified = lastModified;
        this.lastModifiedHeader = HTTP_DATE.format(lastModified);
    }

    /**
     * Another encoding of this representation (the catalog's CBOR body and its tag), made by
     * {@code encode} on first use and kept with this entry, so every later hit of that format is
     * served from memory too. Only this entry's L1 copy holds it: the Redis tier stores the
     * primary encoding, and an invalidation drops both. Two threads may both encode on a first
     * use; either result is the same.
     */
    public Representation alternate(java.util.function.UnaryOperator<Representation> encode) {
        Representation made = alternate;
        if (made == null) {
            made = encode.apply(this);
            alternate = made;
        }
        return made;
    }

    public boolean isNotFound() {
        return this == NOT_FOUND;
    }

    public byte[] body() {
        return body;
    }

    /** The body as a buffer to hand to Vert.x; shared, never modified. */
    public Buffer buffer() {
        return buffer;
    }

    /** Quoted strong entity tag, as sent. */
    public String etag() {
        return etag;
    }

    public Instant lastModified() {
        return lastModified;
    }

    public String lastModifiedHeader() {
        return lastModifiedHeader;
    }

    public String surrogateKeys() {
        return surrogateKeys;
    }

    /** Wire form for the Redis tier: etag, surrogate keys, last-modified millis, body. A negative entry is empty. */
    byte[] encode() {
        if (isNotFound()) {
            return new byte[0];
        }
        byte[] tag = etag.getBytes(StandardCharsets.UTF_8);
        byte[] keys = surrogateKeys.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + tag.length + 4 + keys.length + 8 + body.length).putInt(tag.length).put(tag)
                .putInt(keys.length).put(keys).putLong(lastModified.toEpochMilli()).put(body).array();
    }

    static Representation decode(byte[] bytes) {
        if (bytes.length == 0) {
            return NOT_FOUND;
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        byte[] tag = new byte[length(in)];
        in.get(tag);
        byte[] keys = new byte[length(in)];
        in.get(keys);
        long modified = in.getLong();
        byte[] body = new byte[in.remaining()];
        in.get(body);
        return new Representation(body, new String(tag, StandardCharsets.UTF_8), Instant.ofEpochMilli(modified),
                new String(keys, StandardCharsets.UTF_8));
    }

    /** A length field, checked against what follows: a damaged entry must not allocate what it claims. */
    private static int length(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("a length of " + length + " with " + in.remaining() + " bytes left");
        }
        return length;
    }
}
