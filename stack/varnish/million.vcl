vcl 4.1;
# The edge cache: Varnish on the public port (MILLION_HTTP_PORT, 8080), HAProxy behind it
# (MILLION_HAPROXY_PORT, 8090). A CDN plays this part in production; the rules are the same.
#
#  - The origin decides. Only GET and HEAD are cached, only from a response that says how long
#    (s-maxage before max-age, or Expires), and never one with Set-Cookie, private, no-store,
#    no-cache or Vary: *. stale-while-revalidate is served while a background fetch refreshes
#    the object; past that, stale-if-error is served only when the refetch fails (5xx or no
#    answer). A request with Authorization (or Cookie) is always passed, never served from cache.
#  - A stored object never carries a client's quota: RateLimit* and X-RateLimit-* headers are
#    stripped before storing (a pass or hit-for-miss answer keeps them for its own client).
#  - ETags pass untouched: http_gzip_support is off (stack/million), bodies stay as the origin
#    encoded them, Vary (Accept, Accept-Encoding, Authorization) is the origin's: JSON and CBOR
#    are two objects, each with its own ETag. A cached object answers If-None-Match with 304 itself.
#  - Every answer says X-Cache: HIT (fresh or stale object), MISS or PASS, and carries Age.
#  - Surrogate keys: the origin's Surrogate-Key ("product-123 products") indexes the object
#    (vmod xkey); `PURGE /` with `xkey-purge: <keys>` from the purge ACL removes every object
#    with any of the keys (and the object of the URL itself) and answers {"purged": <n>}, n
#    counting the objects of the keys.
#  - Varnish's own errors are RFC 9457 problems with Cache-Control: no-store.
#  - X-Forwarded-For is the client's address only; HAProxy appends its own peer after it.
#  - The URL is passed to HAProxy exactly as received: path hygiene is HAProxy's
#    (stack/haproxy.cfg), and a normalisation here would hide spellings from it.
#
# The environment (HAProxy's port, who may purge) is in million-env.vcl, written by
# stack/million into $MILLION_STATE/edge and found through vcl_path: backend "haproxy" and
# acl "million_purgers". Tests: stack/varnish/tests/*.vtc (varnishtest, a scripted origin).

import std;
import xkey;

include "million-env.vcl";

sub vcl_recv {
    if (req.restarts == 0) {
        # The marks below only travel between restarts of one request: never from a client.
        unset req.http.X-Edge-Pass;
        unset req.http.X-Edge-Refetch;
        unset req.http.X-Edge-Stale;
        unset req.http.X-Edge-Detail;
        unset req.http.X-Edge-Purged;
        # Only the edge says who the client is.
        set req.http.X-Forwarded-For = client.ip;
    }
    call vcl_req_host;
    set req.backend_hint = haproxy;

    if (req.method == "PURGE") {
        call edge_purge;
    }
    if (req.method != "GET" && req.method != "HEAD") {
        set req.http.X-Edge-Pass = "1";
        return (pass);
    }
    if (req.http.Authorization || req.http.Cookie) {
        # Personal or credentialed: the origin answers every one of these itself.
        set req.http.X-Edge-Pass = "1";
        return (pass);
    }
    call edge_accept_encoding;
    call edge_accept;
    # A stale object past its stale-while-revalidate window comes back here twice (vcl_hit, then
    # vcl_synth). Restart 1: fetch now, do not serve it. Restart 2: that fetch failed, serve it.
    # (The count, not a header, tells them apart: with 7.1 a header set in vcl_synth after a
    # failed fetch does not survive the restart, see stack/varnish/tests/stale.vtc.)
    if (req.http.X-Edge-Refetch) {
        if (req.restarts < 2) {
            set req.grace = 0s;
        } else {
            # req.grace outlives a restart: lift the cap again (the object's own grace applies).
            set req.grace = 3650d;
            set req.http.X-Edge-Stale = "1";
        }
    }
    return (hash);
}

# One variant per encoding family rather than one per client's spelling of Accept-Encoding
# (the origin varies on it). Bodies are never re-encoded here.
sub edge_accept_encoding {
    if (req.http.Accept-Encoding ~ "(?i)\bbr\b" && req.http.Accept-Encoding ~ "(?i)\bgzip\b") {
        set req.http.Accept-Encoding = "br, gzip";
    } elsif (req.http.Accept-Encoding ~ "(?i)\bgzip\b") {
        set req.http.Accept-Encoding = "gzip";
    } elsif (req.http.Accept-Encoding ~ "(?i)\bbr\b") {
        set req.http.Accept-Encoding = "br";
    } else {
        unset req.http.Accept-Encoding;
    }
}

# One variant per format the origin serves (it varies on Accept: JSON or CBOR) rather than one per
# client's spelling of Accept. Only plain forms are folded; anything else (q-values, lists, a type
# the origin refuses with 406) goes to the origin as sent and is kept under its own spelling.
sub edge_accept {
    if (!req.http.Accept || req.http.Accept ~ "^\s*(\*/\*|application/\*|application/json)\s*$") {
        set req.http.Accept = "application/json";
    } elsif (req.http.Accept ~ "^\s*application/cbor\s*$") {
        set req.http.Accept = "application/cbor";
    }
}

sub edge_purge {
    if (client.ip !~ million_purgers) {
        set req.http.X-Edge-Detail = "PURGE is accepted only from the edge's purge ACL";
        return (synth(403, "Forbidden"));
    }
    if (!req.http.xkey-purge) {
        set req.http.X-Edge-Detail = "A PURGE names its surrogate keys in the xkey-purge header (space-separated)";
        return (synth(400, "Bad Request"));
    }
    set req.http.X-Edge-Purged = xkey.purge(req.http.xkey-purge);
    # Varnish's own purge of the request's URL ("/" usually holds nothing) counts the PURGE in
    # MAIN.n_purges, the edge's purge rate (xkey keeps no counter of its own).
    return (purge);
}

sub vcl_purge {
    return (synth(200, "OK"));
}

sub vcl_hit {
    if (obj.ttl >= 0s || req.http.X-Edge-Stale) {
        # Fresh, or stale-if-error after a refetch that failed.
        return (deliver);
    }
    if (obj.ttl + std.duration(regsub(obj.http.Cache-Control,
            {"^(?:.*[,\s])?stale-while-revalidate\s*=\s*"?(\d+).*$"}, "\1s"), 0s) > 0s) {
        # stale-while-revalidate: this answer is stale, a background fetch refreshes the object.
        return (deliver);
    }
    # Only stale-if-error still covers the object: refetch, and serve it only if that fails.
    set req.http.X-Edge-Refetch = "1";
    return (restart);
}

sub vcl_backend_fetch {
    # The client side's marks stay here; X-Edge-Refetch is read in vcl_backend_response.
    unset bereq.http.X-Edge-Pass;
    unset bereq.http.X-Edge-Stale;
    # HAProxy's own limit answers first: 3 attempts (retries 2) x timeout server 30 s.
    set bereq.connect_timeout = 2s;
    set bereq.first_byte_timeout = 95s;
    set bereq.between_bytes_timeout = 30s;
}

sub vcl_backend_response {
    if (beresp.http.Surrogate-Key) {
        # vmod xkey indexes an object by its xkey header.
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    if (bereq.uncacheable) {
        # A pass: the answer goes to its one client as the origin sent it.
        return (deliver);
    }
    if (beresp.status >= 500 && (bereq.is_bgfetch || bereq.http.X-Edge-Refetch)) {
        # A failed refresh leaves the stale object in place (stale-while-revalidate, stale-if-error).
        return (abandon);
    }
    if (beresp.http.Set-Cookie
        || beresp.http.Cache-Control ~ "(?i)(^|[,\s])(private|no-store|no-cache)\b"
        || beresp.http.Vary == "*"
        || !(beresp.http.Cache-Control ~ "(?i)(^|[,\s])(s-maxage|max-age)\s*=" || beresp.http.Expires)
        || beresp.ttl <= 0s) {
        # Not storable, or the origin gave no lifetime (no heuristic freshness here): hit-for-miss,
        # so the next request fetches again rather than waiting on this one.
        set beresp.ttl = 120s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # The TTL is Varnish's reading of Cache-Control: s-maxage, else max-age (else Expires).
    # Grace covers both stale windows; vcl_hit serves the second only on error.
    set beresp.grace = 0s;
    call edge_stale_while_revalidate;
    call edge_stale_if_error;
    call edge_strip_quota;
    return (deliver);
}

sub edge_stale_while_revalidate {
    if (beresp.http.Cache-Control ~ "(?i)(^|[,\s])stale-while-revalidate\s*=") {
        set beresp.grace = std.duration(regsub(beresp.http.Cache-Control,
            {"^(?:.*[,\s])?stale-while-revalidate\s*=\s*"?(\d+).*$"}, "\1s"), 0s);
    }
}

sub edge_stale_if_error {
    if (beresp.http.Cache-Control ~ "(?i)(^|[,\s])stale-if-error\s*=") {
        if (std.duration(regsub(beresp.http.Cache-Control,
                {"^(?:.*[,\s])?stale-if-error\s*=\s*"?(\d+).*$"}, "\1s"), 0s) > beresp.grace) {
            set beresp.grace = std.duration(regsub(beresp.http.Cache-Control,
                {"^(?:.*[,\s])?stale-if-error\s*=\s*"?(\d+).*$"}, "\1s"), 0s);
        }
    }
}

# VCL cannot unset headers by pattern: the names of the rate-limit header drafts and their
# X- predecessors, as sent by libs/ratelimit and common gateways.
sub edge_strip_quota {
    unset beresp.http.RateLimit;
    unset beresp.http.RateLimit-Policy;
    unset beresp.http.RateLimit-Limit;
    unset beresp.http.RateLimit-Remaining;
    unset beresp.http.RateLimit-Reset;
    unset beresp.http.X-RateLimit-Limit;
    unset beresp.http.X-RateLimit-Remaining;
    unset beresp.http.X-RateLimit-Reset;
    unset beresp.http.X-RateLimit-Used;
    unset beresp.http.X-RateLimit-Policy;
    unset beresp.http.X-RateLimit-Resource;
}

sub vcl_backend_error {
    if (bereq.is_bgfetch || bereq.http.X-Edge-Refetch) {
        # No answer at all: keep the stale object (the client side serves it, see vcl_synth).
        return (abandon);
    }
    set beresp.ttl = 0s;
    set beresp.grace = 0s;
    set beresp.http.Content-Type = "application/problem+json";
    set beresp.http.Cache-Control = "no-store";
    set beresp.http.Retry-After = "1";
    # (A {"..."} string ends at the first quote-brace: the closing one is appended apart.)
    set beresp.body = {"{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"The edge could not reach the load balancer; retry shortly"} + {"""} + "}";
    return (deliver);
}

sub vcl_deliver {
    unset resp.http.xkey;
    # From the object, not from marks set on the way (see the restarts in vcl_recv). A stale
    # object served is a HIT too; so is a request that waited for another one's fetch of it.
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } elsif (req.http.X-Edge-Pass) {
        set resp.http.X-Cache = "PASS";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}

# Synthetic answers carry the standard reason phrase (the problem's title), whatever set them.
sub edge_reason {
    if (resp.status == 400) { set resp.reason = "Bad Request"; }
    elsif (resp.status == 403) { set resp.reason = "Forbidden"; }
    elsif (resp.status == 404) { set resp.reason = "Not Found"; }
    elsif (resp.status == 405) { set resp.reason = "Method Not Allowed"; }
    elsif (resp.status == 413) { set resp.reason = "Content Too Large"; }
    elsif (resp.status == 414) { set resp.reason = "URI Too Long"; }
    elsif (resp.status == 431) { set resp.reason = "Request Header Fields Too Large"; }
    elsif (resp.status == 500) { set resp.reason = "Internal Server Error"; }
    elsif (resp.status == 503) { set resp.reason = "Service Unavailable"; }
}

sub vcl_synth {
    if (resp.status == 503 && req.http.X-Edge-Refetch && req.restarts == 1) {
        # The refetch was abandoned (an error or no answer): serve the stale object instead.
        return (restart);
    }
    set resp.http.Cache-Control = "no-store";
    set resp.http.Age = "0";
    set resp.http.X-Cache = "PASS";
    call edge_reason;
    if (req.method == "PURGE" && resp.status == 200) {
        set resp.http.Content-Type = "application/json";
        set resp.body = {"{"purged":"} + req.http.X-Edge-Purged + "}";
        return (deliver);
    }
    if (!req.http.X-Edge-Detail) {
        if (resp.status == 503) {
            set req.http.X-Edge-Detail = "The edge could not get an answer from the load balancer; retry shortly";
            set resp.http.Retry-After = "1";
        } elsif (resp.status == 400) {
            set req.http.X-Edge-Detail = "The request is malformed";
        } else {
            set req.http.X-Edge-Detail = "The edge cannot answer this request";
        }
    }
    set resp.http.Content-Type = "application/problem+json";
    set resp.body = {"{"type":"about:blank","title":""} + resp.reason + {"","status":"} + resp.status
        + {","detail":""} + req.http.X-Edge-Detail + {"""} + "}";
    return (deliver);
}
