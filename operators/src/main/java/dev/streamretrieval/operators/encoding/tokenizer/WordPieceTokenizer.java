package dev.streamretrieval.operators.encoding.tokenizer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure-Java re-implementation of the Hugging Face {@code tokenizers} (0.21) pipeline for
 * BERT-family {@code tokenizer.json} files, so that no native tokenizer library is needed at run
 * time. Outputs are id-for-id identical to the reference implementation (verified against DJL's
 * binding of the Rust crate in {@code WordPieceTokenizerTest}).
 *
 * <h2>Supported components</h2>
 *
 * <ul>
 *   <li>normalizer: {@code BertNormalizer} ({@code clean_text}, {@code handle_chinese_chars},
 *       {@code strip_accents} (null = follow {@code lowercase}), {@code lowercase}) or none;
 *   <li>pre_tokenizer: {@code BertPreTokenizer} (split on whitespace, isolate punctuation) or none;
 *   <li>model: {@code WordPiece} ({@code unk_token}, {@code continuing_subword_prefix},
 *       {@code max_input_chars_per_word}, greedy longest-match-first);
 *   <li>post_processor: {@code TemplateProcessing}, {@code BertProcessing} or none;
 *   <li>added_tokens: matched (leftmost-longest) on the raw text ({@code normalized: false}) or on
 *       the normalized text ({@code normalized: true}), honouring {@code single_word},
 *       {@code lstrip} and {@code rstrip}.
 * </ul>
 *
 * Any other normalizer / pre-tokenizer / model / post-processor type is rejected at load time with
 * an {@link IllegalArgumentException} naming it. The file's {@code truncation}, {@code padding} and
 * {@code decoder} entries are ignored (except {@code padding.pad_token}, which names {@link
 * #padId()}): the maximum length is an argument of each call and padding is done by the caller.
 *
 * <p>Character classes (control, punctuation, non-spacing marks) follow the Rust crate's own,
 * older Unicode tables rather than Java's, see {@code HfUnicode}; every code point has been
 * checked against the reference.
 *
 * <p>Instances are immutable and thread-safe; build one per JVM (loading parses the whole
 * vocabulary). The class is deliberately not {@link java.io.Serializable}.
 */
public final class WordPieceTokenizer {

    // ---- normalizer ----
    private final boolean cleanText;
    private final boolean handleChineseChars;
    private final boolean stripAccents;
    private final boolean lowercase;

    // ---- pre-tokenizer ----
    private final boolean bertPreTokenizer;

    // ---- model ----
    private final Map<String, Integer> modelVocab;
    private final String unkToken;
    private final int modelUnkId;
    private final String continuingSubwordPrefix;
    private final int maxInputCharsPerWord;

    // ---- added tokens ----
    private final AddedTokenMatcher rawAddedTokens;
    private final AddedTokenMatcher normalizedAddedTokens;

    // ---- full vocabulary (model + added tokens) ----
    private final Map<String, Integer> allTokens;
    private final String[] idToToken;

    // ---- post-processor ----
    private final Template singleTemplate;
    private final Template pairTemplate;

    // ---- well-known special tokens (-1 when absent) ----
    private final int clsId;
    private final int sepId;
    private final int padId;
    private final int maskId;

    private WordPieceTokenizer(Map<String, Object> root) {
        // ---------------- model ----------------
        Map<String, Object> model = objectOrNull(root.get("model"), "model");
        if (model == null) {
            throw new IllegalArgumentException("tokenizer.json has no model");
        }
        String modelType = stringOrNull(model.get("type"));
        if (!"WordPiece".equals(modelType)) {
            throw new IllegalArgumentException("Unsupported model type: " + modelType
                    + " (only WordPiece is implemented)");
        }
        Map<String, Object> vocabJson = objectOrNull(model.get("vocab"), "model.vocab");
        if (vocabJson == null || vocabJson.isEmpty()) {
            throw new IllegalArgumentException("WordPiece model has no vocab");
        }
        modelVocab = new HashMap<>(vocabJson.size() * 2);
        for (Map.Entry<String, Object> e : vocabJson.entrySet()) {
            modelVocab.put(e.getKey(), toInt(e.getValue(), "model.vocab[" + e.getKey() + "]"));
        }
        unkToken = model.containsKey("unk_token") ? stringOrNull(model.get("unk_token")) : "[UNK]";
        Integer unk = unkToken == null ? null : modelVocab.get(unkToken);
        if (unk == null) {
            throw new IllegalArgumentException("WordPiece unk_token " + unkToken + " is not in the vocabulary");
        }
        modelUnkId = unk;
        String prefix = stringOrNull(model.get("continuing_subword_prefix"));
        continuingSubwordPrefix = prefix == null ? "##" : prefix;
        Object maxChars = model.get("max_input_chars_per_word");
        maxInputCharsPerWord = maxChars == null ? 100 : toInt(maxChars, "max_input_chars_per_word");

        // ---------------- normalizer ----------------
        Map<String, Object> normalizer = objectOrNull(root.get("normalizer"), "normalizer");
        if (normalizer == null) {
            cleanText = false;
            handleChineseChars = false;
            stripAccents = false;
            lowercase = false;
        } else {
            String type = stringOrNull(normalizer.get("type"));
            if (!"BertNormalizer".equals(type)) {
                throw new IllegalArgumentException("Unsupported normalizer type: " + type
                        + " (only BertNormalizer is implemented)");
            }
            cleanText = bool(normalizer, "clean_text", true);
            handleChineseChars = bool(normalizer, "handle_chinese_chars", true);
            lowercase = bool(normalizer, "lowercase", true);
            Object sa = normalizer.get("strip_accents");
            stripAccents = sa == null ? lowercase : toBool(sa, "normalizer.strip_accents");
        }

        // ---------------- pre-tokenizer ----------------
        Map<String, Object> preTokenizer = objectOrNull(root.get("pre_tokenizer"), "pre_tokenizer");
        if (preTokenizer == null) {
            bertPreTokenizer = false;
        } else {
            String type = stringOrNull(preTokenizer.get("type"));
            if (!"BertPreTokenizer".equals(type)) {
                throw new IllegalArgumentException("Unsupported pre_tokenizer type: " + type
                        + " (only BertPreTokenizer is implemented)");
            }
            bertPreTokenizer = true;
        }

        // ---------------- added tokens ----------------
        allTokens = new HashMap<>(modelVocab);
        List<AddedToken> raw = new ArrayList<>();
        List<AddedToken> norm = new ArrayList<>();
        Object added = root.get("added_tokens");
        if (added != null) {
            if (!(added instanceof List)) {
                throw new IllegalArgumentException("added_tokens must be an array");
            }
            for (Object o : (List<?>) added) {
                Map<String, Object> t = objectOrNull(o, "added_tokens[]");
                String content = stringOrNull(t.get("content"));
                if (content == null || content.isEmpty()) {
                    continue; // HF ignores empty added tokens
                }
                int id = toInt(t.get("id"), "added_tokens[].id");
                boolean special = bool(t, "special", false);
                // HF default: special tokens are not normalized, others are
                boolean normalized = bool(t, "normalized", !special);
                // HF re-uses the model's id when the content is already in the vocabulary
                Integer inVocab = modelVocab.get(content);
                if (inVocab != null) {
                    id = inVocab;
                }
                // normalized tokens are matched, in their normalized form, against normalized text
                String pattern = normalized ? normalize(content) : content;
                AddedToken at = new AddedToken(content, pattern, id,
                        bool(t, "single_word", false), bool(t, "lstrip", false), bool(t, "rstrip", false));
                (normalized ? norm : raw).add(at);
                allTokens.put(content, id);
            }
        }
        rawAddedTokens = new AddedTokenMatcher(raw);
        normalizedAddedTokens = new AddedTokenMatcher(norm);

        int maxId = -1;
        for (int id : allTokens.values()) {
            if (id < 0) {
                throw new IllegalArgumentException("negative token id " + id);
            }
            maxId = Math.max(maxId, id);
        }
        idToToken = new String[maxId + 1];
        // model vocab first, added tokens override (HF: added vocabulary is consulted first)
        for (Map.Entry<String, Integer> e : modelVocab.entrySet()) {
            idToToken[e.getValue()] = e.getKey();
        }
        for (AddedToken t : raw) {
            idToToken[t.id] = t.content;
        }
        for (AddedToken t : norm) {
            idToToken[t.id] = t.content;
        }

        // ---------------- post-processor ----------------
        Map<String, Object> post = objectOrNull(root.get("post_processor"), "post_processor");
        String cls = "[CLS]";
        String sep = "[SEP]";
        if (post == null) {
            singleTemplate = new Template(new Piece[] {Piece.sequence(0, 0)});
            pairTemplate = new Template(new Piece[] {Piece.sequence(0, 0), Piece.sequence(1, 1)});
        } else {
            String type = stringOrNull(post.get("type"));
            if ("TemplateProcessing".equals(type)) {
                Map<String, Object> specials = objectOrNull(post.get("special_tokens"), "special_tokens");
                singleTemplate = parseTemplate(post.get("single"), specials, "single");
                pairTemplate = parseTemplate(post.get("pair"), specials, "pair");
            } else if ("BertProcessing".equals(type)) {
                List<?> clsPair = listOrThrow(post.get("cls"), "BertProcessing.cls");
                List<?> sepPair = listOrThrow(post.get("sep"), "BertProcessing.sep");
                cls = stringOrNull(clsPair.get(0));
                sep = stringOrNull(sepPair.get(0));
                int clsTokId = toInt(clsPair.get(1), "BertProcessing.cls");
                int sepTokId = toInt(sepPair.get(1), "BertProcessing.sep");
                Piece c = Piece.special(new int[] {clsTokId}, new String[] {cls}, 0);
                Piece s0 = Piece.special(new int[] {sepTokId}, new String[] {sep}, 0);
                Piece s1 = Piece.special(new int[] {sepTokId}, new String[] {sep}, 1);
                singleTemplate = new Template(new Piece[] {c, Piece.sequence(0, 0), s0});
                pairTemplate = new Template(new Piece[] {c, Piece.sequence(0, 0), s0, Piece.sequence(1, 1), s1});
            } else {
                throw new IllegalArgumentException("Unsupported post_processor type: " + type
                        + " (only TemplateProcessing and BertProcessing are implemented)");
            }
        }
        clsId = allTokens.getOrDefault(cls, -1);
        sepId = allTokens.getOrDefault(sep, -1);
        String padToken = "[PAD]";
        Map<String, Object> padding = objectOrNull(root.get("padding"), "padding");
        if (padding != null && padding.get("pad_token") instanceof String) {
            padToken = (String) padding.get("pad_token");
        }
        padId = allTokens.getOrDefault(padToken, -1);
        maskId = allTokens.getOrDefault("[MASK]", -1);
    }

    // =====================================================================================
    // Loading
    // =====================================================================================

    /**
     * Parses a Hugging Face {@code tokenizer.json}; the stream is read fully but not closed.
     *
     * @throws IllegalArgumentException for malformed JSON or unsupported components
     * @throws UncheckedIOException if the stream cannot be read
     */
    public static WordPieceTokenizer load(InputStream tokenizerJson) {
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream(1 << 20);
            tokenizerJson.transferTo(bos);
            return fromJson(bos.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read tokenizer.json", e);
        }
    }

    /**
     * Parses a Hugging Face {@code tokenizer.json} file.
     *
     * @throws IllegalArgumentException for malformed JSON or unsupported components
     * @throws UncheckedIOException if the file cannot be read
     */
    public static WordPieceTokenizer load(Path tokenizerJson) {
        try {
            return fromJson(Files.readString(tokenizerJson, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + tokenizerJson, e);
        }
    }

    private static WordPieceTokenizer fromJson(String json) {
        Object root = Json.parse(json);
        if (!(root instanceof Map)) {
            throw new IllegalArgumentException("tokenizer.json root must be an object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) root;
        return new WordPieceTokenizer(m);
    }

    // =====================================================================================
    // Public API
    // =====================================================================================

    /**
     * Encodes one text with the post-processor's special tokens ({@code [CLS] text [SEP]} for BERT
     * models). When the result would exceed {@code maxLength} tokens (special tokens included),
     * the wordpieces of the text are cut at the end (the start is kept), exactly like Hugging Face
     * truncation with {@code max_length=maxLength}, direction right, stride 0.
     *
     * @throws IllegalArgumentException if {@code maxLength} is smaller than the number of special
     *     tokens the template adds (2 for BERT)
     */
    public TokenizedText encode(String text, int maxLength) {
        int budget = maxLength - singleTemplate.specialCount;
        if (budget < 0) {
            throw new IllegalArgumentException("maxLength " + maxLength + " is smaller than the "
                    + singleTemplate.specialCount + " special tokens");
        }
        Pieces a = encodeSequence(text);
        a.truncate(budget);
        return singleTemplate.apply(a, null, true);
    }

    /**
     * Encodes a text pair with the post-processor's pair template ({@code [CLS] first [SEP] second
     * [SEP]} for BERT models); token type ids are 0 for the first segment (including {@code [CLS]}
     * and the first {@code [SEP]}) and 1 for the second segment and its {@code [SEP]}.
     *
     * <p><b>Truncation strategy</b> ("second first, then Hugging Face longest_first"). Let {@code
     * budget = maxLength - specialTokens} (3 special tokens for BERT), {@code n1}, {@code n2} the
     * wordpiece counts of the two texts and {@code excess = n1 + n2 - budget}. All cuts keep the
     * start of a text (direction right, stride 0).
     *
     * <ol>
     *   <li>{@code excess <= 0}: nothing is cut.
     *   <li>{@code n2 > excess}: only the second text is cut, to {@code n2 - excess} tokens (at
     *       least one token of it survives). This is exactly Hugging Face {@code
     *       truncation="only_second"}.
     *   <li>otherwise, i.e. the first text alone already fills the budget ({@code n1 >= budget};
     *       Hugging Face {@code only_second} raises "Sequence to truncate too short to respect the
     *       provided max_length" here), Hugging Face {@code truncation="longest_first"} (tokenizers
     *       0.21) is applied, which gives:
     *       <ul>
     *         <li>if {@code 2 * n2 <= budget}: the second text is kept whole and the first is cut
     *             to {@code budget - n2};
     *         <li>else both are cut to half the budget: the longer text gets {@code ceil(budget /
     *             2)} tokens, the shorter {@code floor(budget / 2)}; when they are equally long the
     *             second text gets the ceiling.
     *       </ul>
     * </ol>
     *
     * The test suite checks this against DJL/Hugging Face configured with {@code only_second} and,
     * exactly where that raises the "too short" error, with {@code longest_first}, both with {@code
     * max_length = maxLength}.
     *
     * @throws IllegalArgumentException if {@code maxLength} is smaller than the number of special
     *     tokens of the pair template (3 for BERT)
     */
    public TokenizedText encodePair(String first, String second, int maxLength) {
        int budget = maxLength - pairTemplate.specialCount;
        if (budget < 0) {
            throw new IllegalArgumentException("maxLength " + maxLength + " is smaller than the "
                    + pairTemplate.specialCount + " special tokens of a pair");
        }
        Pieces a = encodeSequence(first);
        Pieces b = encodeSequence(second);
        int n1 = a.size;
        int n2 = b.size;
        if (n1 + n2 > budget) {
            int excess = n1 + n2 - budget;
            if (n2 > excess) {
                b.truncate(n2 - excess);
            } else {
                longestFirst(a, b, budget);
            }
        }
        return pairTemplate.apply(a, b, true);
    }

    /** Hugging Face {@code TruncationStrategy::LongestFirst} for a pair (tokenizers 0.21). */
    private static void longestFirst(Pieces a, Pieces b, int maxLength) {
        if (maxLength == 0) {
            a.truncate(0);
            b.truncate(0);
            return;
        }
        int n1 = a.size;
        int n2 = b.size;
        boolean swap = false;
        if (n1 > n2) {
            swap = true;
            int t = n1;
            n1 = n2;
            n2 = t;
        }
        if (n1 > maxLength) {
            n2 = n1;
        } else {
            n2 = Math.max(n1, maxLength - n1);
        }
        if (n1 + n2 > maxLength) {
            n1 = maxLength / 2;
            n2 = n1 + maxLength % 2;
        }
        if (swap) {
            int t = n1;
            n1 = n2;
            n2 = t;
        }
        a.truncate(n1);
        b.truncate(n2);
    }

    /**
     * Wordpieces of {@code text} only: no special tokens and no truncation (type ids are those of
     * the single-sequence template, i.e. all 0 for BERT). Added/special tokens written literally
     * in the text (e.g. {@code "[MASK]"}) are still recognised, as in Hugging Face.
     */
    public TokenizedText encodeWithoutSpecials(String text) {
        return singleTemplate.apply(encodeSequence(text), null, false);
    }

    /** Id of {@code token} (model vocabulary or added token). */
    public int tokenId(String token) {
        Integer id = allTokens.get(token);
        if (id == null) {
            throw new IllegalArgumentException("Token not in vocabulary: " + token);
        }
        return id;
    }

    public boolean hasToken(String token) {
        return allTokens.containsKey(token);
    }

    /** Token string of {@code id}. */
    public String token(int id) {
        if (id < 0 || id >= idToToken.length || idToToken[id] == null) {
            throw new IllegalArgumentException("No token with id " + id);
        }
        return idToToken[id];
    }

    /**
     * Number of distinct tokens (model vocabulary plus added tokens not already in it), as Hugging
     * Face {@code get_vocab_size(with_added_tokens=true)}.
     */
    public int vocabularySize() {
        return allTokens.size();
    }

    public int clsId() {
        return require(clsId, "[CLS]");
    }

    public int sepId() {
        return require(sepId, "[SEP]");
    }

    public int padId() {
        return require(padId, "[PAD]");
    }

    public int maskId() {
        return require(maskId, "[MASK]");
    }

    public int unkId() {
        return modelUnkId;
    }

    private static int require(int id, String name) {
        if (id < 0) {
            throw new IllegalArgumentException("Tokenizer has no " + name + " token");
        }
        return id;
    }

    // =====================================================================================
    // Pipeline: added tokens -> normalizer -> pre-tokenizer -> WordPiece
    // =====================================================================================

    private Pieces encodeSequence(String text) {
        if (text == null) {
            throw new NullPointerException("text");
        }
        Pieces out = new Pieces();
        splitAddedTokens(text, rawAddedTokens, out, true);
        return out;
    }

    /**
     * Splits {@code s} on the given added tokens (leftmost-longest, non-overlapping, like the
     * Aho-Corasick matcher in HF). Matched parts become tokens; the rest is either normalized and
     * split again on the normalized added tokens ({@code rawStage}) or pre-tokenized and modelled.
     */
    private void splitAddedTokens(String s, AddedTokenMatcher tokens, Pieces out, boolean rawStage) {
        int segStart = 0; // start of the not-yet-emitted text
        int pos = 0;
        int n = s.length();
        if (!tokens.isEmpty()) {
            while (pos < n) {
                AddedToken best = tokens.longestAt(s, pos);
                if (best == null) {
                    pos++;
                    continue;
                }
                int start = pos;
                int stop = pos + best.pattern.length();
                pos = stop; // the matcher continues after the match, even if it is discarded
                if (best.singleWord) {
                    boolean startSpace = start == 0 || !HfUnicode.isWordChar(s.codePointBefore(start));
                    boolean stopSpace = stop == n || !HfUnicode.isWordChar(s.codePointAt(stop));
                    if (!startSpace || !stopSpace) {
                        continue;
                    }
                }
                if (best.lstrip) {
                    int newStart = start;
                    while (newStart > 0 && HfUnicode.isWhitespace(s.codePointBefore(newStart))) {
                        newStart -= Character.charCount(s.codePointBefore(newStart));
                    }
                    start = Math.max(newStart, segStart);
                }
                if (best.rstrip) {
                    while (stop < n && HfUnicode.isWhitespace(s.codePointAt(stop))) {
                        stop += Character.charCount(s.codePointAt(stop));
                    }
                    pos = stop;
                }
                if (segStart < start) {
                    emitText(s.substring(segStart, start), out, rawStage);
                }
                out.add(best.id, s.substring(start, stop));
                segStart = stop;
            }
        }
        if (segStart < n) {
            emitText(s.substring(segStart), out, rawStage);
        }
    }

    private void emitText(String segment, Pieces out, boolean rawStage) {
        if (rawStage) {
            String normalized = normalize(segment);
            splitAddedTokens(normalized, normalizedAddedTokens, out, false);
        } else {
            preTokenizeAndModel(segment, out);
        }
    }

    /** BertNormalizer: clean text, pad CJK ideographs, strip accents (NFD, drop Mn), lowercase. */
    String normalize(String s) {
        if (!cleanText && !handleChineseChars && !stripAccents && !lowercase) {
            return s;
        }
        boolean ascii = true;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                ascii = false;
                break;
            }
        }
        StringBuilder sb = new StringBuilder(s.length() + 8);
        if (ascii) {
            // fast path: only ASCII controls/whitespace/case matter
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (cleanText) {
                    if (c == 0 || HfUnicode.isBertControl(c)) {
                        continue;
                    }
                    if (HfUnicode.isBertWhitespace(c)) {
                        c = ' ';
                    }
                }
                if (lowercase && c >= 'A' && c <= 'Z') {
                    c = (char) (c + ('a' - 'A'));
                }
                sb.append(c);
            }
            return sb.toString();
        }
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (cleanText) {
                if (c == 0 || c == 0xFFFD || HfUnicode.isBertControl(c)) {
                    continue;
                }
                if (HfUnicode.isBertWhitespace(c)) {
                    c = ' ';
                }
            }
            if (handleChineseChars && HfUnicode.isChinese(c)) {
                sb.append(' ').appendCodePoint(c).append(' ');
            } else {
                sb.appendCodePoint(c);
            }
        }
        String r = sb.toString();
        if (stripAccents) {
            String nfd = Normalizer.normalize(r, Normalizer.Form.NFD);
            sb.setLength(0);
            for (int i = 0; i < nfd.length(); ) {
                int c = nfd.codePointAt(i);
                i += Character.charCount(c);
                if (!HfUnicode.isNonspacingMark(c)) {
                    sb.appendCodePoint(c);
                }
            }
            r = sb.toString();
        }
        if (lowercase) {
            sb.setLength(0);
            for (int i = 0; i < r.length(); ) {
                int c = r.codePointAt(i);
                int len = Character.charCount(c);
                if (c < 0x80) {
                    sb.append((char) (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c));
                } else if (c == 0x130) {
                    // the only unconditional multi-char lowercase mapping (SpecialCasing.txt);
                    // Rust char::to_lowercase applies it, Character.toLowerCase(int) does not
                    sb.append("i\u0307");
                } else {
                    sb.appendCodePoint(Character.toLowerCase(c));
                }
                i += len;
            }
            r = sb.toString();
        }
        return r;
    }

    private void preTokenizeAndModel(String s, Pieces out) {
        if (s.isEmpty()) {
            return;
        }
        if (!bertPreTokenizer) {
            wordPiece(s, out);
            return;
        }
        int wordStart = -1;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            int len = Character.charCount(c);
            if (HfUnicode.isWhitespace(c)) {
                if (wordStart >= 0) {
                    wordPiece(s.substring(wordStart, i), out);
                    wordStart = -1;
                }
            } else if (HfUnicode.isBertPunctuation(c)) {
                if (wordStart >= 0) {
                    wordPiece(s.substring(wordStart, i), out);
                    wordStart = -1;
                }
                wordPiece(s.substring(i, i + len), out);
            } else if (wordStart < 0) {
                wordStart = i;
            }
            i += len;
        }
        if (wordStart >= 0) {
            wordPiece(s.substring(wordStart), out);
        }
    }

    /** WordPiece model: greedy longest-match-first; the whole word becomes unk if any part fails. */
    private void wordPiece(String word, Pieces out) {
        if (word.codePointCount(0, word.length()) > maxInputCharsPerWord) {
            out.add(modelUnkId, unkToken);
            return;
        }
        int mark = out.size;
        int start = 0;
        int n = word.length();
        while (start < n) {
            int end = n;
            Integer id = null;
            String sub = null;
            while (start < end) {
                sub = start > 0 ? continuingSubwordPrefix + word.substring(start, end) : word.substring(start, end);
                id = modelVocab.get(sub);
                if (id != null) {
                    break;
                }
                end = word.offsetByCodePoints(end, -1);
            }
            if (id == null) {
                out.size = mark;
                out.add(modelUnkId, unkToken);
                return;
            }
            out.add(id, sub);
            start = end;
        }
    }

    // =====================================================================================
    // Helpers
    // =====================================================================================

    private static final class AddedToken {
        final String content;
        /** What is searched for: {@code content}, normalized for {@code normalized: true} tokens. */
        final String pattern;
        final int id;
        final boolean singleWord;
        final boolean lstrip;
        final boolean rstrip;

        AddedToken(String content, String pattern, int id, boolean singleWord, boolean lstrip, boolean rstrip) {
            this.content = content;
            this.pattern = pattern;
            this.id = id;
            this.singleWord = singleWord;
            this.lstrip = lstrip;
            this.rstrip = rstrip;
        }
    }

    /** Leftmost-longest lookup of added tokens, indexed by first UTF-16 unit. */
    private static final class AddedTokenMatcher {
        private final Map<Character, AddedToken[]> byFirstChar = new HashMap<>();

        AddedTokenMatcher(List<AddedToken> tokens) {
            Map<Character, List<AddedToken>> tmp = new HashMap<>();
            for (AddedToken t : tokens) {
                if (!t.pattern.isEmpty()) {
                    tmp.computeIfAbsent(t.pattern.charAt(0), k -> new ArrayList<>()).add(t);
                }
            }
            for (Map.Entry<Character, List<AddedToken>> e : tmp.entrySet()) {
                List<AddedToken> l = e.getValue();
                // longest first; stable, so among equal patterns the first declared wins
                l.sort((x, y) -> Integer.compare(y.pattern.length(), x.pattern.length()));
                byFirstChar.put(e.getKey(), l.toArray(new AddedToken[0]));
            }
        }

        boolean isEmpty() {
            return byFirstChar.isEmpty();
        }

        AddedToken longestAt(String s, int pos) {
            AddedToken[] candidates = byFirstChar.get(s.charAt(pos));
            if (candidates != null) {
                for (AddedToken t : candidates) {
                    if (s.startsWith(t.pattern, pos)) {
                        return t;
                    }
                }
            }
            return null;
        }
    }

    /** Growable (id, token) list. */
    private static final class Pieces {
        int[] ids = new int[32];
        String[] tokens = new String[32];
        int size;

        void add(int id, String token) {
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, size * 2);
                tokens = Arrays.copyOf(tokens, size * 2);
            }
            ids[size] = id;
            tokens[size] = token;
            size++;
        }

        void truncate(int n) {
            if (n < size) {
                size = Math.max(0, n);
            }
        }
    }

    /** A template piece: either a special token (one or more ids) or sequence A (0) / B (1). */
    private static final class Piece {
        final int sequence; // -1 for special tokens
        final int[] specialIds;
        final String[] specialTokens;
        final int typeId;

        private Piece(int sequence, int[] specialIds, String[] specialTokens, int typeId) {
            this.sequence = sequence;
            this.specialIds = specialIds;
            this.specialTokens = specialTokens;
            this.typeId = typeId;
        }

        static Piece sequence(int which, int typeId) {
            return new Piece(which, null, null, typeId);
        }

        static Piece special(int[] ids, String[] tokens, int typeId) {
            return new Piece(-1, ids, tokens, typeId);
        }
    }

    private static final class Template {
        final Piece[] pieces;
        final int specialCount;

        Template(Piece[] pieces) {
            this.pieces = pieces;
            int c = 0;
            for (Piece p : pieces) {
                if (p.sequence < 0) {
                    c += p.specialIds.length;
                }
            }
            this.specialCount = c;
        }

        TokenizedText apply(Pieces a, Pieces b, boolean addSpecials) {
            int len = 0;
            for (Piece p : pieces) {
                if (p.sequence < 0) {
                    len += addSpecials ? p.specialIds.length : 0;
                } else {
                    Pieces seq = p.sequence == 0 ? a : b;
                    len += seq == null ? 0 : seq.size;
                }
            }
            long[] ids = new long[len];
            long[] types = new long[len];
            String[] toks = new String[len];
            int k = 0;
            for (Piece p : pieces) {
                if (p.sequence < 0) {
                    if (!addSpecials) {
                        continue;
                    }
                    for (int i = 0; i < p.specialIds.length; i++, k++) {
                        ids[k] = p.specialIds[i];
                        types[k] = p.typeId;
                        toks[k] = p.specialTokens[i];
                    }
                } else {
                    Pieces seq = p.sequence == 0 ? a : b;
                    if (seq == null) {
                        continue;
                    }
                    for (int i = 0; i < seq.size; i++, k++) {
                        ids[k] = seq.ids[i];
                        types[k] = p.typeId;
                        toks[k] = seq.tokens[i];
                    }
                }
            }
            return new TokenizedText(ids, types, toks);
        }
    }

    private static Template parseTemplate(Object json, Map<String, Object> specials, String what) {
        List<?> items = listOrThrow(json, "TemplateProcessing." + what);
        List<Piece> pieces = new ArrayList<>();
        for (Object item : items) {
            Map<String, Object> m = objectOrNull(item, "TemplateProcessing." + what + "[]");
            if (m != null && m.containsKey("SpecialToken")) {
                Map<String, Object> st = objectOrNull(m.get("SpecialToken"), "SpecialToken");
                String name = stringOrNull(st.get("id"));
                int typeId = toInt(st.get("type_id"), "SpecialToken.type_id");
                Map<String, Object> def = specials == null ? null : objectOrNull(specials.get(name), "special_tokens");
                if (def == null) {
                    throw new IllegalArgumentException("TemplateProcessing: special token " + name
                            + " is not defined in special_tokens");
                }
                List<?> ids = listOrThrow(def.get("ids"), "special_tokens.ids");
                List<?> toks = listOrThrow(def.get("tokens"), "special_tokens.tokens");
                if (ids.size() != toks.size()) {
                    throw new IllegalArgumentException("TemplateProcessing: ids/tokens mismatch for " + name);
                }
                int[] idArr = new int[ids.size()];
                String[] tokArr = new String[ids.size()];
                for (int i = 0; i < idArr.length; i++) {
                    idArr[i] = toInt(ids.get(i), "special_tokens.ids[]");
                    tokArr[i] = stringOrNull(toks.get(i));
                }
                pieces.add(Piece.special(idArr, tokArr, typeId));
            } else if (m != null && m.containsKey("Sequence")) {
                Map<String, Object> sq = objectOrNull(m.get("Sequence"), "Sequence");
                String id = stringOrNull(sq.get("id"));
                int which;
                if ("A".equals(id)) {
                    which = 0;
                } else if ("B".equals(id)) {
                    which = 1;
                } else {
                    throw new IllegalArgumentException("TemplateProcessing: unknown sequence id " + id);
                }
                pieces.add(Piece.sequence(which, toInt(sq.get("type_id"), "Sequence.type_id")));
            } else {
                throw new IllegalArgumentException("TemplateProcessing: unsupported template piece " + item);
            }
        }
        return new Template(pieces.toArray(new Piece[0]));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> objectOrNull(Object o, String what) {
        if (o == null) {
            return null;
        }
        if (!(o instanceof Map)) {
            throw new IllegalArgumentException(what + " must be a JSON object");
        }
        return (Map<String, Object>) o;
    }

    private static List<?> listOrThrow(Object o, String what) {
        if (!(o instanceof List)) {
            throw new IllegalArgumentException(what + " must be a JSON array");
        }
        return (List<?>) o;
    }

    private static String stringOrNull(Object o) {
        return o instanceof String ? (String) o : null;
    }

    private static int toInt(Object o, String what) {
        if (o instanceof Long) {
            long v = (Long) o;
            if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                return (int) v;
            }
        }
        throw new IllegalArgumentException(what + " must be an integer, got " + o);
    }

    private static boolean toBool(Object o, String what) {
        if (o instanceof Boolean) {
            return (Boolean) o;
        }
        throw new IllegalArgumentException(what + " must be a boolean, got " + o);
    }

    private static boolean bool(Map<String, Object> m, String key, boolean dflt) {
        Object o = m.get(key);
        return o == null ? dflt : toBool(o, key);
    }
}
