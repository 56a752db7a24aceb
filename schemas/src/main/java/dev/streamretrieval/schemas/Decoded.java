package dev.streamretrieval.schemas;

/** The outcome of decoding one record: a value, or the reason it was refused. Decoders never throw. */
public final class Decoded<T> {
    private final T value;
    private final String error;

    private Decoded(T value, String error) {
        this.value = value;
        this.error = error;
    }

    public static <T> Decoded<T> ok(T value) {
        return new Decoded<>(value, null);
    }

    public static <T> Decoded<T> refused(String error) {
        return new Decoded<>(null, error);
    }

    public boolean isOk() {
        return error == null;
    }

    public T value() {
        if (error != null) {
            throw new IllegalStateException("record was refused: " + error);
        }
        return value;
    }

    public String error() {
        return error;
    }
}
