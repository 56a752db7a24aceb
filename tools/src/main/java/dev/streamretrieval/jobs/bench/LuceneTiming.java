package dev.streamretrieval.jobs.bench;

import dev.streamretrieval.jobs.evaluation.LuceneBaseline;
import dev.streamretrieval.operators.analysis.TextAnalyzer;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.Query;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;

/**
 * Section 3, Lucene's side: an in-memory index of the same documents (same analyzer, {@code BM25Similarity(k1, b)},
 * one SHOULD clause per query token, as {@link LuceneBaseline}), one {@link IndexSearcher} on one thread, top-100.
 * Query analysis is outside the timing on both sides (the job analyses queries before the shards). Each query is
 * timed by thread CPU time and wall time, after warm-up passes, averaged over repeated passes; "with ids" adds
 * reading the stored id of the hits (the job's shards likewise read each candidate's id from their store).
 */
final class LuceneTiming {
    private LuceneTiming() {}

    static Map<String, Object> run(Iterable<Document> docs, List<Query> queries, TextAnalyzer analyzer, double k1,
            double b, int depth, int repeats) throws IOException {
        try (ByteBuffersDirectory dir = new ByteBuffersDirectory()) {
            return run(dir, docs, queries, analyzer, k1, b, depth, repeats);
        }
    }

    /**
     * As above, the index in {@code dir}: {@code scale} passes a folder on disk (memory-mapped) so that a million
     * documents are not indexed on the heap; {@code docs} is read once, so it may be generated on the fly.
     */
    static Map<String, Object> run(Directory dir, Iterable<Document> docs, List<Query> queries, TextAnalyzer analyzer,
            double k1, double b, int depth, int repeats) throws IOException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        BM25Similarity similarity = new BM25Similarity((float) k1, (float) b);
        IndexWriterConfig config = new IndexWriterConfig(analyzer.luceneAnalyzer()).setSimilarity(similarity);
        try (IndexWriter w = new IndexWriter(dir, config)) {
            for (Document d : docs) {
                org.apache.lucene.document.Document ld = new org.apache.lucene.document.Document();
                ld.add(new StringField(LuceneBaseline.ID_FIELD, d.id, Field.Store.YES));
                ld.add(new TextField(TextAnalyzer.FIELD, d.indexableText(), Field.Store.NO));
                w.addDocument(ld);
            }
            w.forceMerge(1);
        }
        try (DirectoryReader reader = DirectoryReader.open(dir)) {
            IndexSearcher searcher = new IndexSearcher(reader);
            searcher.setSimilarity(similarity);
            IndexSearcher.setMaxClauseCount(Math.max(IndexSearcher.getMaxClauseCount(), LuceneBaseline.MIN_MAX_CLAUSE_COUNT));
            List<BooleanQuery> built = new ArrayList<>();
            for (Query q : queries) {
                List<String> tokens = analyzer.tokens(q.text == null ? "" : q.text);
                if (tokens.isEmpty()) {
                    continue;
                }
                BooleanQuery.Builder bq = new BooleanQuery.Builder();
                for (String t : tokens) {
                    bq.add(new TermQuery(new Term(TextAnalyzer.FIELD, t)), BooleanClause.Occur.SHOULD);
                }
                built.add(bq.build());
            }
            long sink = 0;
            for (int pass = 0; pass < 3; pass++) { // warm-up
                for (BooleanQuery q : built) {
                    sink += searcher.search(q, depth).scoreDocs.length;
                }
            }
            Samples cpuSearch = new Samples();
            Samples cpuWithIds = new Samples();
            Samples wallWithIds = new Samples();
            for (int pass = 0; pass < repeats; pass++) {
                for (BooleanQuery q : built) {
                    long w0 = System.nanoTime();
                    long c0 = threads.getCurrentThreadCpuTime();
                    TopDocs top = searcher.search(q, depth);
                    long c1 = threads.getCurrentThreadCpuTime();
                    StoredFields stored = searcher.storedFields();
                    for (ScoreDoc sd : top.scoreDocs) {
                        sink += stored.document(sd.doc).get(LuceneBaseline.ID_FIELD).length();
                    }
                    long c2 = threads.getCurrentThreadCpuTime();
                    long w1 = System.nanoTime();
                    cpuSearch.add((c1 - c0) / 1e6);
                    cpuWithIds.add((c2 - c0) / 1e6);
                    wallWithIds.add((w1 - w0) / 1e6);
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("queries", built.size());
            out.put("passes", repeats);
            out.put("depth", depth);
            out.put("cpu_ms_search", cpuSearch.summary());
            out.put("cpu_ms_search_and_ids", cpuWithIds.summary());
            out.put("wall_ms_search_and_ids", wallWithIds.summary());
            out.put("checksum", sink);
            return out;
        }
    }
}
