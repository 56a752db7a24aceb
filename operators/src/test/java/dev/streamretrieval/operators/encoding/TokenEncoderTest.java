package dev.streamretrieval.operators.encoding;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.streamretrieval.operators.encoding.testmodels.OnnxTestModels;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ColBERT's input sequences: the token encoder must feed the model exactly what the reference implementation
 * (stanford-futuredata/ColBERT, {@code QueryTokenizer.tensorize} / {@code DocTokenizer.tensorize}) feeds it,
 * built here independently with the Hugging Face tokenizer (DJL) the way ColBERT builds them:
 * <ul>
 *   <li>query: tokenize {@code ". " + q} with truncation and padding to {@code query_maxlen} (32), replace
 *       position 1 (the ".") with the [Q] marker {@code [unused0]}, replace every [PAD] with [MASK]:
 *       {@code [CLS] [Q] q… [SEP] [MASK]…}, always 32 tokens, and every position (masks included) yields a
 *       vector;</li>
 *   <li>document: tokenize {@code ". " + d} with truncation to {@code doc_maxlen}, position 1 becomes the [D]
 *       marker {@code [unused1]}: {@code [CLS] [D] d… [SEP]}; punctuation tokens (the skiplist) yield no vector.</li>
 * </ul>
 * The generated ONNX model outputs each token's id as its hidden state (embedding row {@code i} is
 * {@code (i, 0)}, no normalisation), so the returned vectors spell out the sequence the model was run on.
 */
class TokenEncoderTest {
    private static final int QUERY_MAXLEN = 32;
    private static final int DOC_MAXLEN = 24;
    private static final int UNUSED0 = 1;
    private static final int UNUSED1 = 2;
    private static final int MASK = 103;
    private static final int PAD = 0;

    @TempDir
    static Path dir;
    static ModelSpec spec;
    static Path tokenizerFile;

    @BeforeAll
    static void model() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("colbert"));
        tokenizerFile = folder.resolve("tokenizer.json");
        try (InputStream in = ModelSpec.open("classpath:/all-minilm-l6-v2-q-tokenizer.json")) {
            Files.copy(in, tokenizerFile);
        }
        float[][] embedding = new float[30522][2];
        for (int i = 0; i < embedding.length; i++) {
            embedding[i][0] = i; // integers up to 2^24 are exact in float32
        }
        OnnxTestModels.writeBiEncoder(folder, embedding);
        Files.writeString(folder.resolve("model.json"), "{\"role\": \"token\", \"output\": \"last_hidden_state\","
                + " \"normalize\": false, \"query_marker\": \"[unused0]\", \"document_marker\": \"[unused1]\","
                + " \"query_augmentation_length\": " + QUERY_MAXLEN + ", \"max_query_tokens\": " + QUERY_MAXLEN
                + ", \"max_passage_tokens\": " + DOC_MAXLEN + "}");
        spec = ModelSpec.fromFolder(folder, "token");
    }

    /** ColBERT's QueryTokenizer.tensorize for one query. */
    private static long[] colbertQuery(HuggingFaceTokenizer hf, String q) {
        long[] ids = Arrays.copyOf(hf.encode(". " + q).getIds(), QUERY_MAXLEN); // padding='max_length' with [PAD]=0
        ids[1] = UNUSED0;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == PAD) {
                ids[i] = MASK;
            }
        }
        return ids;
    }

    /** ColBERT's DocTokenizer.tensorize for one document, minus the skiplist (what yields vectors). */
    private static long[] colbertDocumentVectors(HuggingFaceTokenizer hf, String d, Set<Long> skiplist) {
        long[] ids = hf.encode(". " + d).getIds();
        ids[1] = UNUSED1;
        return Arrays.stream(ids).filter(id -> !skiplist.contains(id)).toArray();
    }

    private static long[] ids(float[][] vectors) {
        long[] ids = new long[vectors.length];
        for (int i = 0; i < vectors.length; i++) {
            assertThat(vectors[i][1]).isZero();
            ids[i] = (long) vectors[i][0];
        }
        return ids;
    }

    private static HuggingFaceTokenizer reference(int maxLength) throws Exception {
        return HuggingFaceTokenizer.builder().optTokenizerPath(tokenizerFile).optMaxLength(maxLength)
                .optTruncation(true).optPadding(false).build();
    }

    @Test
    void queriesAreMarkedAndAugmentedWithMasksToThirtyTwoTokens() throws Exception {
        List<String> queries = List.of(
                "what is the effect of the boundary layer on heat transfer",
                "flink",
                // longer than 32 tokens: truncated, [SEP] kept last, no [MASK]
                "a very long query about compressible boundary layers, shock waves, heat transfer, skin friction "
                        + "and the stability of laminar flow over swept wings at hypersonic speeds in wind tunnels");
        try (TokenEncoder encoder = TokenEncoder.open(spec, 1, 4); HuggingFaceTokenizer hf = reference(QUERY_MAXLEN)) {
            float[][][] vectors = encoder.encodeQueries(queries);
            for (int i = 0; i < queries.size(); i++) {
                long[] ours = ids(vectors[i]);
                long[] theirs = colbertQuery(hf, queries.get(i));
                assertThat(ours).as(queries.get(i)).containsExactly(theirs);
                assertThat(ours).hasSize(QUERY_MAXLEN);
                assertThat(ours[0]).isEqualTo(101); // [CLS]
                assertThat(ours[1]).isEqualTo(UNUSED0);
            }
            long[] short1 = ids(vectors[1]);
            assertThat(short1[2]).as("'flink' is one or more wordpieces after [Q]").isNotEqualTo(MASK);
            assertThat(Arrays.stream(short1).filter(id -> id == MASK).count()).as("query augmentation")
                    .isEqualTo(QUERY_MAXLEN - Arrays.stream(short1).filter(id -> id != MASK).count())
                    .isGreaterThan(20);
            long[] longOne = ids(vectors[2]);
            assertThat(longOne[QUERY_MAXLEN - 1]).isEqualTo(102); // [SEP]
            assertThat(longOne).doesNotContain(MASK);
        }
    }

    @Test
    void documentsAreMarkedTruncatedAndLosePunctuationVectors() throws Exception {
        List<String> docs = List.of(
                "Aerodynamic heating: the boundary layer (laminar, then turbulent) heats the skin.",
                "Streams, state; checkpoints! And exactly-once sinks? Yes - through transactions that commit at "
                        + "checkpoints and consumers that read committed records only, even after failures.");
        try (TokenEncoder encoder = TokenEncoder.open(spec, 1, 4); HuggingFaceTokenizer hf = reference(DOC_MAXLEN)) {
            // ColBERT's skiplist: the ids of the punctuation characters
            List<Long> skip = new ArrayList<>();
            for (char c : "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".toCharArray()) {
                long[] ids = hf.encode(String.valueOf(c), false, false).getIds();
                skip.add(ids[0]);
            }
            float[][][] vectors = encoder.encodePassages(docs);
            for (int i = 0; i < docs.size(); i++) {
                long[] ours = ids(vectors[i]);
                long[] theirs = colbertDocumentVectors(hf, docs.get(i), Set.copyOf(skip));
                assertThat(ours).as(docs.get(i)).containsExactly(theirs);
                assertThat(ours[0]).isEqualTo(101);
                assertThat(ours[1]).isEqualTo(UNUSED1);
                assertThat(ours[ours.length - 1]).isEqualTo(102);
                assertThat(ours).doesNotContain(MASK);
            }
            assertThat(ids(vectors[1]).length).as("truncated to doc_maxlen, minus punctuation")
                    .isLessThan(DOC_MAXLEN);
        }
    }

    @Test
    void withoutMarkersTheSequenceIsThePlainBertInput() throws Exception {
        ModelSpec plain = spec.withRole("token");
        plain.queryMarker = "";
        plain.documentMarker = "";
        plain.queryAugmentationLength = 0;
        String q = "boundary layer heat transfer";
        try (TokenEncoder encoder = TokenEncoder.open(plain, 1, 4); HuggingFaceTokenizer hf = reference(QUERY_MAXLEN)) {
            assertThat(ids(encoder.encodeQueries(List.of(q))[0])).containsExactly(hf.encode(q).getIds());
        }
    }
}
