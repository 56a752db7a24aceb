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

    public static float dot(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
