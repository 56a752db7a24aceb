package dev.streamretrieval.jobs.evaluation;

import dev.streamretrieval.operators.analysis.TextAnalyzer;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.Query;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;

/**
 * The reference ranking: an in-process Lucene index over the same documents, analysed by the same
 * {@link TextAnalyzer} and scored by Lucene's {@link BM25Similarity} with the same k1 and b, queried the way
 * Anserini's bag-of-words BM25 does (one SHOULD clause per query token, repeats kept). The streaming job's BM25
 * top k should agree with it; ties are broken by insertion order (Lucene doc id).
 */
public final class LuceneBaseline implements AutoCloseable {
    /** Minimum {@link IndexSearcher#getMaxClauseCount()} set before searching, so long queries do not fail. */
    public static final int MIN_MAX_CLAUSE_COUNT = 4096;

    /** The stored field holding the document id. */
    public static final String ID_FIELD = "id";

    /** A ranked document id with its Lucene score. */
    public record ScoredDoc(String id, float score) {}

    private final TextAnalyzer analyzer;
    private final BM25Similarity similarity;
    private final ByteBuffersDirectory directory;
    private final DirectoryReader reader;
    private final IndexSearcher searcher;

    private LuceneBaseline(TextAnalyzer analyzer, BM25Similarity similarity, ByteBuffersDirectory directory,
            DirectoryReader reader) {
        this.analyzer = analyzer;
        this.similarity = similarity;
        this.directory = directory;
        this.reader = reader;
        this.searcher = new IndexSearcher(reader);
        this.searcher.setSimilarity(similarity);
    }

    /**
     * Indexes {@code docs} in order, each as a stored {@code id} {@link StringField} and a {@link TextField}
     * {@link TextAnalyzer#FIELD} holding {@link Document#indexableText()}.
     */
    public static LuceneBaseline build(List<Document> docs, TextAnalyzer analyzer, double k1, double b) {
        BM25Similarity similarity = new BM25Similarity((float) k1, (float) b);
        ByteBuffersDirectory directory = new ByteBuffersDirectory();
        try {
            IndexWriterConfig config = new IndexWriterConfig(analyzer.luceneAnalyzer())
                    .setSimilarity(similarity)
                    .setOpenMode(IndexWriterConfig.OpenMode.CREATE);
            try (IndexWriter writer = new IndexWriter(directory, config)) {
                for (Document doc : docs) {
                    if (doc.id == null) {
                        throw new IllegalArgumentException("document without id: " + doc);
                    }
                    org.apache.lucene.document.Document ld = new org.apache.lucene.document.Document();
                    ld.add(new StringField(ID_FIELD, doc.id, Field.Store.YES));
                    ld.add(new TextField(TextAnalyzer.FIELD, doc.indexableText(), Field.Store.NO));
                    writer.addDocument(ld);
                }
                writer.commit();
            }
            return new LuceneBaseline(analyzer, similarity, directory, DirectoryReader.open(directory));
        } catch (IOException e) {
            closeQuietly(directory);
            throw new UncheckedIOException("cannot build the in-memory Lucene index", e);
        } catch (RuntimeException e) {
            closeQuietly(directory);
            throw e;
        }
    }

    /** Number of indexed documents. */
    public int size() {
        return reader.numDocs();
    }

    /** The top {@code k} document ids for {@code queryText}, best first; empty when the text has no tokens. */
    public List<String> search(String queryText, int k) {
        List<ScoredDoc> hits = searchScored(queryText, k);
        List<String> ids = new ArrayList<>(hits.size());
        for (ScoredDoc h : hits) {
            ids.add(h.id());
        }
        return ids;
    }

    /** Like {@link #search} with Lucene's scores. */
    public List<ScoredDoc> searchScored(String queryText, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        List<String> tokens = analyzer.tokens(queryText == null ? "" : queryText);
        if (tokens.isEmpty()) {
            return List.of();
        }
        ensureClauseLimit(tokens.size());
        BooleanQuery.Builder query = new BooleanQuery.Builder();
        for (String t : tokens) {
            query.add(new TermQuery(new Term(TextAnalyzer.FIELD, t)), BooleanClause.Occur.SHOULD);
        }
        try {
            TopDocs top = searcher.search(query.build(), k);
            StoredFields stored = searcher.storedFields();
            List<ScoredDoc> out = new ArrayList<>(top.scoreDocs.length);
            for (ScoreDoc sd : top.scoreDocs) {
                out.add(new ScoredDoc(stored.document(sd.doc).get(ID_FIELD), sd.score));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("Lucene search failed", e);
        }
    }

    /** Query id → top {@code k} document ids, for every query, in input order. */
    public Map<String, List<String>> searchAll(List<Query> queries, int k) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Query q : queries) {
            out.put(q.id, search(q.text, k));
        }
        return out;
    }

    private static synchronized void ensureClauseLimit(int clauses) {
        int wanted = Math.max(MIN_MAX_CLAUSE_COUNT, clauses);
        if (IndexSearcher.getMaxClauseCount() < wanted) {
            IndexSearcher.setMaxClauseCount(wanted);
        }
    }

    public BM25Similarity similarity() {
        return similarity;
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            closeQuietly(directory);
        }
    }

    private static void closeQuietly(ByteBuffersDirectory directory) {
        try {
            directory.close();
        } catch (IOException | RuntimeException ignored) {
            // an in-memory directory has nothing left to release
        }
    }
}
