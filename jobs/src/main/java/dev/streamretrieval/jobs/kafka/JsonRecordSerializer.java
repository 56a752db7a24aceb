package dev.streamretrieval.jobs.kafka;

import dev.streamretrieval.schemas.MessageJson;
import java.io.Serializable;
import java.util.function.Function;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes a message as JSON to one topic, keyed by what {@code keyOf} returns (may be null). */
public class JsonRecordSerializer<T> implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    /** A serializable key extractor. */
    public interface KeyOf<T> extends Function<T, byte[]>, Serializable {}

    private final String topic;
    private final KeyOf<T> keyOf;

    public JsonRecordSerializer(String topic, KeyOf<T> keyOf) {
        this.topic = topic;
        this.keyOf = keyOf;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, timestamp, keyOf.apply(element), MessageJson.write(element));
    }
}
