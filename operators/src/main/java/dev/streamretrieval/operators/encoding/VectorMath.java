package dev.streamretrieval.operators.encoding;

/** The few vector operations the encoders and scorers share. */
public final class VectorMath {
    private VectorMath() {}

    /** v ← v / ‖v‖₂ (a zero vector stays zero). */
    public static void normalize(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        if (sum == 0) {
            return;
        }
        float inv = (float) (1.0 / Math.sqrt(sum));
        for (int i = 0; i < v.length; i++) {
            v[i] *= inv;
        }
    }

    /**
     * Fails when {@code v} holds NaN or an infinity: a model that overflows or divides by zero returns such
     * vectors without an error, and one stored NaN would poison every similarity computed with it.
     */
    public static void requireFinite(float[] v, String what) {
        if (v == null) {
            return;
        }
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new IllegalStateException("the model returned a " + what + " with " + v[i] + " at " + i);
            }
        }
    }

    public static float dot(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
