package dev.streamretrieval.operators.index;

import java.util.Arrays;
import java.util.List;

/**
 * The documents a BM25 shard search matched, accumulated term at a time: per document its local score, length and
 * the frequency of every query term. Primitive arrays behind an open-addressing table (linear probing on the
 * ordinal) instead of a {@code HashMap<Long, Accumulator>}: no boxing and no object per matched document, and the
 * table is sized once from the terms' document frequencies, so it never rehashes. Scores are summed in query-term
 * order per document, exactly as before, so results are bit-identical.
 */
final class Bm25Matches {
    private final int terms;
    private int mask;
    /** table position → slot + 1 (0 = empty). */
    private int[] table;
    private long[] ordinals;
    private float[] scores;
    private int[] lengths;
    /** slot * terms + t → frequency of query term t. */
    private int[] freqs;
    private int size;

    /** For {@code terms} query terms and about {@code expected} matches (the sum of their document frequencies). */
    Bm25Matches(int terms, long expected) {
        this.terms = terms;
        int capacity = (int) Math.min(1 << 30, Math.max(16, expected));
        int tableSize = Integer.highestOneBit(Math.max(16, capacity * 2 - 1)) << 1; // load factor ≤ 0.5
        this.table = new int[tableSize];
        this.mask = tableSize - 1;
        this.ordinals = new long[capacity];
        this.scores = new float[capacity];
        this.lengths = new int[capacity];
        this.freqs = new int[capacity * Math.max(1, terms)];
    }

    /** Adds query term {@code t}'s posting for {@code ordinal}: its frequency, the document length, its score. */
    void add(long ordinal, int t, int freq, int length, float termScore) {
        if (size * 2 >= table.length) { // more matches than the document frequencies said (not expected)
            rehash();
        }
        int pos = hash(ordinal) & mask;
        while (true) {
            int entry = table[pos];
            if (entry == 0) {
                int slot = newSlot(ordinal, length);
                table[pos] = slot + 1;
                freqs[slot * terms + t] = freq;
                scores[slot] += termScore;
                return;
            }
            int slot = entry - 1;
            if (ordinals[slot] == ordinal) {
                freqs[slot * terms + t] = freq;
                scores[slot] += termScore;
                return;
            }
            pos = (pos + 1) & mask;
        }
    }

    private int newSlot(long ordinal, int length) {
        if (size == ordinals.length) {
            int grown = ordinals.length * 2;
            ordinals = Arrays.copyOf(ordinals, grown);
            scores = Arrays.copyOf(scores, grown);
            lengths = Arrays.copyOf(lengths, grown);
            freqs = Arrays.copyOf(freqs, grown * Math.max(1, terms));
        }
        ordinals[size] = ordinal;
        lengths[size] = length;
        return size++;
    }

    private void rehash() {
        table = new int[table.length * 2];
        mask = table.length - 1;
        for (int slot = 0; slot < size; slot++) {
            int pos = hash(ordinals[slot]) & mask;
            while (table[pos] != 0) {
                pos = (pos + 1) & mask;
            }
            table[pos] = slot + 1;
        }
    }

    /** The slot of {@code ordinal}, or -1 when it matched no query term. */
    int find(long ordinal) {
        int pos = hash(ordinal) & mask;
        while (true) {
            int entry = table[pos];
            if (entry == 0) {
                return -1;
            }
            if (ordinals[entry - 1] == ordinal) {
                return entry - 1;
            }
            pos = (pos + 1) & mask;
        }
    }

    int size() {
        return size;
    }

    long ordinal(int slot) {
        return ordinals[slot];
    }

    float score(int slot) {
        return scores[slot];
    }

    int length(int slot) {
        return lengths[slot];
    }

    /** A copy of the query-term frequencies of the document in {@code slot}. */
    int[] termFreqs(int slot) {
        return Arrays.copyOfRange(freqs, slot * terms, slot * terms + terms);
    }

    /** Best {@code depth} ordinals by local score (ties: smaller ordinal first). */
    List<Long> top(int depth) {
        return TopK.of(Arrays.copyOf(ordinals, size), Arrays.copyOf(scores, size), depth);
    }

    /** Ordinals are sequential per shard; a multiplicative hash spreads them over the table. */
    private static int hash(long ordinal) {
        long h = ordinal * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
