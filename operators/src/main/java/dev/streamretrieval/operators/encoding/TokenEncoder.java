package dev.streamretrieval.operators.encoding;

import dev.streamretrieval.operators.encoding.tokenizer.ModelTokenizer;
import dev.streamretrieval.operators.encoding.tokenizer.TokenizedText;
import dev.streamretrieval.operators.encoding.tokenizer.TokenizerFile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ColBERT-style late-interaction encoder: one L2-normalised vector per token.
 *
 * <ul>
 *   <li>queries: {@code [CLS] [Q] q… [SEP]}, then (query augmentation) padded with {@code [MASK]} up to
 *       {@code query_augmentation_length}; every position's vector is kept, the [MASK] ones included (they act as
 *       learned query expansion in ColBERT);</li>
 *   <li>documents: {@code [CLS] [D] d… [SEP]}; padding and (skiplist) punctuation tokens are dropped.</li>
 * </ul>
 * Markers and augmentation are off when not configured, which is how a bi-encoder's last hidden state serves as
 * the default token encoder (no ColBERT weights are obtainable here).
 */
public final class TokenEncoder implements AutoCloseable {
    private final OnnxModel model;
    private final ModelSpec spec;
    private final int batchSize;
    private final int queryMarker;
    private final int documentMarker;
    /** Applied to every selected token vector (documents and queries), or null for the raw vectors. */
    private final TokenProjection projection;
    private final int maskId;
    /** This encoder's own (one operator subtask's), one per maximum length; closed with it. */
    private final ModelTokenizer queryTokenizer;
    private final ModelTokenizer passageTokenizer;

    private TokenEncoder(OnnxModel model, int batchSize, TokenProjection projection) {
        this.model = model;
        this.projection = projection;
        this.spec = model.spec();
        this.batchSize = batchSize;
        TokenizerFile file = model.tokenizerFile();
        this.queryMarker = spec.queryMarker.isEmpty() ? -1 : tokenOrFail(file, spec.queryMarker, "query_marker");
        this.documentMarker = spec.documentMarker.isEmpty() ? -1 : tokenOrFail(file, spec.documentMarker, "document_marker");
        String maskToken = spec.queryAugmentationLength > 0 ? file.maskToken() : null;
        if (spec.queryAugmentationLength > 0 && maskToken == null) {
            throw new IllegalArgumentException(spec + ": query_augmentation_length needs a mask token ([MASK] or <mask>),"
                    + " and the tokenizer has neither");
        }
        this.maskId = maskToken == null ? -1 : file.tokenId(maskToken);
        // a marker takes one place of the maximum length, so the tokenizer truncates to one less
        this.queryTokenizer = ModelTokenizer.open(file, spec.maxQueryTokens - (queryMarker >= 0 ? 1 : 0));
        try {
            this.passageTokenizer = ModelTokenizer.open(file, spec.maxPassageTokens - (documentMarker >= 0 ? 1 : 0));
        } catch (RuntimeException e) {
            queryTokenizer.close();
            throw e;
        }
    }

    private int tokenOrFail(TokenizerFile file, String token, String what) {
        int id = file.tokenId(token);
        if (id < 0) {
            throw new IllegalArgumentException(spec + ": " + what + " '" + token + "' is not in the tokenizer's vocabulary");
        }
        return id;
    }

    public static TokenEncoder open(ModelSpec spec, int intraOpThreads, int batchSize) {
        return open(spec, intraOpThreads, batchSize, null);
    }

    /** A token encoder whose vectors pass through {@code projection} (null: none) before anyone sees them. */
    public static TokenEncoder open(ModelSpec spec, int intraOpThreads, int batchSize, TokenProjection projection) {
        if (spec.modelRole() != ModelRole.TOKEN) {
            throw new IllegalArgumentException(spec + " is not a token model");
        }
        OnnxModel model = OnnxModel.acquire(spec, intraOpThreads, 3);
        try {
            return new TokenEncoder(model, batchSize, projection);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    public ModelSpec spec() {
        return spec;
    }

    public OnnxModel model() {
        return model;
    }

    public float[][][] encodeQueries(List<String> queries) {
        List<TokenizedText> tokens = new ArrayList<>();
        for (String q : queries) {
            tokens.add(augment(withMarker(q, queryMarker, spec.queryPrefix, queryTokenizer)));
        }
        float[][][] hidden = model.runSorted(tokens, batchSize);
        float[][][] out = new float[queries.size()][][];
        for (int i = 0; i < out.length; i++) {
            out[i] = select(hidden[i], tokens.get(i), false);
        }
        return out;
    }

    public List<TokenizedText> tokenizePassages(List<String> passages) {
        List<TokenizedText> tokens = new ArrayList<>();
        for (String p : passages) {
            tokens.add(withMarker(p, documentMarker, spec.passagePrefix, passageTokenizer));
        }
        return tokens;
    }

    public float[][][] encodePassages(List<String> passages) {
        List<TokenizedText> tokens = tokenizePassages(passages);
        float[][][] hidden = model.runSorted(tokens, batchSize);
        float[][][] out = new float[passages.size()][][];
        for (int i = 0; i < out.length; i++) {
            out[i] = select(hidden[i], tokens.get(i), true);
        }
        return out;
    }

    /**
     * The tokenizer's sequence with the marker right after its leading special token ({@code [CLS] [Q] q… [SEP]},
     * as ColBERT builds it) or first when the tokenizer adds none; at most the maximum length in all.
     */
    private static TokenizedText withMarker(String text, int marker, String prefix, ModelTokenizer tokenizer) {
        TokenizedText t = tokenizer.encode(prefix + text);
        if (marker < 0) {
            return t;
        }
        int at = t.length() > 0 && t.specialTokensMask[0] == 1 ? 1 : 0;
        int n = t.length() + 1;
        long[] ids = new long[n];
        long[] types = new long[n];
        long[] special = new long[n];
        for (int i = 0, j = 0; i < n; i++) {
            if (i == at) {
                ids[i] = marker;
                special[i] = 1;
                continue;
            }
            ids[i] = t.ids[j];
            types[i] = t.typeIds[j];
            special[i] = t.specialTokensMask[j];
            j++;
        }
        return new TokenizedText(ids, types, special);
    }

    /** ColBERT query augmentation: pad with [MASK] (attended) up to the configured length. */
    private TokenizedText augment(TokenizedText q) {
        int target = spec.queryAugmentationLength;
        if (target <= q.length()) {
            return q;
        }
        long[] ids = Arrays.copyOf(q.ids, target);
        long[] special = Arrays.copyOf(q.specialTokensMask, target);
        for (int i = q.length(); i < target; i++) {
            ids[i] = maskId;
            special[i] = 1;
        }
        return new TokenizedText(ids, Arrays.copyOf(q.typeIds, target), special);
    }

    /**
     * Keeps attended rows, minus punctuation for documents when the skiplist is on; L2-normalises each, and then
     * projects it when a token projection is configured (the projection's output is normalised again).
     */
    public float[][] select(float[][] hidden, TokenizedText tokens, boolean document) {
        List<float[]> rows = new ArrayList<>(hidden.length);
        for (int t = 0; t < hidden.length; t++) {
            if (tokens.attentionMask[t] == 0) {
                continue;
            }
            if (document && spec.skipPunctuation && model.tokenizerFile().isPunctuation(tokens.ids[t])) {
                continue;
            }
            float[] v = hidden[t].clone();
            if (spec.normalize) {
                VectorMath.normalize(v);
            }
            rows.add(projection == null ? v : projection.apply(v));
        }
        return rows.toArray(new float[0][]);
    }

    @Override
    public void close() {
        queryTokenizer.close();
        passageTokenizer.close();
        model.close();
    }
}
