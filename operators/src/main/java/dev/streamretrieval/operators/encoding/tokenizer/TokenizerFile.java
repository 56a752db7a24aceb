package dev.streamretrieval.operators.encoding.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json}, read once per model and JVM, from which each encoder opens its own
 * {@link ModelTokenizer}s. Holds what the encoders need besides the tokenizer itself: the model type, the
 * padding id, the ids of the special tokens and of a few named vocabulary entries (ColBERT's markers), and the
 * file rewritten with this model's truncation direction and without padding (padding is the caller's job: a
 * batch is padded to its longest row).
 *
 * <p>The vocabulary itself is not kept: a multilingual Unigram vocabulary has 250,000 entries, and the
 * encoders look up only the few tokens named in the model's configuration.
 */
public final class TokenizerFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String modelType;
    private final byte[] rewritten;
    private final Map<String, Integer> ids;
    private final int padId;
    private final BitSet punctuation;

    private TokenizerFile(String modelType, byte[] rewritten, Map<String, Integer> ids, int padId, BitSet punctuation) {
        this.modelType = modelType;
        this.rewritten = rewritten;
        this.ids = ids;
        this.padId = padId;
        this.punctuation = punctuation;
    }

    /**
     * Reads a tokenizer.json. {@code truncationSide} ("right" keeps the start of a long text, "left" its end)
     * replaces the file's own truncation direction; {@code lookups} are vocabulary entries whose ids
     * {@link #tokenId} answers (the added tokens are always known).
     *
     * @throws IllegalArgumentException when the bytes are not a tokenizer.json (the message says what is wrong)
     */
    public static TokenizerFile parse(byte[] bytes, String truncationSide, Collection<String> lookups) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON: " + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (!(root instanceof ObjectNode object) || !root.path("model").isObject()) {
            throw new IllegalArgumentException("not a Hugging Face tokenizer.json (no \"model\" object)");
        }
        JsonNode model = root.get("model");
        String type = model.path("type").asText("");
        if (type.isEmpty()) {
            // files written by older versions of the library leave the type out; the vocabulary's shape tells
            type = model.has("merges") ? "BPE" : model.path("vocab").isArray() ? "Unigram" : "WordPiece";
        }
        Map<String, Integer> ids = new HashMap<>();
        BitSet punctuation = new BitSet();
        for (JsonNode added : root.path("added_tokens")) {
            ids.put(added.path("content").asText(), added.path("id").asInt());
            if (isPunctuation(added.path("content").asText())) {
                punctuation.set(added.path("id").asInt());
            }
        }
        JsonNode vocab = model.path("vocab");
        if (vocab.isObject()) {
            vocab.fields().forEachRemaining(e -> {
                if (isPunctuation(e.getKey())) {
                    punctuation.set(e.getValue().asInt());
                }
            });
        } else {
            for (int i = 0; i < vocab.size(); i++) {
                if (isPunctuation(vocab.get(i).path(0).asText())) {
                    punctuation.set(i);
                }
            }
        }
        for (String token : lookups) {
            if (ids.containsKey(token)) {
                continue;
            }
            if (vocab.isObject() && vocab.has(token)) { // WordPiece, BPE, WordLevel: {"token": id}
                ids.put(token, vocab.get(token).asInt());
            } else if (vocab.isArray()) { // Unigram: [["piece", score], ...], the id is the position
                for (int i = 0; i < vocab.size(); i++) {
                    if (token.equals(vocab.get(i).path(0).asText())) {
                        ids.put(token, i);
                        break;
                    }
                }
            }
        }
        JsonNode padding = root.path("padding");
        int padId;
        if (padding.has("pad_id")) {
            padId = padding.get("pad_id").asInt();
        } else if (padding.has("pad_token") && ids.containsKey(padding.get("pad_token").asText())) {
            padId = ids.get(padding.get("pad_token").asText());
        } else {
            // padded positions get attention mask 0, so their id only has to be a valid one
            padId = ids.getOrDefault("[PAD]", ids.getOrDefault("<pad>", 0));
        }
        ObjectNode truncation = JSON.createObjectNode();
        truncation.put("direction", direction(truncationSide));
        truncation.put("max_length", 512); // a placeholder: each ModelTokenizer sets its own length
        truncation.put("strategy", "LongestFirst");
        truncation.put("stride", 0);
        object.set("truncation", truncation);
        object.putNull("padding");
        try {
            return new TokenizerFile(type, JSON.writeValueAsBytes(object), Map.copyOf(ids), padId, punctuation);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the tokenizer back: " + e.getMessage(), e);
        }
    }

    /** tokenizer.json's spelling of a truncation side. */
    private static String direction(String side) {
        return switch (side.toLowerCase(Locale.ROOT)) {
            case "right" -> "Right";
            case "left" -> "Left";
            default -> throw new IllegalArgumentException("truncation side '" + side + "' is not right or left");
        };
    }

    /** WordPiece, BPE, Unigram or WordLevel. */
    public String modelType() {
        return modelType;
    }

    /** The id that pads a batch's shorter rows (masked out, so any valid id would do). */
    public int padId() {
        return padId;
    }

    /** The id of an added token or of a looked-up vocabulary entry; -1 when the tokenizer does not have it. */
    public int tokenId(String token) {
        return ids.getOrDefault(token, -1);
    }

    /** Whether the token with this id is made only of punctuation characters (ColBERT's skiplist, see below). */
    public boolean isPunctuation(long id) {
        return id >= 0 && id <= Integer.MAX_VALUE && punctuation.get((int) id);
    }

    /**
     * A token made only of punctuation and symbol characters: ColBERT's skiplist is Python's
     * {@code string.punctuation}, which holds ASCII punctuation and symbols; this is the same test over Unicode.
     */
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

    /** The mask token ColBERT pads queries with: BERT's {@code [MASK]} or RoBERTa's {@code <mask>}; null if none. */
    public String maskToken() {
        return ids.containsKey("[MASK]") ? "[MASK]" : ids.containsKey("<mask>") ? "<mask>" : null;
    }

    /** The file as the tokenizer library reads it (this model's truncation direction, no padding). */
    byte[] rewritten() {
        return rewritten;
    }
}
