package io.dnnvis.trace.backward;

import ai.onnxruntime.OrtSession;
import io.dnnvis.trace.Memo;
import io.dnnvis.trace.OrtSessions;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Compiled graphs and their ONNX Runtime sessions by key: one future per key, so that a key is
 * compiled once however many threads ask, while different keys compile in parallel; at most
 * {@code capacity} sessions, the least recently used key evicted first (several keys may share one
 * session). A session is closed when no key maps to it
 * any more and no run holds it ({@link Lease}). Thread-safe.
 *
 * @param <K> the key (a value type)
 */
final class SessionCache<K> implements AutoCloseable {

    /** A compiled graph and the session that runs it. */
    record Compiled(CompiledBackward graph, OrtSession session) {
    }

    private static final class Entry {
        final CompletableFuture<Compiled> future = new CompletableFuture<>();
        int keys;
        int leases;
        boolean closed;
    }

    /** A compiled graph held for one run; closing it lets the cache close an evicted session. */
    final class Lease implements AutoCloseable {
        private final Entry entry;
        private final Compiled compiled;
        private final boolean compiledNow;

        private Lease(Entry entry, Compiled compiled, boolean compiledNow) {
            this.entry = entry;
            this.compiled = compiled;
            this.compiledNow = compiledNow;
        }

        /** Whether this acquire compiled the graph (the first for its key). */
        boolean compiledNow() {
            return compiledNow;
        }

        CompiledBackward graph() {
            return compiled.graph();
        }

        OrtSession session() {
            return compiled.session();
        }

        @Override
        public void close() {
            release(entry);
        }
    }

    private final int capacity;
    /** Access-ordered: the first key is the least recently used. Guarded by {@code this}. */
    private final LinkedHashMap<K, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private boolean closed;

    SessionCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * The compiled graph of {@code key}, compiling it by {@code compile} on this thread if no other
     * thread has (others asking for the same key meanwhile wait for it).
     */
    Lease acquire(K key, Function<K, Compiled> compile) {
        Entry entry;
        boolean mine = false;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("engine is closed");
            }
            entry = entries.get(key);
            if (entry == null) {
                entry = new Entry();
                entry.keys = 1;
                entries.put(key, entry);
                mine = true;
            }
            entry.leases++;
        }
        if (mine) {
            try {
                entry.future.complete(compile.apply(key));
            } catch (RuntimeException | Error e) {
                synchronized (this) {
                    if (entries.remove(key, entry)) {
                        entry.keys--;
                    }
                }
                entry.future.completeExceptionally(e);
            }
        }
        Compiled compiled;
        try {
            compiled = entry.future.join();
        } catch (CompletionException e) {
            release(entry);
            throw Memo.unwrap(e);
        }
        if (mine) {
            evictOverCapacity(); // only a new key can take the cache over its bound
        }
        return new Lease(entry, compiled, mine);
    }

    /** Lets {@code other} map to what {@code lease} holds (a graph that serves both keys), unless it maps already. */
    synchronized void alias(K other, Lease lease) {
        if (!closed && !entries.containsKey(other)) {
            entries.put(other, lease.entry);
            lease.entry.keys++;
            evictOverCapacityLocked();
        }
    }

    /** How many distinct compiled sessions are cached. */
    synchronized int size() {
        return distinct(entries.values()).size();
    }

    private void evictOverCapacity() {
        synchronized (this) {
            evictOverCapacityLocked();
        }
    }

    private void evictOverCapacityLocked() {
        Iterator<Entry> it = entries.values().iterator();
        while (distinct(entries.values()).size() > capacity && it.hasNext()) {
            Entry eldest = it.next();
            it.remove();
            eldest.keys--;
            closeIfUnused(eldest);
        }
    }

    private synchronized void release(Entry entry) {
        entry.leases--;
        closeIfUnused(entry);
    }

    private void closeIfUnused(Entry entry) {
        if (entry.keys == 0 && entry.leases == 0 && !entry.closed && entry.future.isDone()
                && !entry.future.isCompletedExceptionally()) {
            entry.closed = true;
            OrtSessions.closeQuietly(entry.future.join().session());
        }
    }

    /** Drops every key and closes every session; the caller has waited for runs in flight. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        List<Entry> all = new ArrayList<>(distinct(entries.values()));
        entries.clear();
        for (Entry e : all) {
            e.keys = 0;
            closeIfUnused(e);
        }
    }

    private static Set<Entry> distinct(Iterable<Entry> entries) {
        Set<Entry> set = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        entries.forEach(set::add);
        return set;
    }
}
