package dev.streamretrieval.jobs.evaluation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.DocumentOp;
import dev.streamretrieval.schemas.Query;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A test collection in the BEIR layout:
 *
 * <ul>
 *   <li>{@code corpus.jsonl}: one {@code {"_id", "title", "text"}} object per line;
 *   <li>{@code queries.jsonl}: one {@code {"_id", "text"}} object per line;
 *   <li>{@code qrels/test.tsv}: a header line, then {@code query-id<TAB>corpus-id<TAB>score}.
 * </ul>
 *
 * Documents and queries keep file order. Blank lines are skipped and fields other than the ones above are ignored
 * (BEIR corpora often carry {@code metadata}). A malformed line fails the load with an
 * {@link IllegalArgumentException} naming the file and the line number; I/O failures surface as
 * {@link UncheckedIOException}.
 */
public final class BeirCollection {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final String name;
    private final List<Document> documents;
    private final List<Query> allQueries;
    private final List<Query> queries;
    private final Qrels qrels;

    public BeirCollection(String name, List<Document> documents, List<Query> allQueries, Qrels qrels) {
        this.name = name;
        this.documents = Collections.unmodifiableList(new ArrayList<>(documents));
        this.allQueries = Collections.unmodifiableList(new ArrayList<>(allQueries));
        this.qrels = qrels;
        List<Query> judged = new ArrayList<>();
        for (Query q : allQueries) {
            if (qrels.hasRelevant(q.id)) {
                judged.add(q);
            }
        }
        this.queries = Collections.unmodifiableList(judged);
    }

    /** Loads {@code folder/corpus.jsonl}, {@code folder/queries.jsonl} and {@code folder/qrels/test.tsv}. */
    public static BeirCollection load(Path folder) {
        Path corpus = folder.resolve("corpus.jsonl");
        Path queries = folder.resolve("queries.jsonl");
        Path qrels = folder.resolve("qrels").resolve("test.tsv");
        Path fileName = folder.toAbsolutePath().normalize().getFileName();
        String name = fileName == null ? folder.toString() : fileName.toString();
        try (BufferedReader c = Files.newBufferedReader(corpus, StandardCharsets.UTF_8);
                BufferedReader q = Files.newBufferedReader(queries, StandardCharsets.UTF_8);
                BufferedReader r = Files.newBufferedReader(qrels, StandardCharsets.UTF_8)) {
            return new BeirCollection(name, readDocuments(c, corpus.toString()), readQueries(q, queries.toString()),
                    Qrels.parse(r, qrels.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read BEIR collection in " + folder, e);
        }
    }

    /**
     * Loads the same three files from the classpath, under {@code resourceFolder} (for example {@code "sample"}
     * for the collection shipped in this module's resources).
     */
    public static BeirCollection loadClasspath(String resourceFolder, String name) {
        String base = resourceFolder.replaceAll("^/+", "").replaceAll("/+$", "");
        String prefix = base.isEmpty() ? "" : base + "/";
        try (BufferedReader c = resource(prefix + "corpus.jsonl");
                BufferedReader q = resource(prefix + "queries.jsonl");
                BufferedReader r = resource(prefix + "qrels/test.tsv")) {
            return new BeirCollection(name, readDocuments(c, "classpath:" + prefix + "corpus.jsonl"),
                    readQueries(q, "classpath:" + prefix + "queries.jsonl"),
                    Qrels.parse(r, "classpath:" + prefix + "qrels/test.tsv"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read BEIR collection from classpath:" + base, e);
        }
    }

    /** The small sample collection shipped with this module ({@code src/main/resources/sample}). */
    public static BeirCollection sample() {
        return loadClasspath("sample", "sample");
    }

    private static BufferedReader resource(String path) {
        InputStream in = BeirCollection.class.getClassLoader().getResourceAsStream(path);
        if (in == null) {
            throw new IllegalArgumentException("classpath resource " + path + " not found");
        }
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /**
     * Reads documents, one JSON object per line, in either form: a BEIR corpus line ({@code "_id"},
     * {@code "title"}, {@code "text"}) or one of this project's document messages ({@code "id"}, {@code "title"},
     * {@code "text"}, optional {@code "version"} and {@code "op": "upsert"}). Deletes and repeated ids are
     * refused, since the result is meant to be one snapshot of a corpus.
     */
    public static List<Document> loadDocumentsJsonl(Path file) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return readDocuments(in, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static List<Document> readDocuments(BufferedReader in, String source) throws IOException {
        List<Document> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String line;
        int lineNo = 0;
        while ((line = in.readLine()) != null) {
            lineNo++;
            JsonNode obj = parseLine(line, lineNo, source);
            if (obj == null) {
                continue;
            }
            String id = id(obj, source, lineNo);
            JsonNode op = obj.get("op");
            if (op != null && !op.isNull() && DocumentOp.fromWire(op.asText()) != DocumentOp.UPSERT) {
                throw bad(source, lineNo, "op '" + op.asText() + "' is not allowed in a corpus file (only upsert)");
            }
            Long version = null;
            JsonNode v = obj.get("version");
            if (v != null && !v.isNull()) {
                if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
                    throw bad(source, lineNo, "'version' must be a non-negative integer");
                }
                version = v.asLong();
            }
            String title = optionalString(obj, "title", source, lineNo);
            String text = optionalString(obj, "text", source, lineNo);
            if (!seen.add(id)) {
                throw bad(source, lineNo, "document id '" + id + "' appears more than once");
            }
            out.add(Document.upsert(id, title == null ? "" : title, text == null ? "" : text, version));
        }
        return out;
    }

    static List<Query> readQueries(BufferedReader in, String source) throws IOException {
        List<Query> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String line;
        int lineNo = 0;
        while ((line = in.readLine()) != null) {
            lineNo++;
            JsonNode obj = parseLine(line, lineNo, source);
            if (obj == null) {
                continue;
            }
            String id = id(obj, source, lineNo);
            String text = optionalString(obj, "text", source, lineNo);
            if (text == null) {
                throw bad(source, lineNo, "query has no 'text'");
            }
            if (!seen.add(id)) {
                throw bad(source, lineNo, "query id '" + id + "' appears more than once");
            }
            out.add(Query.search(id, text, null));
        }
        return out;
    }

    /** The parsed object, or null for a blank line. */
    private static JsonNode parseLine(String line, int lineNo, String source) {
        if (lineNo == 1 && line.startsWith("\uFEFF")) {
            line = line.substring(1);
        }
        if (line.isBlank()) {
            return null;
        }
        JsonNode obj;
        try {
            obj = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw bad(source, lineNo, "not valid JSON: " + e.getOriginalMessage());
        }
        if (obj == null || !obj.isObject()) {
            throw bad(source, lineNo, "expected a JSON object");
        }
        return obj;
    }

    private static String id(JsonNode obj, String source, int lineNo) {
        JsonNode id = obj.has("_id") ? obj.get("_id") : obj.get("id");
        if (id == null || id.isNull()) {
            throw bad(source, lineNo, "missing '_id' (BEIR) or 'id'");
        }
        if (!id.isTextual() && !id.isIntegralNumber()) {
            throw bad(source, lineNo, "id must be a string");
        }
        String s = id.asText();
        if (s.isBlank()) {
            throw bad(source, lineNo, "id is empty");
        }
        return s;
    }

    private static String optionalString(JsonNode obj, String field, String source, int lineNo) {
        JsonNode n = obj.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw bad(source, lineNo, "'" + field + "' must be a string");
        }
        return n.asText();
    }

    private static IllegalArgumentException bad(String source, int lineNo, String why) {
        return new IllegalArgumentException(source + " line " + lineNo + ": " + why);
    }

    /** The folder name (or the name given to {@link #loadClasspath}). */
    public String name() {
        return name;
    }

    /** Every document of the corpus, in file order. */
    public List<Document> documents() {
        return documents;
    }

    /**
     * The queries that have at least one relevant judgment (grade ≥ 1), in file order; these are the queries
     * metrics average over. Their {@code k} is null (the job's default); use {@link #queries(int)} to set it.
     */
    public List<Query> queries() {
        return queries;
    }

    /** {@link #queries()} with {@code k} set on copies of each query. */
    public List<Query> queries(int k) {
        List<Query> out = new ArrayList<>(queries.size());
        for (Query q : queries) {
            out.add(Query.search(q.id, q.text, k));
        }
        return out;
    }

    /** Every query in {@code queries.jsonl}, judged or not, in file order. */
    public List<Query> allQueries() {
        return allQueries;
    }

    public Qrels qrels() {
        return qrels;
    }

    @Override
    public String toString() {
        return "BeirCollection{" + name + ": documents=" + documents.size() + ", queries=" + queries.size()
                + ", judgments=" + qrels.size() + "}";
    }
}
