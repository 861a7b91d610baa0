package io.million.outbox;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.million.web.auth.OperatorGuard;
import io.million.web.problem.ProblemMappers;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/**
 * The dead letters of this service, for operators, on the management interface only (operator
 * token): {@code GET /admin/dlq} lists the letters not replayed yet (at most {@code ?limit=}, 100)
 * with their reasons, {@code POST /admin/dlq/replay} gives each back to the consumer it was for
 * (through this service's retry topic, so no other service sees it twice; a letter that names no
 * consumer goes to the topic it came from, its {@code dead-letter-topic}), with its own key, event
 * id and headers, and then moves the replay group ({@code <service>-dlq-replay}) past them, so each letter is replayed once; a
 * replayed event that was applied after all changes nothing (processed-event ids). The depth, the
 * letters not replayed, is the gauge {@code million_events_dead_letters} (refreshed every 30 s),
 * with an alert. The Kafka clients block: all of it runs on a worker thread, one scan at a time.
 */
@Singleton
public class DeadLetterAdmin {

    static final String PATH = "/admin/dlq";
    private static final Logger LOG = Logger.getLogger(DeadLetterAdmin.class);
    private static final Duration SCAN_TIMEOUT = Duration.ofSeconds(20);
    private static final long REFRESH_MILLIS = 30_000;

    private final KafkaClients clients;
    private final RetryTopic retryTopic;
    private final String topic;
    private final String group;
    private final String clientId;
    private final ObjectMapper json;
    private final ProblemMappers problems;
    private final OperatorGuard guard;
    private final AtomicLong depth = new AtomicLong();

    public DeadLetterAdmin(KafkaClients clients, RetryTopic retryTopic, DeadLetters letters, ObjectMapper json, ProblemMappers problems,
            OperatorGuard guard, MeterRegistry registry,
            @ConfigProperty(name = "quarkus.application.name") String application) {
        this.clients = clients;
        this.retryTopic = retryTopic;
        this.topic = letters.topic();
        this.group = application + "-dlq-replay";
        this.clientId = application + "-dlq-admin";
        this.json = json;
        this.problems = problems;
        this.guard = guard;
        Gauge.builder("million.events.dead.letters", depth, AtomicLong::get).tag("topic", topic)
                .description("Dead letters not replayed yet (GET /admin/dlq on the management port)")
                .register(registry);
    }

    /** One dead letter as operators see it. */
    public record Letter(int partition, long offset, String key, String eventId, String eventType, String from,
            String reason, String cause) {
    }

    public record Listing(String topic, long depth, List<Letter> letters) {
    }

    public record Replay(String topic, int replayed) {
    }

    void install(@Observes ManagementInterface management, Vertx vertx) {
        var router = management.router();
        router.route(PATH + "*").handler(guard.handler());
        router.get(PATH).handler(ctx -> {
            int limit = limit(ctx);
            if (limit < 0) {
                problems.send(ctx, io.million.web.problem.Problem.of(400, "Bad Request",
                        "limit must be a number from 1 to 1000"), Map.of());
                return;
            }
            blocking(ctx, vertx, () -> scan(false, limit));
        });
        router.post(PATH + "/replay").handler(ctx -> blocking(ctx, vertx, () -> scan(true, Integer.MAX_VALUE)));
        vertx.setPeriodic(REFRESH_MILLIS, tick -> vertx.executeBlocking(() -> scan(false, 0), false)
                .onFailure(failure -> LOG.debugf("dead-letter depth of %s: %s", topic, failure)));
    }

    private static int limit(RoutingContext ctx) {
        String value = ctx.request().getParam("limit");
        if (value == null) {
            return 100;
        }
        try {
            int limit = Integer.parseInt(value);
            return limit >= 1 && limit <= 1000 ? limit : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void blocking(RoutingContext ctx, Vertx vertx, java.util.concurrent.Callable<Object> work) {
        vertx.executeBlocking(work, false).onComplete(result -> {
            if (result.failed()) {
                problems.sendFailure(ctx, result.cause());
                return;
            }
            try {
                ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json")
                        .putHeader("Cache-Control", "no-store").end(Buffer.buffer(json.writeValueAsBytes(result.result())));
            } catch (JsonProcessingException e) {
                problems.sendFailure(ctx, e);
            }
        });
    }

    /**
     * Reads the letters from the replay group's offsets to the end; lists up to {@code limit} of
     * them, or replays them all and commits the group past them.
     */
    synchronized Object scan(boolean replay, int limit) throws Exception {
        try (KafkaConsumer<String, String> consumer = clients.consumer(clientId, group)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, SCAN_TIMEOUT);
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : infos == null ? List.<PartitionInfo> of() : infos) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            if (partitions.isEmpty()) {
                depth.set(0);
                return replay ? new Replay(topic, 0) : new Listing(topic, 0, List.of());
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, SCAN_TIMEOUT);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, SCAN_TIMEOUT);
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(partitions),
                    SCAN_TIMEOUT);
            long waiting = 0;
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata at = committed.get(partition);
                long start = Math.max(at == null ? 0 : at.offset(), begin.getOrDefault(partition, 0L));
                consumer.seek(partition, start);
                waiting += Math.max(0, end.get(partition) - start);
            }
            depth.set(waiting);
            if (!replay && limit == 0) {
                return null;
            }
            List<ConsumerRecord<String, String>> records = read(consumer, partitions, end, replay ? Long.MAX_VALUE : limit);
            if (!replay) {
                return new Listing(topic, waiting, records.stream().map(DeadLetterAdmin::letter).toList());
            }
            int replayed = republish(records);
            Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
            end.forEach((partition, offset) -> done.put(partition, new OffsetAndMetadata(offset)));
            consumer.commitSync(done, SCAN_TIMEOUT);
            depth.set(0);
            LOG.infof("replayed %d dead letters of %s", replayed, topic);
            return new Replay(topic, replayed);
        }
    }

    private static List<ConsumerRecord<String, String>> read(KafkaConsumer<String, String> consumer,
            List<TopicPartition> partitions, Map<TopicPartition, Long> end, long limit) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        long deadline = System.nanoTime() + SCAN_TIMEOUT.toNanos();
        while (records.size() < limit && System.nanoTime() < deadline
                && partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                if (record.offset() < end.get(partition) && records.size() < limit) {
                    records.add(record);
                }
            }
        }
        if (records.size() < limit && partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
            throw new IllegalStateException("the dead letters of " + topic(partitions) + " could not be read within "
                    + SCAN_TIMEOUT);
        }
        return records;
    }

    private int republish(List<ConsumerRecord<String, String>> records) throws Exception {
        if (records.isEmpty()) {
            return 0;
        }
        try (KafkaProducer<String, String> producer = clients.producer(clientId, Map.of(ProducerConfig.ACKS_CONFIG,
                "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"))) {
            List<java.util.concurrent.Future<RecordMetadata>> acks = new ArrayList<>();
            for (ConsumerRecord<String, String> record : records) {
                String from = header(record, "dead-letter-topic");
                if (from == null) {
                    throw new IllegalStateException("dead letter " + record.partition() + "@" + record.offset()
                            + " names no dead-letter-topic");
                }
                RecordHeaders headers = new RecordHeaders();
                for (Header header : record.headers()) {
                    if (!header.key().startsWith("dead-letter-") && !header.key().startsWith(RetryTopic.PREFIX)) {
                        headers.add(header);
                    }
                }
                String consumer = header(record, DeadLetters.CONSUMER);
                String to = from;
                if (consumer != null) { // back to that consumer alone, due at once, as a first attempt
                    to = retryTopic.topic();
                    add(headers, RetryTopic.TOPIC, from);
                    add(headers, RetryTopic.PARTITION, String.valueOf(header(record, "dead-letter-partition")));
                    add(headers, RetryTopic.OFFSET, String.valueOf(header(record, "dead-letter-offset")));
                    add(headers, RetryTopic.CONSUMER, consumer);
                }
                acks.add(producer.send(new ProducerRecord<>(to, null, record.key(), record.value(), headers)));
            }
            for (var ack : acks) {
                ack.get(SCAN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        return records.size();
    }

    private static Letter letter(ConsumerRecord<String, String> record) {
        return new Letter(record.partition(), record.offset(), record.key(), header(record, OutboxRelay.EVENT_ID),
                header(record, OutboxRelay.EVENT_TYPE), header(record, "dead-letter-topic"),
                header(record, "dead-letter-reason"), header(record, "dead-letter-cause"));
    }

    private static String topic(List<TopicPartition> partitions) {
        return partitions.get(0).topic();
    }

    private static void add(RecordHeaders headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
