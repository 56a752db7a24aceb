package dev.streamretrieval.operators.vectors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * How a dense vector is stored: {@code float32} (4 bytes per dimension) or {@code int8} (1 byte per dimension
 * plus a 4-byte scale: x ≈ q · s / 127 with s = max |x|, symmetric per vector). Scoring reads the stored bytes
 * directly; nothing is deserialised into objects.
 */
public enum DenseCodec {
    FLOAT32,
    INT8;

    public static DenseCodec parse(String name) {
        return switch (name) {
            case "float32" -> FLOAT32;
            case "int8" -> INT8;
            default -> throw new IllegalArgumentException("dense codec '" + name + "' is not float32 or int8");
        };
    }

    public String wireName() {
        return name().toLowerCase();
    }

    /** Bytes one vector of {@code dim} dimensions takes. */
    public int bytes(int dim) {
        return this == FLOAT32 ? 4 * dim : 4 + dim;
    }

    public void encode(float[] v, ByteBuffer out) {
        ByteBuffer b = out.order(ByteOrder.LITTLE_ENDIAN);
        if (this == FLOAT32) {
            for (float x : v) {
                b.putFloat(x);
            }
            return;
        }
        float scale = 0;
        for (float x : v) {
            scale = Math.max(scale, Math.abs(x));
        }
        b.putFloat(scale);
        float k = scale == 0 ? 0 : 127f / scale;
        for (float x : v) {
            b.put((byte) Math.round(x * k));
        }
    }

    public byte[] encode(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(bytes(v.length));
        encode(v, b);
        return b.array();
    }

    /** q · v for the vector stored at {@code offset} in {@code data}. */
    public float dot(float[] q, byte[] data, int offset) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        float s = 0;
        if (this == FLOAT32) {
            for (int i = 0; i < q.length; i++) {
                s += q[i] * b.getFloat(offset + 4 * i);
            }
            return s;
        }
        float scale = b.getFloat(offset) / 127f;
        int base = offset + 4;
        for (int i = 0; i < q.length; i++) {
            s += q[i] * data[base + i];
        }
        return s * scale;
    }

    public float[] decode(byte[] data, int offset, int dim) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[dim];
        if (this == FLOAT32) {
            for (int i = 0; i < dim; i++) {
                v[i] = b.getFloat(offset + 4 * i);
            }
        } else {
            float scale = b.getFloat(offset) / 127f;
            for (int i = 0; i < dim; i++) {
                v[i] = data[offset + 4 + i] * scale;
            }
        }
        return v;
    }
}
