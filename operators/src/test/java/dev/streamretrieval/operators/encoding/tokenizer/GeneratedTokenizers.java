package dev.streamretrieval.operators.encoding.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Small tokenizer.json files of each model type, written the way the Hugging Face library writes them, with
 * vocabularies small enough that a test can work out every id by hand. Ids are listed next to each vocabulary.
 */
public final class GeneratedTokenizers {
    private GeneratedTokenizers() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * BERT-style WordPiece: BertNormalizer (lowercase, accents stripped), BertPreTokenizer (whitespace, punctuation
     * isolated), {@code [CLS] A [SEP]} and {@code [CLS] A [SEP] B [SEP]} with token types 0/1.
     * <pre>
     *   0 [PAD]  1 [UNK]  2 [CLS]  3 [SEP]  4 [MASK]  5 stream  6 ##ing  7 flink  8 state  9 ,  10 play  11 ##s
     *   12 [unused0]
     * </pre>
     */
    public static ObjectNode wordPiece() {
        ObjectNode root = root();
        ArrayNode added = root.putArray("added_tokens");
        String[] specials = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
        for (int i = 0; i < specials.length; i++) {
            added.add(added(i, specials[i]));
        }
        ObjectNode normalizer = root.putObject("normalizer");
        normalizer.put("type", "BertNormalizer");
        normalizer.put("clean_text", true);
        normalizer.put("handle_chinese_chars", true);
        normalizer.putNull("strip_accents");
        normalizer.put("lowercase", true);
        root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");
        ObjectNode post = template("[CLS]:0 $A:0 [SEP]:0", "[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1");
        ObjectNode special = post.putObject("special_tokens");
        specialToken(special, "[CLS]", 2);
        specialToken(special, "[SEP]", 3);
        root.set("post_processor", post);
        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "WordPiece");
        decoder.put("prefix", "##");
        decoder.put("cleanup", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "WordPiece");
        model.put("unk_token", "[UNK]");
        model.put("continuing_subword_prefix", "##");
        model.put("max_input_chars_per_word", 100);
        ObjectNode vocab = model.putObject("vocab");
        String[] tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "stream", "##ing", "flink", "state", ",",
            "play", "##s", "[unused0]"};
        for (int i = 0; i < tokens.length; i++) {
            vocab.put(tokens[i], i);
        }
        return root;
    }

    /**
     * RoBERTa-style BPE: Lowercase normalizer, Whitespace pre-tokenizer, merges applied by rank,
     * {@code <s> A </s>} and {@code <s> A </s></s> B </s>} (RobertaProcessing).
     * <pre>
     *   0 &lt;s&gt;  1 &lt;pad&gt;  2 &lt;/s&gt;  3 &lt;unk&gt;  4 &lt;mask&gt;  5 l  6 o  7 w  8 e  9 r  10 n  11 s  12 t
     *   13 lo  14 low  15 er  16 lower  17 es  18 est
     *   merges (rank order): "l o", "lo w", "e r", "low er", "e s", "es t"
     * </pre>
     */
    public static ObjectNode bpe() {
        ObjectNode root = root();
        ArrayNode added = root.putArray("added_tokens");
        String[] specials = {"<s>", "<pad>", "</s>", "<unk>", "<mask>"};
        for (int i = 0; i < specials.length; i++) {
            added.add(added(i, specials[i]));
        }
        root.putObject("normalizer").put("type", "Lowercase");
        root.putObject("pre_tokenizer").put("type", "Whitespace");
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "RobertaProcessing");
        post.putArray("sep").add("</s>").add(2);
        post.putArray("cls").add("<s>").add(0);
        post.put("trim_offsets", true);
        post.put("add_prefix_space", false);
        root.putNull("decoder");
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.put("unk_token", "<unk>");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode vocab = model.putObject("vocab");
        String[] tokens = {"<s>", "<pad>", "</s>", "<unk>", "<mask>", "l", "o", "w", "e", "r", "n", "s", "t", "lo",
            "low", "er", "lower", "es", "est"};
        for (int i = 0; i < tokens.length; i++) {
            vocab.put(tokens[i], i);
        }
        ArrayNode merges = model.putArray("merges");
        for (String m : new String[] {"l o", "lo w", "e r", "low er", "e s", "es t"}) {
            merges.add(m);
        }
        return root;
    }

    /**
     * T5/SentencePiece-style Unigram: Lowercase normalizer, Metaspace pre-tokenizer (a word starts with ▁), the
     * segmentation with the highest total log-probability, {@code A </s>} and {@code A </s> B </s>} (types 0/1).
     * <pre>
     *   id piece score:  0 &lt;pad&gt; 0  1 &lt;/s&gt; 0  2 &lt;unk&gt; 0  3 ▁ -3  4 ▁new -2  5 ▁ne -3  6 w -3  7 ▁york -2.5
     *                    8 ▁yo -3  9 rk -3.5  10 y -4  11 o -4  12 r -4  13 k -4  14 n -4  15 e -4
     * </pre>
     */
    public static ObjectNode unigram() {
        ObjectNode root = root();
        ArrayNode added = root.putArray("added_tokens");
        String[] specials = {"<pad>", "</s>", "<unk>"};
        for (int i = 0; i < specials.length; i++) {
            added.add(added(i, specials[i]));
        }
        root.putObject("normalizer").put("type", "Lowercase");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Metaspace");
        pre.put("replacement", "▁");
        pre.put("prepend_scheme", "always");
        pre.put("split", true);
        ObjectNode post = template("$A:0 </s>:0", "$A:0 </s>:0 $B:1 </s>:1");
        specialToken(post.putObject("special_tokens"), "</s>", 1);
        root.set("post_processor", post);
        root.putNull("decoder");
        ObjectNode model = root.putObject("model");
        model.put("type", "Unigram");
        model.put("unk_id", 2);
        model.put("byte_fallback", false);
        ArrayNode vocab = model.putArray("vocab");
        Object[][] pieces = {{"<pad>", 0.0}, {"</s>", 0.0}, {"<unk>", 0.0}, {"▁", -3.0}, {"▁new", -2.0},
            {"▁ne", -3.0}, {"w", -3.0}, {"▁york", -2.5}, {"▁yo", -3.0}, {"rk", -3.5}, {"y", -4.0}, {"o", -4.0},
            {"r", -4.0}, {"k", -4.0}, {"n", -4.0}, {"e", -4.0}};
        for (Object[] p : pieces) {
            vocab.addArray().add((String) p[0]).add((Double) p[1]);
        }
        return root;
    }

    public static byte[] bytes(ObjectNode tokenizer) {
        try {
            return JSON.writeValueAsBytes(tokenizer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path write(ObjectNode tokenizer, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, bytes(tokenizer));
        return file;
    }

    private static ObjectNode root() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        return root;
    }

    private static ObjectNode added(int id, String content) {
        ObjectNode t = JSON.createObjectNode();
        t.put("id", id);
        t.put("content", content);
        t.put("single_word", false);
        t.put("lstrip", false);
        t.put("rstrip", false);
        t.put("normalized", false);
        t.put("special", true);
        return t;
    }

    /** TemplateProcessing from "piece:type" lists, e.g. "[CLS]:0 $A:0 [SEP]:0". */
    private static ObjectNode template(String single, String pair) {
        ObjectNode post = JSON.createObjectNode();
        post.put("type", "TemplateProcessing");
        post.set("single", pieces(single));
        post.set("pair", pieces(pair));
        return post;
    }

    private static ArrayNode pieces(String spec) {
        ArrayNode out = JSON.createArrayNode();
        for (String piece : spec.split(" ")) {
            String[] p = piece.split(":");
            int type = Integer.parseInt(p[1]);
            if (p[0].startsWith("$")) {
                out.addObject().putObject("Sequence").put("id", p[0].substring(1)).put("type_id", type);
            } else {
                out.addObject().putObject("SpecialToken").put("id", p[0]).put("type_id", type);
            }
        }
        return out;
    }

    private static void specialToken(ObjectNode specialTokens, String token, int id) {
        ObjectNode t = specialTokens.putObject(token);
        t.put("id", token);
        t.putArray("ids").add(id);
        t.putArray("tokens").add(token);
    }
}
