package dev.streamretrieval.operators.encoding;

import dev.streamretrieval.operators.encoding.tokenizer.TokenizedText;
import dev.streamretrieval.operators.encoding.tokenizer.WordPieceTokenizer;
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

    private TokenEncoder(OnnxModel model, int batchSize, TokenProjection projection) {
        this.model = model;
        this.projection = projection;
        this.spec = model.spec();
        this.batchSize = batchSize;
        WordPieceTokenizer tok = model.tokenizer();
        this.queryMarker = spec.queryMarker.isEmpty() ? -1 : tokenOrFail(tok, spec.queryMarker, "query_marker");
        this.documentMarker = spec.documentMarker.isEmpty() ? -1 : tokenOrFail(tok, spec.documentMarker, "document_marker");
        if (spec.queryAugmentationLength > 0) {
            tok.maskId();
        }
    }

    private int tokenOrFail(WordPieceTokenizer tok, String token, String what) {
        if (!tok.hasToken(token)) {
            throw new IllegalArgumentException(spec + ": " + what + " '" + token + "' is not in the tokenizer's vocabulary");
        }
        return tok.tokenId(token);
    }

    public static TokenEncoder open(ModelSpec spec, int intraOpThreads, int batchSize) {
        return open(spec, intraOpThreads, batchSize, null);
    }

    /** A token encoder whose vectors pass through {@code projection} (null: none) before anyone sees them. */
    public static TokenEncoder open(ModelSpec spec, int intraOpThreads, int batchSize, TokenProjection projection) {
        if (spec.modelRole() != ModelRole.TOKEN) {
            throw new IllegalArgumentException(spec + " is not a token model");
        }
        return new TokenEncoder(OnnxModel.acquire(spec, intraOpThreads, 3), batchSize, projection);
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
            tokens.add(augment(withMarker(q, queryMarker, spec.queryPrefix, spec.maxQueryTokens)));
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
            tokens.add(withMarker(p, documentMarker, spec.passagePrefix, spec.maxPassageTokens));
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

    /** [CLS] marker? wordpieces [SEP], truncated to maxTokens. */
    private TokenizedText withMarker(String text, int marker, String prefix, int maxTokens) {
        WordPieceTokenizer tok = model.tokenizer();
        if (marker < 0) {
            return tok.encode(prefix + text, maxTokens);
        }
        TokenizedText body = tok.encodeWithoutSpecials(prefix + text);
        int keep = Math.max(0, Math.min(body.length(), maxTokens - 3));
        long[] ids = new long[keep + 3];
        String[] strings = new String[keep + 3];
        ids[0] = tok.clsId();
        strings[0] = tok.token(tok.clsId());
        ids[1] = marker;
        strings[1] = tok.token(marker);
        for (int i = 0; i < keep; i++) {
            ids[i + 2] = body.ids[i];
            strings[i + 2] = body.tokens[i];
        }
        ids[keep + 2] = tok.sepId();
        strings[keep + 2] = tok.token(tok.sepId());
        return new TokenizedText(ids, new long[ids.length], strings);
    }

    /** ColBERT query augmentation: pad with [MASK] (attended) up to the configured length. */
    private TokenizedText augment(TokenizedText q) {
        int target = spec.queryAugmentationLength;
        if (target <= q.length()) {
            return q;
        }
        WordPieceTokenizer tok = model.tokenizer();
        long[] ids = Arrays.copyOf(q.ids, target);
        String[] strings = Arrays.copyOf(q.tokens, target);
        for (int i = q.length(); i < target; i++) {
            ids[i] = tok.maskId();
            strings[i] = tok.token(tok.maskId());
        }
        return new TokenizedText(ids, new long[target], strings);
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
            if (document && spec.skipPunctuation && isPunctuation(tokens.tokens[t])) {
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

    /** A wordpiece made only of punctuation characters (ColBERT's skiplist is string.punctuation). */
    static boolean isPunctuation(String token) {
        if (token == null || token.isEmpty()) {
            return false;
        }
        for (int i = 0; i < token.length(); i++) {
            int type = Character.getType(token.charAt(i));
            boolean punct = type == Character.CONNECTOR_PUNCTUATION || type == Character.DASH_PUNCTUATION
                    || type == Character.START_PUNCTUATION || type == Character.END_PUNCTUATION
                    || type == Character.INITIAL_QUOTE_PUNCTUATION || type == Character.FINAL_QUOTE_PUNCTUATION
                    || type == Character.OTHER_PUNCTUATION || type == Character.MATH_SYMBOL
                    || type == Character.CURRENCY_SYMBOL || type == Character.MODIFIER_SYMBOL;
            if (!punct) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        model.close();
    }
}
