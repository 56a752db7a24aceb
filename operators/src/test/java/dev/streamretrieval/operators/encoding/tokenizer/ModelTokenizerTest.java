package dev.streamretrieval.operators.encoding.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The library tokenizer on generated tokenizer.json files of each model type (see {@link GeneratedTokenizers} for
 * the vocabularies); every expected id is worked out by hand in the comments.
 */
class ModelTokenizerTest {

    private static ModelTokenizer open(ObjectNode tokenizer, int maxLength, String side) {
        return ModelTokenizer.open(TokenizerFile.parse(GeneratedTokenizers.bytes(tokenizer), side, List.of()), maxLength);
    }

    @Test
    void wordPieceLowercasesStripsAccentsAndSplitsWordsIntoTheLongestKnownPieces() {
        // "streaming flink, plays state!" after BertNormalizer ("Flïnk" loses its accent);
        // words: streaming | flink | , | plays | state | !
        // pieces: stream ##ing (5 6), flink (7), "," (9), play ##s (10 11), state (8), "!" unknown ([UNK] 1)
        try (ModelTokenizer t = open(GeneratedTokenizers.wordPiece(), 512, "right")) {
            TokenizedText e = t.encode("Streaming Flïnk, plays state!");
            assertThat(e.ids).containsExactly(2, 5, 6, 7, 9, 10, 11, 8, 1, 3);
            assertThat(e.typeIds).containsOnly(0);
            assertThat(e.specialTokensMask).containsExactly(1, 0, 0, 0, 0, 0, 0, 0, 0, 1);
            assertThat(e.attentionMask).containsOnly(1);
        }
    }

    @Test
    void truncationKeepsTheStartOrTheEndWithinTheMaximumLengthSpecialTokensIncluded() {
        // 8 pieces (5 6 7 9 10 11 8 1) + [CLS] [SEP] = 10 > 6: four pieces stay
        String text = "Streaming Flink, plays state!";
        try (ModelTokenizer right = open(GeneratedTokenizers.wordPiece(), 6, "right");
                ModelTokenizer left = open(GeneratedTokenizers.wordPiece(), 6, "left")) {
            assertThat(right.encode(text).ids).containsExactly(2, 5, 6, 7, 9, 3); // stream ##ing flink ,
            assertThat(left.encode(text).ids).containsExactly(2, 10, 11, 8, 1, 3); // play ##s state [UNK]
        }
    }

    @Test
    void wordPiecePairsHaveTokenTypesAndTheLongerSequenceLosesTokensFirst() {
        // [CLS] flink state [SEP] stream ##ing play ##s [SEP], types 0 for [CLS] A [SEP], 1 for B [SEP]
        try (ModelTokenizer t = open(GeneratedTokenizers.wordPiece(), 64, "right")) {
            TokenizedText p = t.encodePair("flink state", "streaming plays");
            assertThat(p.ids).containsExactly(2, 7, 8, 3, 5, 6, 10, 11, 3);
            assertThat(p.typeIds).containsExactly(0, 0, 0, 0, 1, 1, 1, 1, 1);
        }
        // at 7 tokens, 4 are left for the pair's pieces: A has 2, B has 4, so B (the longer) is cut to 2
        try (ModelTokenizer t = open(GeneratedTokenizers.wordPiece(), 7, "right")) {
            TokenizedText p = t.encodePair("flink state", "streaming plays");
            assertThat(p.ids).containsExactly(2, 7, 8, 3, 5, 6, 3);
            assertThat(p.typeIds).containsExactly(0, 0, 0, 0, 1, 1, 1);
        }
    }

    @Test
    void bpeAppliesMergesByRankAndAddsRobertaSpecialTokens() {
        // lowercase, then per word: "lower": l o w e r -> lo w e r -> low e r -> low er -> lower (16);
        // "lowest": -> low e s t -> low es t -> low est (14 18); "slow": s l o w -> s lo w -> s low (11 14);
        // "x" is no symbol of the vocabulary: <unk> (3); <s> ... </s> around (0 ... 2)
        try (ModelTokenizer t = open(GeneratedTokenizers.bpe(), 512, "right")) {
            assertThat(t.encode("Lower lowest slow x").ids).containsExactly(0, 16, 14, 18, 11, 14, 3, 2);
            // a pair: <s> A </s> </s> B </s>
            assertThat(t.encodePair("lower", "slow").ids).containsExactly(0, 16, 2, 2, 11, 14, 2);
        }
        try (ModelTokenizer right = open(GeneratedTokenizers.bpe(), 5, "right");
                ModelTokenizer left = open(GeneratedTokenizers.bpe(), 5, "left")) {
            // six pieces, three fit between <s> and </s>
            assertThat(right.encode("Lower lowest slow x").ids).containsExactly(0, 16, 14, 18, 2);
            assertThat(left.encode("Lower lowest slow x").ids).containsExactly(0, 11, 14, 3, 2);
        }
    }

    @Test
    void unigramChoosesTheSegmentationWithTheHighestTotalScore() {
        // "▁new": ▁new -2 beats ▁ne+w -6 and ▁+n+e+w -15; "▁york": ▁york -2.5 beats ▁yo+rk -6.5; then </s> (1)
        // "▁newyork" (one word): ▁new+y+o+rk = -2-4-4-3.5 = -13.5 beats ▁new+y+o+r+k = -18 and
        // ▁ne+w+y+o+rk = -17.5, so a greedy longest match (▁new y o r k) is not what Unigram returns
        // "▁z": ▁ (3), then z, which no piece covers: <unk> (2)
        try (ModelTokenizer t = open(GeneratedTokenizers.unigram(), 512, "right")) {
            assertThat(t.encode("New York").ids).containsExactly(4, 7, 1);
            assertThat(t.encode("newyork").ids).containsExactly(4, 10, 11, 9, 1);
            assertThat(t.encode("z").ids).containsExactly(3, 2, 1);
            TokenizedText p = t.encodePair("new", "york");
            assertThat(p.ids).containsExactly(4, 1, 7, 1);
            assertThat(p.typeIds).containsExactly(0, 0, 1, 1);
        }
    }

    @Test
    void theFileGivesPaddingIdSpecialTokensVocabularyLookupsAndPunctuation() {
        TokenizerFile wordPiece = TokenizerFile.parse(GeneratedTokenizers.bytes(GeneratedTokenizers.wordPiece()), "right",
                List.of("[unused0]", "absent"));
        assertThat(wordPiece.modelType()).isEqualTo("WordPiece");
        assertThat(wordPiece.padId()).isZero();
        assertThat(wordPiece.tokenId("[unused0]")).isEqualTo(12); // a vocabulary entry, looked up on request
        assertThat(wordPiece.tokenId("absent")).isEqualTo(-1);
        assertThat(wordPiece.maskToken()).isEqualTo("[MASK]");
        assertThat(wordPiece.isPunctuation(9)).isTrue(); // ","
        assertThat(wordPiece.isPunctuation(6)).isFalse(); // "##ing"

        TokenizerFile bpe = TokenizerFile.parse(GeneratedTokenizers.bytes(GeneratedTokenizers.bpe()), "right", List.of());
        assertThat(bpe.modelType()).isEqualTo("BPE");
        assertThat(bpe.padId()).isEqualTo(1); // <pad>
        assertThat(bpe.maskToken()).isEqualTo("<mask>");

        ObjectNode unigram = GeneratedTokenizers.unigram();
        TokenizerFile u = TokenizerFile.parse(GeneratedTokenizers.bytes(unigram), "left", List.of("▁york"));
        assertThat(u.modelType()).isEqualTo("Unigram");
        assertThat(u.tokenId("▁york")).isEqualTo(7); // Unigram ids are positions in the vocabulary list
        assertThat(u.maskToken()).isNull();
        // a padding section names the pad id
        unigram.putObject("padding").put("pad_id", 2).put("pad_token", "<unk>");
        assertThat(TokenizerFile.parse(GeneratedTokenizers.bytes(unigram), "right", List.of()).padId()).isEqualTo(2);
    }

    /**
     * A Flink TaskManager gives each job (and a job recovered after a JobManager failover) its own user-code class
     * loader; each must be able to load the native library although the JVM already holds it for another loader.
     */
    @Test
    void everyClassLoaderCanLoadTheNativeLibrary() throws Exception {
        List<java.net.URL> urls = new java.util.ArrayList<>();
        for (String name : List.of(ModelTokenizer.class.getName(), "ai.djl.huggingface.tokenizers.HuggingFaceTokenizer",
                "ai.djl.util.Utils", "org.slf4j.LoggerFactory", "com.fasterxml.jackson.databind.ObjectMapper",
                "com.fasterxml.jackson.core.JsonParser", "com.fasterxml.jackson.annotation.JsonProperty",
                "com.google.gson.Gson", "com.sun.jna.Native", "org.apache.commons.compress.archivers.ArchiveEntry")) {
            java.net.URL url = Class.forName(name).getProtectionDomain().getCodeSource().getLocation();
            if (!urls.contains(url)) {
                urls.add(url);
            }
        }
        byte[] wordPiece = GeneratedTokenizers.bytes(GeneratedTokenizers.wordPiece());
        for (int job = 0; job < 3; job++) {
            try (java.net.URLClassLoader loader = new java.net.URLClassLoader(urls.toArray(new java.net.URL[0]),
                    ClassLoader.getPlatformClassLoader())) {
                Class<?> fileClass = loader.loadClass(TokenizerFile.class.getName());
                Object file = fileClass.getMethod("parse", byte[].class, String.class, java.util.Collection.class)
                        .invoke(null, wordPiece, "right", List.of());
                Class<?> tokenizerClass = loader.loadClass(ModelTokenizer.class.getName());
                assertThat(tokenizerClass).isNotSameAs(ModelTokenizer.class);
                Object tokenizer = tokenizerClass.getMethod("open", fileClass, int.class).invoke(null, file, 16);
                Object encoded = tokenizerClass.getMethod("encode", String.class).invoke(tokenizer, "streaming flink");
                assertThat((long[]) encoded.getClass().getField("ids").get(encoded)).as("class loader " + job)
                        .containsExactly(2, 5, 6, 7, 3);
                tokenizerClass.getMethod("close").invoke(tokenizer);
            }
        }
    }

    @Test
    void brokenFilesAndClosedTokenizersFailClearly() {
        assertThatThrownBy(() -> TokenizerFile.parse("{\"model\": ".getBytes(StandardCharsets.UTF_8), "right", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not valid JSON");
        assertThatThrownBy(() -> TokenizerFile.parse("{\"vocab\": {}}".getBytes(StandardCharsets.UTF_8), "right", List.of()))
                .hasMessageContaining("no \"model\" object");
        assertThatThrownBy(() -> TokenizerFile.parse(GeneratedTokenizers.bytes(GeneratedTokenizers.bpe()), "middle", List.of()))
                .hasMessageContaining("truncation side 'middle' is not right or left");
        ObjectNode broken = GeneratedTokenizers.bpe();
        ((ObjectNode) broken.get("model")).put("type", "Chunky");
        assertThatThrownBy(() -> open(broken, 8, "right")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the tokenizers library rejects the Chunky tokenizer");
        ModelTokenizer t = open(GeneratedTokenizers.wordPiece(), 8, "right");
        t.close();
        assertThatThrownBy(() -> t.encode("flink")).isInstanceOf(IllegalStateException.class);
    }
}
