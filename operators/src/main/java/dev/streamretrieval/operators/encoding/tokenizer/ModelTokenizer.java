package dev.streamretrieval.operators.encoding.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.LibUtils;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * One model's tokenizer at one maximum length: the Hugging Face {@code tokenizers} library (Rust, through DJL's
 * JNI binding, which carries the native library for Linux, macOS and Windows and unpacks it on first use), so
 * any {@code tokenizer.json} it reads works here: WordPiece (BERT), BPE (RoBERTa, GPT-2 style) and Unigram
 * (SentencePiece: XLM-R, T5) models with their normalizers, pre-tokenizers, post-processors and added tokens.
 *
 * <p>Truncation is the library's own, {@code longest_first} with the direction of the {@link TokenizerFile}: a
 * text (or pair) longer than {@code maxLength} tokens, special tokens included, loses tokens at the end (right)
 * or at the start (left); of a pair, the longer sequence loses tokens first. No padding.
 *
 * <p>Holds native memory: one instance belongs to one encoder, that is one operator subtask and thread; close it
 * with the encoder.
 */
public final class ModelTokenizer implements AutoCloseable {
    static {
        // The model files are local: DJL must neither report usage (its EC2 "call home") nor try to download a
        // native library; the jar carries it. An explicit setting of either wins.
        if (System.getProperty("OPT_OUT_TRACKING") == null && System.getenv("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
        if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        privateLibraryCopy();
    }

    /**
     * Points DJL at a copy of the native library of its own, made once per class loader (this class initialises
     * once in each). DJL unpacks the library to one fixed path per version, and a JVM refuses to load a library
     * from a path another class loader has loaded it from: a Flink TaskManager gives each job (and a job recovered
     * after a JobManager failover) a new user-code class loader, which would then fail with "already loaded in
     * another classloader". A user's RUST_LIBRARY_PATH environment variable wins; where this copy cannot be made,
     * DJL's own unpacking is used.
     */
    private static void privateLibraryCopy() {
        String arch = System.getProperty("os.arch").replace("amd64", "x86_64");
        String os = System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT);
        if (System.getenv("RUST_LIBRARY_PATH") != null || !os.contains("linux") && !os.contains("mac")) {
            return; // Windows also needs DJL's companion DLLs next to the library: leave it to DJL
        }
        String name = System.mapLibraryName("tokenizers");
        String resource = "native/lib/" + (os.contains("mac") ? "osx" : "linux") + "-" + arch + "/cpu/" + name;
        // System's properties are one object for all class loaders: the lock keeps another loader from changing
        // the path between setting it and DJL loading the library from it
        synchronized (System.getProperties()) {
            try (java.io.InputStream in = ModelTokenizer.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    return;
                }
                java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("tokenizers-");
                java.nio.file.Path lib = dir.resolve(name);
                java.nio.file.Files.copy(in, lib);
                lib.toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
                // the file, not its folder: DJL 0.38 looks for a CUDA build in a folder and fails on a CPU-only host
                System.setProperty("RUST_LIBRARY_PATH", lib.toString());
                LibUtils.checkStatus(); // loads the library now, from this copy
            } catch (IOException | RuntimeException | LinkageError e) {
                // DJL unpacks to its cache instead, or open() reports why the library cannot be loaded
            }
        }
    }

    private final HuggingFaceTokenizer tokenizer;
    private final int maxLength;

    private ModelTokenizer(HuggingFaceTokenizer tokenizer, int maxLength) {
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
    }

    /**
     * A tokenizer that truncates to {@code maxLength} tokens.
     *
     * @throws IllegalArgumentException when the library rejects the file or cannot be loaded on this platform
     */
    public static ModelTokenizer open(TokenizerFile file, int maxLength) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("maximum length " + maxLength + " is not positive");
        }
        // modelMaxLength: DJL otherwise caps maxLength at 512 (BERT's limit); the model's limit is checked
        // where the length is configured (ModelSpec)
        Map<String, String> options = Map.of("addSpecialTokens", "true", "truncation", "LONGEST_FIRST",
                "padding", "false", "maxLength", String.valueOf(maxLength), "modelMaxLength", String.valueOf(maxLength));
        try {
            return new ModelTokenizer(HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(file.rewritten()), options),
                    maxLength);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (UnsatisfiedLinkError | ExceptionInInitializerError | NoClassDefFoundError e) {
            throw new IllegalArgumentException("the Hugging Face tokenizers library (ai.djl.huggingface:tokenizers) "
                    + "cannot be loaded on " + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                    + ": " + e, e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the tokenizers library rejects the " + file.modelType()
                    + " tokenizer: " + e.getMessage(), e);
        }
    }

    /** The longest sequence this tokenizer returns, special tokens included. */
    public int maxLength() {
        return maxLength;
    }

    /** One text with the model's special tokens (e.g. {@code [CLS] text [SEP]}), truncated to the maximum length. */
    public TokenizedText encode(String text) {
        return read(TokenizersLibrary.LIB.encode(tokenizer.getHandle(), text, true));
    }

    /**
     * A pair as a cross-encoder reads it (e.g. {@code [CLS] a [SEP] b [SEP]}, token types 0 then 1), truncated
     * longest-first to the maximum length.
     */
    public TokenizedText encodePair(String first, String second) {
        return read(TokenizersLibrary.LIB.encodeDual(tokenizer.getHandle(), first, second, true));
    }

    /**
     * The three arrays the encoders use, read straight from the library's encoding and then freed. This skips what
     * {@link HuggingFaceTokenizer#encode(String, boolean, boolean)} also builds for every text (token strings, word
     * ids, a character-span object per token, the overflowing parts): that work cost about 40% of the time in
     * TokenizerBenchmark.
     */
    private static TokenizedText read(long encoding) {
        try {
            return new TokenizedText(TokenizersLibrary.LIB.getTokenIds(encoding), TokenizersLibrary.LIB.getTypeIds(encoding),
                    TokenizersLibrary.LIB.getSpecialTokenMask(encoding));
        } finally {
            TokenizersLibrary.LIB.deleteEncoding(encoding);
        }
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
