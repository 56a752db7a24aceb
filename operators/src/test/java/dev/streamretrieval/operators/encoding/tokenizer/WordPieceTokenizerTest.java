package dev.streamretrieval.operators.encoding.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compares {@link WordPieceTokenizer} with the reference Hugging Face tokenizer (Rust, through
 * DJL's JNI binding), loading the same {@code tokenizer.json}: ids, type ids, tokens and lengths
 * must be identical.
 */
class WordPieceTokenizerTest {
    static final String MINILM = "all-minilm-l6-v2-q-tokenizer.json";
    static final String BGE = "bge-small-en-v1.5-q-tokenizer.json";
    static final int[] SINGLE_MAX_LENGTHS = {16, 128, 512};
    static final int[] PAIR_MAX_LENGTHS = {16, 48, 128, 512};

    private static final Map<String, Fixture> FIXTURES = new HashMap<>();

    @AfterAll
    static void closeAll() {
        FIXTURES.values().forEach(Fixture::close);
        FIXTURES.clear();
    }

    // =====================================================================================
    // Fixtures
    // =====================================================================================

    /** One tokenizer.json: our implementation plus lazily built DJL references. */
    static final class Fixture {
        final String name;
        final String json;
        final Path path;
        final WordPieceTokenizer mine;
        private final Map<String, HuggingFaceTokenizer> djl = new HashMap<>();

        Fixture(String name, String json) throws IOException {
            this.name = name;
            this.json = json;
            this.path = Files.createTempFile("tokenizer-", ".json");
            this.path.toFile().deleteOnExit();
            Files.writeString(path, json, StandardCharsets.UTF_8);
            this.mine = WordPieceTokenizer.load(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
        }

        private HuggingFaceTokenizer ref(String key, Function<HuggingFaceTokenizer.Builder, HuggingFaceTokenizer.Builder> cfg) {
            return djl.computeIfAbsent(key, k -> {
                try {
                    return cfg.apply(HuggingFaceTokenizer.builder().optTokenizerPath(path).optPadding(false)).build();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
        }

        /** add special tokens, truncate to maxLength (single sequence: plain right truncation). */
        HuggingFaceTokenizer single(int maxLength) {
            return ref("single" + maxLength, b -> b.optAddSpecialTokens(true).optTruncation(true).optMaxLength(maxLength));
        }

        HuggingFaceTokenizer noSpecials() {
            return ref("nospecials", b -> b.optAddSpecialTokens(false).optTruncation(false));
        }

        /** HF truncation strategy only_second. */
        HuggingFaceTokenizer onlySecond(int maxLength) {
            return ref("onlysecond" + maxLength, b -> b.optAddSpecialTokens(true).optTruncateSecondOnly().optMaxLength(maxLength));
        }

        /** HF truncation strategy longest_first. */
        HuggingFaceTokenizer longestFirst(int maxLength) {
            return ref("longestfirst" + maxLength, b -> b.optAddSpecialTokens(true).optTruncation(true).optMaxLength(maxLength));
        }

        void close() {
            djl.values().forEach(HuggingFaceTokenizer::close);
            djl.clear();
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // temp file
            }
        }
    }

    static synchronized Fixture fixture(String resource) {
        return FIXTURES.computeIfAbsent(resource, r -> {
            try {
                return new Fixture(r, resourceText(r));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    static synchronized Fixture variant(String key, String json) {
        return FIXTURES.computeIfAbsent(key, k -> {
            try {
                return new Fixture(k, json);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    static String resourceText(String resource) throws IOException {
        try (InputStream in = WordPieceTokenizerTest.class.getResourceAsStream("/" + resource)) {
            assertThat(in).as("classpath resource " + resource).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    // =====================================================================================
    // Comparison helpers
    // =====================================================================================

    /** Collects mismatches instead of failing on the first one, for a readable report. */
    static final class Mismatches {
        final List<String> list = new ArrayList<>();
        int compared;

        void check(String what, TokenizedText mine, Encoding ref) {
            compared++;
            boolean ok = Arrays.equals(mine.ids, ref.getIds())
                    && Arrays.equals(mine.typeIds, ref.getTypeIds())
                    && Arrays.equals(mine.tokens, ref.getTokens())
                    && Arrays.equals(mine.attentionMask, ref.getAttentionMask())
                    && mine.length() == ref.getIds().length;
            for (long m : mine.attentionMask) {
                ok &= m == 1L;
            }
            if (!ok && list.size() < 25) {
                list.add(what + "\n   mine=" + Arrays.toString(mine.tokens) + " ids=" + Arrays.toString(mine.ids)
                        + " types=" + Arrays.toString(mine.typeIds)
                        + "\n   ref =" + Arrays.toString(ref.getTokens()) + " ids=" + Arrays.toString(ref.getIds())
                        + " types=" + Arrays.toString(ref.getTypeIds()));
            } else if (!ok) {
                list.add(what);
            }
        }

        void assertNone() {
            assertThat(list).as(list.size() + " of " + compared + " comparisons differ:\n"
                    + String.join("\n", list.subList(0, Math.min(25, list.size())))).isEmpty();
        }
    }

    static String show(String s) {
        StringBuilder sb = new StringBuilder("\"");
        int shown = 0;
        for (int i = 0; i < s.length() && shown < 80; ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            shown++;
            if (c < 0x20 || (c >= 0x7F && c < 0xA0) || Character.getType(c) == Character.FORMAT) {
                sb.append(String.format("\\u%04X", c));
            } else {
                sb.appendCodePoint(c);
            }
        }
        if (s.codePointCount(0, s.length()) > 80) {
            sb.append("...(" + s.length() + " chars)");
        }
        return sb.append('"').toString();
    }

    // =====================================================================================
    // Test data
    // =====================================================================================

    static final String[] SENTENCES = {
        "The quick brown fox jumps over the lazy dog.",
        "How do I reset my password if I no longer have access to my email account?",
        "Apache Flink is a framework and distributed processing engine for stateful computations over unbounded and bounded data streams.",
        "Kafka topics are partitioned, meaning a topic is spread over a number of buckets located on different brokers.",
        "What is the capital of Australia?",
        "Canberra is the capital city of Australia, located at the northern end of the Australian Capital Territory.",
        "Dense retrieval encodes queries and passages into a shared embedding space and ranks by inner product.",
        "BM25 remains a strong baseline: it is fast, interpretable and surprisingly hard to beat on out-of-domain data.",
        "Photosynthesis converts light energy into chemical energy stored in glucose molecules.",
        "In 1969, Neil Armstrong became the first person to walk on the Moon during the Apollo 11 mission.",
        "Unbelievably, the preprocessing pipeline's tokenization step was the bottleneck all along!",
        "She sells seashells by the seashore; the shells she sells are surely seashells.",
        "Transformers use self-attention to weigh the relevance of every token to every other token.",
        "Why does my Java application throw an OutOfMemoryError when processing large JSON files?",
        "Mount Everest's summit is 8,848.86 metres above sea level, as measured in 2020.",
        "The mitochondria is the powerhouse of the cell.",
        "Researchers found that sleep deprivation impairs memory consolidation and decision-making.",
        "Reciprocal rank fusion combines rankings without needing calibrated scores.",
    };

    static final String[] HANDCRAFTED = {
        // ASCII / mixed case / code
        "hello", "Hello, World!", "HeLLo WoRLD", "ALL CAPS SHOUTING TEXT", "iPhone McDonald's O'Neil",
        "CamelCaseIdentifier snake_case_name kebab-case-name SCREAMING_SNAKE",
        "for (int i = 0; i < n; i++) { sum += a[i]; }", "SELECT * FROM t WHERE x = 'y' AND z <> 3;",
        "<html><body class=\"main\">Hi &amp; bye</body></html>", "{\"key\": [1, 2.5, null, true], \"k2\": \"v\"}",
        // punctuation runs
        "!!!???...", "--==++**//\\\\||", "(a)[b]{c}<d>", "\"quoted\" 'single' `back`", "#hashtag @mention $100 50% a&b",
        "a.b.c...d", ";;;:::,,,", "~`^|\\/", "wait—what…really?!", "«guillemets» „low‟ ‹single› 「括弧」",
        "¿Qué? ¡Sí!", "•bullet · middle ‣ triangle", "§ 12 ¶ 3 † ‡", "'''", "-", "...",
        // accents / diacritics
        "café", "naïve", "Ångström", "crème brûlée à la façade", "Zoë Saldaña visits São Paulo", "Dvořák and Łódź",
        "Øresund Æsir Œuvre", "straße STRASSE", "İstanbul ıI", "ΣΊΣΥΦΟΣ σίσυφος ς", "Ελληνικά γράμματα",
        "Привет, мир! Ёлка", "ﬁnancial ﬂow ﬀ", "ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ １２３", "e\u0301 vs \u00e9 (combining acute)",
        "Z\u0335\u0322a\u0337l\u0338g\u0336o\u0334 t\u0336e\u0337x\u0338t", "Tiếng Việt có dấu", "Ṩ ḍ ẞ ǅ ǈ ǋ",
        "ﬃ ﬄ Ⅻ ℌ ℍ ℎ Ω K Å", "Ŀ ŉ ǰ ΐ ΰ և ẖ ẗ ẘ ẙ ẚ",
        // scripts
        "안녕하세요 세계", "こんにちは世界、カタカナとひらがな", "我爱北京天安门。", "中文English混合123文本", "繁體中文測試",
        "สวัสดีครับ", "مرحبا بالعالم", "שלום עולם", "नमस्ते दुनिया", "ქართული ენა", "Հայերեն", "ᚠᚢᚦᚨᚱᚲ runes",
        "𠀀𠀁 CJK ext B", "𪜀 ext C 𫝀 ext D 𫠠 ext E 𬺰 ext F", "⺀ ⼀ radicals 〇 ideographic zero", "ㄱㄴㄷ jamo",
        // emoji
        "I ❤️ NY 🗽", "👍🏽 thumbs up", "👨‍👩‍👧‍👦 family", "🇺🇸🇬🇧 flags", "🥰🤩🥺 newer emoji", "🫠🫶 unicode 14 emoji",
        "😀😃😄😁", "☕️ coffee", "keycap 1️⃣ #️⃣", "emoji🙂glued", "🏳️‍🌈 rainbow flag",
        // numbers, dates, URLs, emails
        "2024-01-15T10:30:00Z", "3.14159 2.71828", "1,000,000 and 1.000.000", "$1,234.56 €99 £5 ¥1000",
        "+1 (555) 123-4567", "https://example.com/path/to/page?query=1&b=2#frag",
        "user.name+tag@example.co.uk", "192.168.0.1:8080", "v1.2.3-beta.4", "ISBN 978-3-16-148410-0",
        "10^6 1e-9 0x1F 0b1010", "½ ¼ ¾ ² ³ ①②③", "12/31/1999 31.12.1999", "ftp://files.example.org/pub/README.txt",
        "mailto:someone@example.com?subject=Hi%20there",
        // long words (max_input_chars_per_word = 100)
        "x".repeat(99), "x".repeat(100), "x".repeat(101), "ab".repeat(50), "ab".repeat(50) + "c",
        "supercalifragilisticexpialidocious".repeat(4), "\u00e9".repeat(101), "e\u0301".repeat(60),
        "word " + "y".repeat(150) + " word", "http://" + "a".repeat(150) + ".com", "pneumonoultramicroscopicsilicovolcanoconiosis",
        "反".repeat(120), "😀".repeat(101), "Ａ".repeat(101),
        // control characters, whitespace
        "hello\u0000world", "tab\there", "new\nline", "cr\r\nlf", "\u0007bell", "\u001b[31mred\u001b[0m",
        "zero\u200bwidth", "soft\u00adhyphen", "bom\ufeffstart", "nbsp\u00a0here", "line\u2028sep para\u2029sep",
        "\u0085nel", "form\ffeed", "vertical\u000btab", "replacement\ufffdchar", "private\ue000use\uf8ff",
        "unassigned \u0378 \u05ff \u0b55 \ud83e\udef9", "𝐀𝐁𝐂 𝒶𝒷𝒸 math", "𓀀 hieroglyph", "\u0600\u0601 arabic number sign",
        "\u200e\u200f lrm rlm", "a\u2060b word joiner", "\u001c\u001d\u001e\u001f separators", "tab\u0009\u0009\u0009tabs",
        "", " ", "   ", "\t\n\r", "\u3000\u2003", "\u200b", "\u0000", "\ufffd",
        // special tokens written literally
        "[CLS] hello [SEP]", "what is [MASK]?", "[mask] lowercase", "[UNK]", "[PAD][PAD]", "x[SEP]y", "[CLS",
        "[ SEP ]", "[MASK][MASK][MASK]", "[Mask]",
    };

    static final String[] WORDS = {
        "retrieval", "streaming", "the", "a", "of", "tokenizer", "embedding", "vector", "search", "index",
        "unbelievable", "preprocessing", "Kafka", "Flink", "JSON", "cats", "running", "quickly", "antidisestablishmentarianism",
        "co-operate", "e-mail", "don't", "it's", "U.S.A.", "Ph.D.", "naïve", "résumé", "Müller", "Ørsted",
        "日本語", "北京", "한국어", "Москва", "Αθήνα", "🙂", "🚀", "😂", "42", "3.0", "100%", "#1", "@home", "[MASK]",
    };

    static final String[] SEPARATORS = {" ", " ", " ", "  ", "\t", "\n", ", ", ". ", "-", "", "\u00a0", "/", "!? "};

    static String longText(int sentences, long seed) {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sentences; i++) {
            sb.append(SENTENCES[r.nextInt(SENTENCES.length)]).append(' ');
        }
        return sb.toString().trim();
    }

    static String randomMix(Random r) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + r.nextInt(25);
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(10);
            switch (kind) {
                case 0:
                    sb.appendCodePoint(0x4E00 + r.nextInt(0x9FFF - 0x4E00)); // CJK
                    break;
                case 1:
                    sb.appendCodePoint(0x1F300 + r.nextInt(0x1FAFF - 0x1F300)); // emoji & pictographs (incl. new)
                    break;
                case 2:
                    sb.appendCodePoint(0x00C0 + r.nextInt(0x024F - 0x00C0)); // Latin-1/Extended (accents)
                    break;
                case 3:
                    sb.appendCodePoint(r.nextInt(0x3000)); // anything low, controls included
                    break;
                case 4:
                    sb.append("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".charAt(r.nextInt(32)));
                    break;
                case 5:
                    sb.append(Integer.toString(r.nextInt(100000)));
                    break;
                default:
                    sb.append(WORDS[r.nextInt(WORDS.length)]);
            }
            sb.append(SEPARATORS[r.nextInt(SEPARATORS.length)]);
        }
        return sb.toString();
    }

    static String randomCodePoints(Random r) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + r.nextInt(30);
        for (int i = 0; i < n; i++) {
            int cp;
            do {
                cp = r.nextInt(4) == 0 ? r.nextInt(0x110000) : r.nextInt(0x30000);
            } while (cp >= 0xD800 && cp <= 0xDFFF);
            sb.appendCodePoint(cp);
            if (r.nextInt(4) == 0) {
                sb.append(' ');
            }
        }
        return sb.toString();
    }

    /** >= 200 varied strings, deterministic. */
    static List<String> corpus() {
        Set<String> out = new LinkedHashSet<>(Arrays.asList(HANDCRAFTED));
        out.addAll(Arrays.asList(SENTENCES));
        // long texts: need truncation at 16 and at 512 tokens
        for (int i = 0; i < 6; i++) {
            out.add(longText(20 + i * 15, 100 + i));
        }
        out.add(String.join(" ", java.util.Collections.nCopies(600, "token")));
        out.add(String.join("", java.util.Collections.nCopies(700, "中")));
        out.add(String.join(" ", java.util.Collections.nCopies(300, "unbelievably")));
        Random r = new Random(20240517L);
        for (int i = 0; i < 90; i++) {
            out.add(randomMix(r));
        }
        for (int i = 0; i < 40; i++) {
            out.add(randomCodePoints(r));
        }
        // mixed-case variants of sentences
        for (String s : SENTENCES) {
            out.add(s.toUpperCase(java.util.Locale.ROOT));
        }
        return new ArrayList<>(out);
    }

    static final String[] QUERIES = {
        "what is dense retrieval", "capital of australia", "How do transformers work?", "kafka partition rebalancing",
        "why is my flink job backpressured", "café near Ångström lab", "北京 天气", "who walked on the moon first",
        "reset password no email", "BM25 vs. embeddings", "[MASK] of the cell", "best 🍕 in NYC",
        "", "a", "define: photosynthesis", "mount everest height in feet",
    };

    /** >= 60 (first, second) pairs, query/passage-like, deterministic. */
    static List<String[]> pairs() {
        List<String[]> out = new ArrayList<>();
        Random r = new Random(77L);
        // query -> passage of growing length (second text must be truncated at small max lengths)
        for (int i = 0; i < QUERIES.length; i++) {
            out.add(new String[] {QUERIES[i], longText(1 + (i % 6) * 8, 500 + i)});
        }
        // query -> short passage (often no truncation)
        for (int i = 0; i < 12; i++) {
            out.add(new String[] {QUERIES[r.nextInt(QUERIES.length)], SENTENCES[r.nextInt(SENTENCES.length)]});
        }
        // long first text, short second (only_second impossible -> longest_first shortens the first)
        for (int i = 0; i < 10; i++) {
            out.add(new String[] {longText(5 + i * 8, 900 + i), QUERIES[i % QUERIES.length]});
        }
        // both long (both must be truncated)
        for (int i = 0; i < 12; i++) {
            out.add(new String[] {longText(3 + i * 7, 1300 + i), longText(4 + i * 9, 1700 + i)});
        }
        // random mixes
        for (int i = 0; i < 14; i++) {
            out.add(new String[] {randomMix(r), randomMix(r)});
        }
        // edge cases
        out.add(new String[] {"", ""});
        out.add(new String[] {"", longText(40, 3)});
        out.add(new String[] {longText(40, 4), ""});
        out.add(new String[] {"x".repeat(150), "y".repeat(150)});
        out.add(new String[] {"[CLS] already [SEP]", "has [SEP] tokens [MASK]"});
        out.add(new String[] {"\u0000\u200b", "\t\n"});
        out.add(new String[] {String.join(" ", java.util.Collections.nCopies(700, "alpha")),
                              String.join(" ", java.util.Collections.nCopies(700, "beta"))});
        out.add(new String[] {String.join(" ", java.util.Collections.nCopies(20, "alpha")),
                              String.join(" ", java.util.Collections.nCopies(20, "beta"))});
        return out;
    }

    // =====================================================================================
    // Tests against the reference
    // =====================================================================================

    @ParameterizedTest
    @ValueSource(strings = {MINILM, BGE})
    void singleTextsMatchReference(String resource) {
        Fixture f = fixture(resource);
        List<String> corpus = corpus();
        assertThat(corpus.size()).isGreaterThanOrEqualTo(200);
        Mismatches mm = new Mismatches();
        int truncatedAt16 = 0;
        int truncatedAt512 = 0;
        for (String s : corpus) {
            for (int maxLength : SINGLE_MAX_LENGTHS) {
                Encoding ref = f.single(maxLength).encode(s);
                TokenizedText mine = f.mine.encode(s, maxLength);
                mm.check("encode(" + show(s) + ", " + maxLength + ")", mine, ref);
                assertThat(mine.length()).isLessThanOrEqualTo(maxLength);
                if (maxLength == 16 && ref.exceedMaxLength()) {
                    truncatedAt16++;
                }
                if (maxLength == 512 && ref.exceedMaxLength()) {
                    truncatedAt512++;
                }
            }
        }
        mm.assertNone();
        System.out.printf("[%s] single texts: %d strings, %d encode() comparisons with DJL at max lengths %s, all equal "
                        + "(%d truncated at 16, %d truncated at 512)%n",
                resource, corpus.size(), mm.compared, Arrays.toString(SINGLE_MAX_LENGTHS), truncatedAt16, truncatedAt512);
        assertThat(truncatedAt16).isGreaterThan(50);
        assertThat(truncatedAt512).isGreaterThanOrEqualTo(5);
    }

    @ParameterizedTest
    @ValueSource(strings = {MINILM, BGE})
    void encodeWithoutSpecialsMatchesReference(String resource) {
        Fixture f = fixture(resource);
        List<String> corpus = corpus();
        Mismatches mm = new Mismatches();
        int longest = 0;
        for (String s : corpus) {
            Encoding ref = f.noSpecials().encode(s);
            TokenizedText mine = f.mine.encodeWithoutSpecials(s);
            mm.check("encodeWithoutSpecials(" + show(s) + ")", mine, ref);
            longest = Math.max(longest, mine.length());
        }
        mm.assertNone();
        System.out.printf("[%s] encodeWithoutSpecials: %d strings compared with DJL (addSpecialTokens=false, no truncation), "
                + "all equal; longest %d tokens%n", resource, mm.compared, longest);
        assertThat(longest).as("no truncation").isGreaterThan(512);
    }

    @ParameterizedTest
    @ValueSource(strings = {MINILM, BGE})
    void pairsMatchReference(String resource) {
        Fixture f = fixture(resource);
        List<String[]> pairs = pairs();
        assertThat(pairs.size()).isGreaterThanOrEqualTo(60);
        Mismatches mm = new Mismatches();
        int untouched = 0;
        int secondOnly = 0;
        int fallback = 0;
        int bothCut = 0;
        for (String[] p : pairs) {
            int n1 = f.noSpecials().encode(p[0]).getIds().length;
            int n2 = f.noSpecials().encode(p[1]).getIds().length;
            for (int maxLength : PAIR_MAX_LENGTHS) {
                int budget = maxLength - 3;
                int excess = n1 + n2 - budget;
                Encoding ref;
                String strategy;
                if (excess <= 0) {
                    untouched++;
                    ref = f.onlySecond(maxLength).encode(p[0], p[1]);
                    strategy = "none";
                } else if (n2 > excess) {
                    secondOnly++;
                    ref = f.onlySecond(maxLength).encode(p[0], p[1]);
                    strategy = "only_second";
                } else {
                    fallback++;
                    // the reference only_second refuses: that's when we fall back to longest_first
                    HuggingFaceTokenizer onlySecond = f.onlySecond(maxLength);
                    assertThatThrownBy(() -> onlySecond.encode(p[0], p[1]))
                            .hasMessageContaining("too short");
                    ref = f.longestFirst(maxLength).encode(p[0], p[1]);
                    strategy = "longest_first";
                }
                TokenizedText mine = f.mine.encodePair(p[0], p[1], maxLength);
                mm.check("encodePair(" + show(p[0]) + ", " + show(p[1]) + ", " + maxLength + ") [n1=" + n1 + ", n2=" + n2
                        + ", " + strategy + "]", mine, ref);
                assertThat(mine.length()).isLessThanOrEqualTo(maxLength);
                long firstKept = Arrays.stream(mine.typeIds).filter(t -> t == 0).count() - 2;
                long secondKept = Arrays.stream(mine.typeIds).filter(t -> t == 1).count() - 1;
                if (firstKept < n1 && secondKept < n2) {
                    bothCut++;
                }
                // type ids: 0 for [CLS] first [SEP], 1 for second [SEP]
                assertThat(mine.ids[0]).isEqualTo(f.mine.clsId());
                assertThat(mine.typeIds[0]).isZero();
                assertThat(mine.typeIds[mine.length() - 1]).isEqualTo(1L);
            }
        }
        mm.assertNone();
        System.out.printf("[%s] pairs: %d pairs x max lengths %s = %d encodePair() comparisons with DJL, all equal "
                        + "(%d untouched, %d second-only truncation, %d longest_first fallback of which %d cut both texts)%n",
                resource, pairs.size(), Arrays.toString(PAIR_MAX_LENGTHS), mm.compared, untouched, secondOnly, fallback, bothCut);
        assertThat(secondOnly).isGreaterThanOrEqualTo(20);
        assertThat(fallback).isGreaterThanOrEqualTo(20);
        assertThat(bothCut).isGreaterThanOrEqualTo(10);
    }

    @Test
    void tinyMaxLengths() {
        Fixture f = fixture(MINILM);
        Mismatches mm = new Mismatches();
        for (String s : new String[] {"", "hello world", "a b c d e"}) {
            mm.check("encode(" + show(s) + ", 2)", f.mine.encode(s, 2), f.single(2).encode(s));
            mm.check("encode(" + show(s) + ", 3)", f.mine.encode(s, 3), f.single(3).encode(s));
        }
        String[][] ps = {{"hello world", "foo bar baz"}, {"", "foo bar"}, {"foo bar", ""}};
        for (String[] p : ps) {
            for (int max : new int[] {3, 4, 5}) {
                TokenizedText mine = f.mine.encodePair(p[0], p[1], max);
                Encoding ref;
                try {
                    ref = f.onlySecond(max).encode(p[0], p[1]);
                } catch (RuntimeException e) {
                    ref = f.longestFirst(max).encode(p[0], p[1]);
                }
                mm.check("encodePair(" + show(p[0]) + ", " + show(p[1]) + ", " + max + ")", mine, ref);
            }
        }
        mm.assertNone();
        assertThatThrownBy(() -> f.mine.encode("x", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> f.mine.encodePair("x", "y", 2)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Every code point U+0000..U+10FFFF (minus surrogates) inside a word, through the full
     * pipeline, plus a clean_text-only variant (isolates control/format handling from accent
     * stripping): guards the Unicode tables in {@link HfUnicode}.
     */
    @Test
    void everyCodePointMatchesReference() {
        Fixture real = fixture(MINILM);
        String cleanOnly = setNormalizer(real.json, true, false, "false", false);
        Fixture variant = variant("clean-only", cleanOnly);
        for (Fixture f : new Fixture[] {real, variant}) {
            Mismatches mm = new Mismatches();
            List<String> batch = new ArrayList<>();
            for (int cp = 0; cp <= 0x10FFFF; cp++) {
                if (cp >= 0xD800 && cp <= 0xDFFF) {
                    continue;
                }
                batch.add("a" + new String(Character.toChars(cp)) + "b");
                if (batch.size() == 20000 || cp == 0x10FFFF) {
                    Encoding[] refs = f.noSpecials().batchEncode(batch);
                    for (int i = 0; i < refs.length; i++) {
                        String s = batch.get(i);
                        mm.check("U+" + Integer.toHexString(s.codePointAt(1)).toUpperCase() + " " + show(s),
                                f.mine.encodeWithoutSpecials(s), refs[i]);
                    }
                    batch.clear();
                }
            }
            mm.assertNone();
            System.out.printf("[%s] every code point: %d strings compared with DJL, all equal%n", f.name, mm.compared);
        }
    }

    /** Other configurations of the same components (flags, BertProcessing, added tokens, no post-processor). */
    @Test
    void configurationVariantsMatchReference() {
        String base = fixture(BGE).json;
        Map<String, String> variants = new java.util.LinkedHashMap<>();
        variants.put("cased-no-strip", setNormalizer(base, true, true, "false", false));
        variants.put("cased-strip", setNormalizer(base, true, true, "true", false));
        variants.put("lowercase-no-strip", setNormalizer(base, true, true, "false", true));
        variants.put("no-clean-no-chinese", setNormalizer(base, false, false, "null", true));
        variants.put("bert-processing", setPostProcessor(base,
                "{\"type\": \"BertProcessing\", \"sep\": [\"[SEP]\", 102], \"cls\": [\"[CLS]\", 101]}"));
        variants.put("no-post-processor", setPostProcessor(base, "null"));
        variants.put("no-normalizer", base.replaceFirst("(?s)\"normalizer\":\\s*\\{.*?\\},\\s*\"pre_tokenizer\"",
                "\"normalizer\": null, \"pre_tokenizer\""));
        variants.put("extra-added-tokens", addTokens(base));
        List<String> corpus = new ArrayList<>(corpus());
        corpus.addAll(List.of("[Q] what is <ent>?", "x<ent>y", "<ENT> Foo", "  [Q]  hi  [D]  there  ", "[QQ][Q]",
                "a [Q][D] b", "HELLO WORLD and hello world", "<ent>", "<ent><ent> <ent>", "end [D]", "[Q]",
                "ünï <ent>_x _<ent>", "1<ent>", "Hello  World"));
        int total = 0;
        for (Map.Entry<String, String> v : variants.entrySet()) {
            Fixture f = variant(v.getKey(), v.getValue());
            Mismatches mm = new Mismatches();
            for (String s : corpus) {
                mm.check(v.getKey() + " encodeWithoutSpecials(" + show(s) + ")", f.mine.encodeWithoutSpecials(s), f.noSpecials().encode(s));
                mm.check(v.getKey() + " encode(" + show(s) + ", 64)", f.mine.encode(s, 64), f.single(64).encode(s));
            }
            for (String[] p : pairs().subList(0, 20)) {
                mm.check(v.getKey() + " encodePair", f.mine.encodePair(p[0], p[1], 48), f.onlySecond(48).encode(p[0], p[1]));
            }
            mm.assertNone();
            total += mm.compared;
        }
        System.out.printf("configuration variants %s: %d comparisons with DJL, all equal%n", variants.keySet(), total);
    }

    // =====================================================================================
    // API
    // =====================================================================================

    @Test
    void vocabularyApi() throws IOException {
        Fixture f = fixture(MINILM);
        WordPieceTokenizer t = f.mine;
        assertThat(t.vocabularySize()).isEqualTo(30522);
        assertThat(t.clsId()).isEqualTo(101);
        assertThat(t.sepId()).isEqualTo(102);
        assertThat(t.padId()).isEqualTo(0);
        assertThat(t.maskId()).isEqualTo(103);
        assertThat(t.unkId()).isEqualTo(100);
        assertThat(t.token(101)).isEqualTo("[CLS]");
        assertThat(t.tokenId("[SEP]")).isEqualTo(102);
        assertThat(t.tokenId("hello")).isEqualTo(f.noSpecials().encode("hello").getIds()[0]);
        assertThat(t.token(t.tokenId("##ing"))).isEqualTo("##ing");
        assertThat(t.hasToken("##ing")).isTrue();
        assertThat(t.hasToken("definitely-not-a-token")).isFalse();
        assertThatThrownBy(() -> t.tokenId("definitely-not-a-token"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("definitely-not-a-token");
        assertThatThrownBy(() -> t.token(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> t.token(30522)).isInstanceOf(IllegalArgumentException.class);
        for (int id = 0; id < t.vocabularySize(); id++) {
            assertThat(t.tokenId(t.token(id))).isEqualTo(id);
        }

        TokenizedText e = t.encode("Hello world", 512);
        assertThat(e.tokens).containsExactly("[CLS]", "hello", "world", "[SEP]");
        assertThat(e.attentionMask).containsOnly(1L);
        assertThat(e.typeIds).containsOnly(0L);
        assertThat(t.encodeWithoutSpecials("Hello world").tokens).containsExactly("hello", "world");
        TokenizedText p = t.encodePair("a b", "c", 512);
        assertThat(p.tokens).containsExactly("[CLS]", "a", "b", "[SEP]", "c", "[SEP]");
        assertThat(p.typeIds).containsExactly(0L, 0L, 0L, 0L, 1L, 1L);

        // load(Path) == load(InputStream)
        WordPieceTokenizer fromPath = WordPieceTokenizer.load(f.path);
        for (String s : corpus().subList(0, 60)) {
            assertThat(fromPath.encode(s, 128).ids).isEqualTo(t.encode(s, 128).ids);
        }
    }

    @Test
    void unsupportedComponentsAreRejected() {
        String base = fixture(MINILM).json;
        assertRejected(base.replace("\"type\": \"BertNormalizer\"", "\"type\": \"NFKC\""), "NFKC");
        assertRejected(base.replace("\"type\": \"BertPreTokenizer\"", "\"type\": \"Whitespace\""), "Whitespace");
        assertRejected(setPostProcessor(base, "{\"type\": \"RobertaProcessing\", \"sep\": [\"</s>\", 2], \"cls\": [\"<s>\", 0]}"),
                "RobertaProcessing");
        int model = base.indexOf("\"model\":");
        String bpe = base.substring(0, model) + base.substring(model).replaceFirst("\"type\": \"WordPiece\"", "\"type\": \"BPE\"");
        assertRejected(bpe, "BPE");
        assertThatThrownBy(() -> WordPieceTokenizer.load(new ByteArrayInputStream("{\"model\": ".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static void assertRejected(String json, String type) {
        assertThat(json).contains(type);
        assertThatThrownBy(() -> WordPieceTokenizer.load(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(type);
    }

    // =====================================================================================
    // JSON surgery for variants
    // =====================================================================================

    static String setNormalizer(String json, boolean clean, boolean chinese, String strip, boolean lower) {
        Pattern p = Pattern.compile("(?s)\"normalizer\":\\s*\\{.*?\\}");
        Matcher m = p.matcher(json);
        assertThat(m.find()).isTrue();
        String repl = "\"normalizer\": {\"type\": \"BertNormalizer\", \"clean_text\": " + clean
                + ", \"handle_chinese_chars\": " + chinese + ", \"strip_accents\": " + strip + ", \"lowercase\": " + lower + "}";
        return json.substring(0, m.start()) + repl + json.substring(m.end());
    }

    static String setPostProcessor(String json, String replacement) {
        int start = json.indexOf("\"post_processor\":");
        int end = json.indexOf("\"decoder\":");
        assertThat(start).isPositive();
        assertThat(end).isGreaterThan(start);
        return json.substring(0, start) + "\"post_processor\": " + replacement + ",\n  " + json.substring(end);
    }

    /** Adds special and normalized added tokens exercising lstrip / rstrip / single_word / longest match. */
    static String addTokens(String json) {
        String extra = "\n    {\"id\": 30522, \"content\": \"[Q]\", \"single_word\": false, \"lstrip\": true, \"rstrip\": false, \"normalized\": false, \"special\": true},"
                + "\n    {\"id\": 30523, \"content\": \"[D]\", \"single_word\": false, \"lstrip\": false, \"rstrip\": true, \"normalized\": false, \"special\": true},"
                + "\n    {\"id\": 30524, \"content\": \"[QQ]\", \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": true},"
                + "\n    {\"id\": 30525, \"content\": \"<ent>\", \"single_word\": true, \"lstrip\": false, \"rstrip\": false, \"normalized\": true, \"special\": false},"
                + "\n    {\"id\": 30526, \"content\": \"Hello World\", \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": true, \"special\": false},";
        int at = json.indexOf("\"added_tokens\": [") + "\"added_tokens\": [".length();
        assertThat(at).isGreaterThan(20);
        return json.substring(0, at) + extra + json.substring(at);
    }
}
