package dev.streamretrieval.jobs.client;

import dev.streamretrieval.schemas.DeadLetter;
import dev.streamretrieval.schemas.MessageJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a topic from its current end on a background thread and hands every decoded message to a callback.
 * The start position is fixed before the constructor returns, so nothing produced afterwards is missed.
 * With {@code readCommitted}, only records of committed transactions are seen (exactly-once delivery).
 */
public final class ResultStream<T> implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ResultStream.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean(true);

    public ResultStream(Properties clientProperties, String topic, Class<T> type, boolean readCommitted,
            boolean fromBeginning, Consumer<T> onMessage) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.setProperty("key.deserializer", ByteArrayDeserializer.class.getName());
        p.setProperty("value.deserializer", ByteArrayDeserializer.class.getName());
        p.setProperty("enable.auto.commit", "false");
        p.setProperty("isolation.level", readCommitted ? "read_committed" : "read_uncommitted");
        consumer = new KafkaConsumer<>(p);
        List<TopicPartition> partitions = new ArrayList<>();
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            consumer.close();
            throw new IllegalStateException("topic '" + topic + "' does not exist");
        }
        for (PartitionInfo info : infos) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        consumer.assign(partitions);
        if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
        partitions.forEach(consumer::position); // resolve the lazy seek now
        thread = new Thread(() -> {
            while (running.get()) {
                try {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        if (r.value() == null) {
                            continue;
                        }
                        try {
                            onMessage.accept(MessageJson.read(r.value(), type));
                        } catch (RuntimeException e) {
                            LOG.error("cannot handle record {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
                        }
                    }
                } catch (org.apache.kafka.common.errors.WakeupException e) {
                    return;
                }
            }
        }, "read-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    /** Convenience for the dead-letter topic. */
    public static ResultStream<DeadLetter> deadLetters(Properties props, String topic, boolean readCommitted,
            Consumer<DeadLetter> onMessage) {
        return new ResultStream<>(props, topic, DeadLetter.class, readCommitted, false, onMessage);
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        consumer.wakeup();
        thread.join(5000);
        consumer.close(Duration.ofSeconds(5));
    }
}
