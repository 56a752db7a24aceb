package dev.streamretrieval.operators.index;

import dev.streamretrieval.operators.query.ShardQuery;
import dev.streamretrieval.operators.scoring.Bm25;
import dev.streamretrieval.schemas.Document;
import dev.streamretrieval.schemas.DocumentOp;
import dev.streamretrieval.operators.vectors.DenseCodec;
import dev.streamretrieval.operators.vectors.TokenCodec;
import dev.streamretrieval.schemas.QueryMode;
import dev.streamretrieval.schemas.QueryOp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The index of one virtual shard, in Flink keyed state (RocksDB in the job): input 1 indexes documents,
 * input 2 searches. Because both inputs are keyed by shard id, a query sees every document that reached its
 * shard before it did.
 *
 * <p>State per shard key:
 * <ul>
 *   <li>{@code terms}: term → {@link TermInfo} (df, block count, fill of the last block);</li>
 *   <li>{@code blocks}: "term\u0000blockNo" → encoded {@link PostingBlock};</li>
 *   <li>{@code docs}: document id → {@link DocEntry} (version, ordinal, the blocks its postings went to);</li>
 *   <li>{@code store}: ordinal → {@link StoredDocument} (id, title, text, version);</li>
 *   <li>{@code counters}: {@link ShardCounters} (N, total length, counts).</li>
 * </ul>
 */
public class ShardIndexFunction extends KeyedCoProcessFunction<Integer, IndexRequest, ShardQuery, ShardHits> {
    private static final long serialVersionUID = 1L;

    /** Measures the thread CPU time of a shard search, reported as the shard_search_cpu_sum stage timing. */
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private final Bm25 bm25;
    /** Null when the job has no dense / token representations. */
    private final DenseCodec denseCodec;
    private final TokenCodec tokenCodec;

    private transient MapState<String, TermInfo> terms;
    private transient MapState<String, byte[]> blocks;
    private transient MapState<String, DocEntry> docs;
    private transient MapState<Long, StoredDocument> store;
    private transient ValueState<ShardCounters> counters;
    private transient MapState<Integer, byte[]> denseBlocks;
    private transient MapState<Long, byte[]> tokenVectors;
    private transient Counter upsertsMetric;
    private transient Counter deletesMetric;
    private transient Counter staleMetric;
    private transient Counter searchesMetric;
    /**
     * Counters of each shard key this subtask has seen, equal to the state. Used by the task thread only; the
     * shard's gauges hold the same objects.
     */
    private transient Map<Integer, ShardCounters> latestCounters;
    /**
     * (shard, ordinal) → {id, title} of documents of this subtask, so that building candidates does not read and
     * deserialise whole stored documents (text included) from RocksDB: that was the largest cost of a BM25 shard
     * search. Transient and bounded (LRU); filled when a document is indexed or first read, dropped when it is
     * removed. Ordinals are never reused within an operator instance and a restore starts a new, empty cache.
     */
    private transient Map<Long, String[]> candidateRefs;
    private transient int currentShard;
    static final int CANDIDATE_CACHE_ENTRIES = 1 << 20;

    public ShardIndexFunction(Bm25 bm25) {
        this(bm25, null, null);
    }

    public ShardIndexFunction(Bm25 bm25, DenseCodec denseCodec, TokenCodec tokenCodec) {
        this.bm25 = bm25;
        this.denseCodec = denseCodec;
        this.tokenCodec = tokenCodec;
    }

    @Override
    public void open(OpenContext openContext) {
        terms = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("terms", Types.STRING, TypeInformation.of(TermInfo.class)));
        blocks = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("posting-blocks", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        docs = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("docs", Types.STRING, TypeInformation.of(DocEntry.class)));
        store = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("document-store", Types.LONG, TypeInformation.of(StoredDocument.class)));
        denseBlocks = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("dense-blocks", Types.INT, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        tokenVectors = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("token-vectors", Types.LONG, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        counters = getRuntimeContext().getState(
                new ValueStateDescriptor<>("counters", TypeInformation.of(ShardCounters.class)));
        var group = getRuntimeContext().getMetricGroup();
        upsertsMetric = group.counter("documentsIndexed");
        deletesMetric = group.counter("documentsDeleted");
        staleMetric = group.counter("staleVersionsIgnored");
        searchesMetric = group.counter("shardSearches");
        group.meter("documentsIndexedPerSecond", new MeterView(upsertsMetric));
        latestCounters = new HashMap<>();
        candidateRefs = new java.util.LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, String[]> eldest) {
                return size() > CANDIDATE_CACHE_ENTRIES;
            }
        };
    }

    // ---------------------------------------------------------------- indexing

    @Override
    public void processElement1(IndexRequest request, Context ctx, Collector<ShardHits> out) throws Exception {
        currentShard = ctx.getCurrentKey();
        ShardCounters c = currentCounters();
        DocEntry existing = docs.get(request.docId);
        if (isStale(existing, request.version)) {
            c.staleIgnored++;
            staleMetric.inc();
            counters.update(c);
            return;
        }
        if (existing != null && !existing.deleted) {
            removePostings(existing, c);
        } else if (existing != null) {
            c.tombstones--;
        }
        if (request.op == DocumentOp.DELETE) {
            if (existing != null && !existing.deleted) {
                c.deletesApplied++;
                deletesMetric.inc();
            }
            Long version = request.version != null ? request.version : existing == null ? null : existing.version;
            if (version != null) {
                // Remember the delete so that an older upsert delivered later cannot bring the document back.
                DocEntry tombstone = new DocEntry();
                tombstone.deleted = true;
                tombstone.version = version;
                docs.put(request.docId, tombstone);
                c.tombstones++;
            } else if (existing != null) {
                // without a version a tombstone could never refuse anything: keeping it would only grow the state
                docs.remove(request.docId);
            }
        } else {
            addPostings(request, c);
            c.upsertsApplied++;
            upsertsMetric.inc();
        }
        counters.update(c);
    }

    /**
     * Puts a shard's counters into {@link #latestCounters} and registers its gauges (group {@code shard} → id),
     * which read that same object; called once per shard key and operator instance.
     */
    private void registerShard(int shard, ShardCounters c) {
        latestCounters.put(shard, c);
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("shard", String.valueOf(shard));
        g.gauge("documents", (Gauge<Long>) () -> c.docCount);
        g.gauge("terms", (Gauge<Long>) () -> c.terms);
        g.gauge("tombstones", (Gauge<Long>) () -> c.tombstones);
        g.gauge("postingBytes", (Gauge<Long>) () -> c.postingBytes);
        g.gauge("storeBytes", (Gauge<Long>) () -> c.storeBytes);
        g.gauge("denseBytes", (Gauge<Long>) () -> c.denseBytes);
        g.gauge("tokenBytes", (Gauge<Long>) () -> c.tokenBytes);
    }

    /** What a stored document counts in {@link ShardCounters#storeBytes}: UTF-8 bytes of id, title and text. */
    static long storedBytes(StoredDocument d) {
        return utf8Length(d.docId) + utf8Length(d.title) + utf8Length(d.text);
    }

    private static long utf8Length(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** A record is stale when both it and the indexed entry carry versions and it is not newer. */
    static boolean isStale(DocEntry existing, Long incoming) {
        return existing != null && existing.version != null && incoming != null && incoming <= existing.version;
    }

    private void addPostings(IndexRequest r, ShardCounters c) throws Exception {
        long ordinal = c.nextOrdinal++;
        DocEntry entry = new DocEntry();
        entry.version = r.version;
        entry.ordinal = ordinal;
        entry.length = r.length;
        entry.title = r.title;
        entry.terms = r.terms;
        entry.blocks = new int[r.terms.length];
        for (int i = 0; i < r.terms.length; i++) {
            String term = r.terms[i];
            TermInfo info = terms.get(term);
            if (info == null) {
                info = new TermInfo();
                c.terms++;
            }
            PostingBlock block;
            byte[] previous = null;
            if (info.blocks == 0 || info.lastBlockSize >= PostingBlock.CAPACITY) {
                block = new PostingBlock();
                info.blocks++;
                info.lastBlockSize = 0;
            } else {
                previous = blocks.get(blockKey(term, info.blocks - 1));
                block = PostingBlock.decode(previous);
            }
            block.append(ordinal, r.freqs[i], r.length);
            byte[] encoded = block.encode();
            blocks.put(blockKey(term, info.blocks - 1), encoded);
            c.postingBytes += encoded.length - (previous == null ? 0 : previous.length);
            info.lastBlockSize = block.size();
            info.docFreq++;
            terms.put(term, info);
            entry.blocks[i] = info.blocks - 1;
        }
        addVectors(r, entry, ordinal, c);
        docs.put(r.docId, entry);
        StoredDocument stored = new StoredDocument(r.docId, r.title, r.text, r.version);
        store.put(ordinal, stored);
        candidateRefs.put(refKey(ordinal), new String[] {r.docId, r.title});
        c.storeBytes += storedBytes(stored);
        c.docCount++;
        c.totalLength += r.length;
        c.postings += r.terms.length;
    }

    private void removePostings(DocEntry entry, ShardCounters c) throws Exception {
        for (int i = 0; i < entry.terms.length; i++) {
            String term = entry.terms[i];
            TermInfo info = terms.get(term);
            if (info == null) {
                throw new IllegalStateException("index corrupt: term '" + term + "' of a live document has no info");
            }
            int blockNo = entry.blocks[i];
            String key = blockKey(term, blockNo);
            byte[] previous = blocks.get(key);
            PostingBlock block = PostingBlock.decode(previous);
            if (!block.remove(entry.ordinal)) {
                throw new IllegalStateException("index corrupt: posting of ordinal " + entry.ordinal
                        + " missing from block " + blockNo + " of term '" + term + "'");
            }
            info.docFreq--;
            if (info.docFreq == 0) {
                for (int b = 0; b < info.blocks; b++) {
                    byte[] gone = b == blockNo ? previous : blocks.get(blockKey(term, b));
                    if (gone != null) {
                        c.postingBytes -= gone.length;
                    }
                    blocks.remove(blockKey(term, b));
                }
                terms.remove(term);
                c.terms--;
                continue;
            }
            if (block.size() == 0 && blockNo != info.blocks - 1) {
                // an emptied block in the middle of the list: the last block takes its place, so a term's blocks
                // stay bounded by its live postings instead of growing with every update (found by the soak test)
                c.postingBytes -= previous.length;
                moveLastPostingBlock(term, info, blockNo);
            } else {
                byte[] encoded = block.encode();
                blocks.put(key, encoded);
                c.postingBytes += encoded.length - previous.length;
                if (blockNo == info.blocks - 1) {
                    info.lastBlockSize = block.size();
                }
            }
            terms.put(term, info);
        }
        removeVectors(entry, c);
        StoredDocument gone = store.get(entry.ordinal);
        if (gone != null) {
            c.storeBytes -= storedBytes(gone);
        }
        store.remove(entry.ordinal);
        candidateRefs.remove(refKey(entry.ordinal));
        c.docCount--;
        c.totalLength -= entry.length;
        c.postings -= entry.terms.length;
    }

    /** Appends the dense vector to the last vector block and stores the token vectors under the ordinal. */
    private void addVectors(IndexRequest r, DocEntry entry, long ordinal, ShardCounters c) throws Exception {
        if (r.dense != null) {
            VectorBlock block;
            if (c.denseBlocks == 0 || c.lastDenseBlockSize >= VectorBlock.CAPACITY) {
                block = VectorBlock.empty(r.dense.length);
                c.denseBlocks++;
                c.lastDenseBlockSize = 0;
            } else {
                block = VectorBlock.wrap(denseBlocks.get(c.denseBlocks - 1));
            }
            block.append(ordinal, r.dense);
            denseBlocks.put(c.denseBlocks - 1, block.bytes());
            c.lastDenseBlockSize = block.size();
            entry.denseBlock = c.denseBlocks - 1;
            c.denseBytes += r.dense.length;
        }
        if (r.tokens != null) {
            tokenVectors.put(ordinal, r.tokens);
            c.tokenBytes += r.tokens.length;
            c.tokenCount += TokenCodec.tokenCount(r.tokens);
        }
    }

    private void removeVectors(DocEntry entry, ShardCounters c) throws Exception {
        if (entry.denseBlock >= 0) {
            byte[] bytes = denseBlocks.get(entry.denseBlock);
            VectorBlock block = VectorBlock.wrap(bytes);
            int vectorBytes = block.vectorBytes();
            if (!block.remove(entry.ordinal)) {
                throw new IllegalStateException("index corrupt: vector of ordinal " + entry.ordinal
                        + " missing from dense block " + entry.denseBlock);
            }
            if (block.size() == 0 && entry.denseBlock != c.denseBlocks - 1) {
                moveLastDenseBlock(entry.denseBlock, c); // as for posting blocks: no empty blocks in the middle
            } else {
                denseBlocks.put(entry.denseBlock, block.bytes());
                if (entry.denseBlock == c.denseBlocks - 1) {
                    c.lastDenseBlockSize = block.size();
                }
            }
            c.denseBytes -= vectorBytes;
        }
        byte[] tokens = tokenVectors.get(entry.ordinal);
        if (tokens != null) {
            tokenVectors.remove(entry.ordinal);
            c.tokenBytes -= tokens.length;
            c.tokenCount -= TokenCodec.tokenCount(tokens);
        }
    }

    /**
     * Moves a term's last posting block into slot {@code to}, emptied by removals, and repoints the documents whose
     * postings it holds. Ordinals stay ascending within each block, which is all appends and removals need.
     */
    private void moveLastPostingBlock(String term, TermInfo info, int to) throws Exception {
        int last = info.blocks - 1;
        byte[] moved = blocks.get(blockKey(term, last));
        blocks.put(blockKey(term, to), moved);
        blocks.remove(blockKey(term, last));
        info.blocks--;
        PostingBlock block = PostingBlock.decode(moved);
        for (int i = 0; i < block.size(); i++) {
            DocEntry entry = liveEntry(block.ordinal(i), "term '" + term + "'");
            for (int t = 0; t < entry.terms.length; t++) {
                if (entry.terms[t].equals(term)) {
                    entry.blocks[t] = to;
                }
            }
            docs.put(store.get(block.ordinal(i)).docId, entry);
        }
        info.lastBlockSize = info.blocks - 1 == to ? block.size()
                : PostingBlock.decode(blocks.get(blockKey(term, info.blocks - 1))).size();
    }

    /** {@link #moveLastPostingBlock} for the dense vector blocks. */
    private void moveLastDenseBlock(int to, ShardCounters c) throws Exception {
        int last = c.denseBlocks - 1;
        byte[] moved = denseBlocks.get(last);
        denseBlocks.put(to, moved);
        denseBlocks.remove(last);
        c.denseBlocks--;
        VectorBlock block = VectorBlock.wrap(moved);
        for (int i = 0; i < block.size(); i++) {
            DocEntry entry = liveEntry(block.ordinal(i), "the dense vectors");
            entry.denseBlock = to;
            docs.put(store.get(block.ordinal(i)).docId, entry);
        }
        c.lastDenseBlockSize = c.denseBlocks - 1 == to ? block.size() : VectorBlock.wrap(denseBlocks.get(c.denseBlocks - 1)).size();
    }

    private DocEntry liveEntry(long ordinal, String where) throws Exception {
        StoredDocument stored = store.get(ordinal);
        DocEntry entry = stored == null ? null : docs.get(stored.docId);
        if (entry == null || entry.deleted || entry.ordinal != ordinal) {
            throw new IllegalStateException("index corrupt: ordinal " + ordinal + " in " + where + " without its document");
        }
        return entry;
    }

    /** Key of {@link #candidateRefs}: the shard in the high bits, the ordinal (per shard, < 2^40) below. */
    private long refKey(long ordinal) {
        return ((long) currentShard << 40) ^ ordinal;
    }

    static String blockKey(String term, int blockNo) {
        return term + '\u0000' + blockNo;
    }

    /**
     * The current shard's counters, changed in place by the caller (who then writes them to the state). Every
     * query needs them (N and total length for BM25), so they live on the heap in {@link #latestCounters}: this
     * operator is the only writer of the state and writes every change. The state is read only for a shard this
     * instance has not seen since it was opened (after a restore or rescale). Reading RocksDB here on every query
     * was about a third of a BM25 shard search's CPU time.
     */
    private ShardCounters currentCounters() throws Exception {
        ShardCounters c = latestCounters.get(currentShard);
        if (c == null) {
            ShardCounters stored = counters.value();
            c = stored == null ? new ShardCounters() : stored;
            registerShard(currentShard, c);
        }
        return c;
    }

    // ---------------------------------------------------------------- searching

    @Override
    public void processElement2(ShardQuery q, Context ctx, Collector<ShardHits> out) throws Exception {
        long start = System.nanoTime();
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        currentShard = ctx.getCurrentKey();
        searchesMetric.inc();
        ShardCounters c = currentCounters();
        ShardHits hits = new ShardHits();
        hits.requestId = q.requestId;
        hits.queryId = q.queryId;
        hits.shard = ctx.getCurrentKey();
        hits.shardCount = q.shardCount;
        hits.op = q.op;
        hits.mode = q.mode;
        hits.k = q.k;
        hits.terms = q.terms;
        hits.queryFreqs = q.queryFreqs;
        hits.receivedAt = q.receivedAt;
        hits.docCount = c.docCount;
        hits.totalLength = c.totalLength;
        if (q.op == QueryOp.STATS) {
            hits.counters = c.copy(); // a snapshot: c is the live heap copy that later writes change
        } else {
            search(q, c, hits);
        }
        hits.searchMillis = (System.nanoTime() - start) / 1e6;
        hits.searchCpuMillis = (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e6;
        hits.encodeMillis = q.encodeMillis;
        out.collect(hits);
    }

    /** Runs the query's mode over this shard and fills the candidates. */
    private void search(ShardQuery q, ShardCounters c, ShardHits hits) throws Exception {
        hits.text = q.text;
        hits.bm25Depth = q.bm25Depth;
        hits.denseDepth = q.denseDepth;
        hits.fusion = q.fusion;
        Bm25Matches matches = q.mode == QueryMode.DENSE ? new Bm25Matches(q.terms.length, 0) : bm25Matches(q, c, hits);
        hits.matched = matches.size();
        switch (q.mode) {
            case BM25 -> hits.candidates = candidates(matches.top(q.shardDepth), matches, null, q.terms.length);
            case DENSE -> {
                Map<Long, Float> dense = denseScan(q.denseVector, c);
                hits.matched = dense.size();
                hits.candidates = candidates(topByDense(dense, q.shardDepth), matches, dense, q.terms.length);
            }
            case HYBRID, FULL -> {
                Map<Long, Float> dense = denseScan(q.denseVector, c);
                List<Long> bm25List = matches.top(q.bm25Depth);
                List<Long> denseList = topByDense(dense, q.denseDepth);
                LinkedHashSet<Long> union = new LinkedHashSet<>(bm25List);
                union.addAll(denseList);
                List<Long> ordinals = new ArrayList<>(union);
                Candidate[] cands = candidates(ordinals, matches, dense, q.terms.length);
                Set<Long> inBm25 = new HashSet<>(bm25List);
                Set<Long> inDense = new HashSet<>(denseList);
                for (int i = 0; i < cands.length; i++) {
                    cands[i].inBm25List = inBm25.contains(ordinals.get(i));
                    cands[i].inDenseList = inDense.contains(ordinals.get(i));
                }
                if (q.mode == QueryMode.FULL) {
                    long maxSimStart = System.nanoTime();
                    scoreMaxSim(q, bm25List, denseList, ordinals, cands);
                    hits.maxSimMillis = (System.nanoTime() - maxSimStart) / 1e6;
                }
                hits.candidates = cands;
            }
        }
    }

    /**
     * Scores every posting of the query terms with this shard's statistics, term at a time. The term infos are
     * read first so that the match table can be sized from their document frequencies.
     */
    private Bm25Matches bm25Matches(ShardQuery q, ShardCounters c, ShardHits hits) throws Exception {
        int n = q.terms.length;
        hits.docFreqs = new long[n];
        float avgLength = Bm25.averageLength(c.totalLength, c.docCount);
        TermInfo[] infos = new TermInfo[n];
        long postings = 0;
        for (int t = 0; t < n; t++) {
            infos[t] = terms.get(q.terms[t]);
            if (infos[t] != null) {
                hits.docFreqs[t] = infos[t].docFreq;
                postings += infos[t].docFreq;
            }
        }
        Bm25Matches matches = new Bm25Matches(n, postings);
        for (int t = 0; t < n; t++) {
            TermInfo info = infos[t];
            if (info == null) {
                continue;
            }
            float weightedIdf = q.queryFreqs[t] * Bm25.idf(info.docFreq, c.docCount);
            for (int b = 0; b < info.blocks; b++) {
                PostingBlock block = PostingBlock.decode(blocks.get(blockKey(q.terms[t], b)));
                for (int i = 0; i < block.size(); i++) {
                    matches.add(block.ordinal(i), t, block.freq(i), block.length(i),
                            bm25.termScore(weightedIdf, block.freq(i), block.length(i), avgLength));
                }
            }
        }
        return matches;
    }

    private static List<Long> topByDense(Map<Long, Float> dense, int depth) {
        long[] ordinals = new long[dense.size()];
        float[] scores = new float[dense.size()];
        int n = 0;
        for (Map.Entry<Long, Float> e : dense.entrySet()) {
            ordinals[n] = e.getKey();
            scores[n++] = e.getValue();
        }
        return topByScore(ordinals, scores, depth);
    }

    /**
     * Best {@code depth} ordinals: score descending in {@link Float#compare} order, then ordinal ascending. Sorts
     * one primitive key per document (score bits made sortable in the high half, ordinal in the low half) instead
     * of a priority queue of boxed map entries; falls back to the queue for ordinals beyond 32 bits.
     */
    static List<Long> topByScore(long[] ordinals, float[] scores, int depth) {
        int n = ordinals.length;
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            if (ordinals[i] < 0 || ordinals[i] > 0xffffffffL) {
                return topByScoreQueue(ordinals, scores, depth);
            }
            int bits = Float.floatToIntBits(scores[i]);
            long ascending = ((bits ^ ((bits >> 31) & 0x7fffffff)) ^ 0x80000000) & 0xffffffffL;
            keys[i] = (((0xffffffffL - ascending) << 32) | ordinals[i]) ^ Long.MIN_VALUE; // unsigned order for a signed sort
        }
        java.util.Arrays.sort(keys);
        List<Long> out = new ArrayList<>(Math.min(depth, n));
        for (int i = 0; i < n && i < depth; i++) {
            out.add(keys[i] & 0xffffffffL);
        }
        return out;
    }

    static List<Long> topByScoreQueue(long[] ordinals, float[] scores, int depth) {
        PriorityQueue<Integer> best = new PriorityQueue<>(
                (a, b) -> Float.compare(scores[a], scores[b]) != 0 ? Float.compare(scores[a], scores[b])
                        : Long.compare(ordinals[b], ordinals[a]));
        for (int i = 0; i < ordinals.length; i++) {
            best.add(i);
            if (best.size() > depth) {
                best.poll();
            }
        }
        List<Long> out = new ArrayList<>(best.size());
        while (!best.isEmpty()) {
            out.add(ordinals[best.poll()]);
        }
        java.util.Collections.reverse(out);
        return out;
    }

    /**
     * Exact dense scan: reads the shard's vector blocks (one state read per {@link VectorBlock#CAPACITY} vectors)
     * and scores the encoded bytes in place. Returns every document's similarity.
     */
    private Map<Long, Float> denseScan(float[] query, ShardCounters c) throws Exception {
        Map<Long, Float> scores = new HashMap<>();
        if (query == null || denseCodec == null) {
            return scores;
        }
        for (int b = 0; b < c.denseBlocks; b++) {
            byte[] bytes = denseBlocks.get(b);
            if (bytes == null) {
                continue;
            }
            VectorBlock block = VectorBlock.wrap(bytes);
            for (int i = 0; i < block.size(); i++) {
                scores.put(block.ordinal(i), denseCodec.dot(query, bytes, block.vectorOffset(i)));
            }
        }
        return scores;
    }

    /**
     * full mode: fuses this shard's BM25 and dense lists by reciprocal rank, scores the best {@code maxSimDepth}
     * with MaxSim over their stored token vectors, and attaches their text for the cross-encoder.
     */
    private void scoreMaxSim(ShardQuery q, List<Long> bm25List, List<Long> denseList, List<Long> ordinals,
            Candidate[] cands) throws Exception {
        if (tokenCodec == null || q.tokenVectors == null) {
            return;
        }
        Map<Long, Double> fused = new HashMap<>();
        for (int r = 0; r < bm25List.size(); r++) {
            fused.merge(bm25List.get(r), 1.0 / (60 + r + 1), Double::sum);
        }
        for (int r = 0; r < denseList.size(); r++) {
            fused.merge(denseList.get(r), 1.0 / (60 + r + 1), Double::sum);
        }
        List<Long> order = new ArrayList<>(fused.keySet());
        order.sort((a, b) -> fused.get(b).compareTo(fused.get(a)) != 0 ? fused.get(b).compareTo(fused.get(a)) : Long.compare(a, b));
        Set<Long> chosen = new HashSet<>(order.subList(0, Math.min(q.maxSimDepth, order.size())));
        TokenCodec.PreparedQuery prepared = TokenCodec.prepare(q.tokenVectors);
        for (int i = 0; i < cands.length; i++) {
            long ordinal = ordinals.get(i);
            if (!chosen.contains(ordinal)) {
                continue;
            }
            byte[] vectors = tokenVectors.get(ordinal);
            if (vectors != null) {
                cands[i].maxSimScore = tokenCodec.maxSim(prepared, vectors);
            }
            StoredDocument doc = store.get(ordinal);
            cands[i].passage = Document.indexableText(doc.title, doc.text);
        }
    }

    /** Candidates for the given ordinals (in order), with BM25 statistics and dense scores where known. */
    private Candidate[] candidates(List<Long> ordinals, Bm25Matches matches, Map<Long, Float> dense,
            int termCount) throws Exception {
        Candidate[] out = new Candidate[ordinals.size()];
        for (int i = 0; i < out.length; i++) {
            long ordinal = ordinals.get(i);
            String[] ref = candidateRefs.get(refKey(ordinal));
            if (ref == null) {
                StoredDocument doc = store.get(ordinal);
                if (doc == null) {
                    throw new IllegalStateException("index corrupt: ordinal " + ordinal + " without a document");
                }
                ref = new String[] {doc.docId, doc.title};
                candidateRefs.put(refKey(ordinal), ref);
            }
            Candidate cand = new Candidate();
            cand.docId = ref[0];
            cand.title = ref[1];
            int slot = matches.find(ordinal);
            if (slot >= 0) {
                cand.length = matches.length(slot);
                cand.termFreqs = matches.termFreqs(slot);
                cand.localScore = matches.score(slot);
            } else {
                cand.termFreqs = new int[termCount];
            }
            Float denseScore = dense == null ? null : dense.get(ordinal);
            if (denseScore != null) {
                cand.denseScore = denseScore;
            }
            out[i] = cand;
        }
        return out;
    }
}
