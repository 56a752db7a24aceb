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

    /**
     * q · v for the vector stored at {@code offset} in {@code data}. Four partial sums break the dependency chain of
     * one running sum (the exact scan calls this for every stored vector), and values are read with one
     * little-endian load each instead of through a ByteBuffer.
     */
    public float dot(float[] q, byte[] data, int offset) {
        int n = q.length;
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        if (this == FLOAT32) {
            for (; i + 3 < n; i += 4) {
                int at = offset + 4 * i;
                s0 += q[i] * (float) FLOAT_LE.get(data, at);
                s1 += q[i + 1] * (float) FLOAT_LE.get(data, at + 4);
                s2 += q[i + 2] * (float) FLOAT_LE.get(data, at + 8);
                s3 += q[i + 3] * (float) FLOAT_LE.get(data, at + 12);
            }
            for (; i < n; i++) {
                s0 += q[i] * (float) FLOAT_LE.get(data, offset + 4 * i);
            }
            return (s0 + s1) + (s2 + s3);
        }
        float scale = (float) FLOAT_LE.get(data, offset) / 127f;
        int base = offset + 4;
        for (; i + 3 < n; i += 4) {
            s0 += q[i] * data[base + i];
            s1 += q[i + 1] * data[base + i + 1];
            s2 += q[i + 2] * data[base + i + 2];
            s3 += q[i + 3] * data[base + i + 3];
        }
        for (; i < n; i++) {
            s0 += q[i] * data[base + i];
        }
        return ((s0 + s1) + (s2 + s3)) * scale;
    }

    private static final java.lang.invoke.VarHandle FLOAT_LE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

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
