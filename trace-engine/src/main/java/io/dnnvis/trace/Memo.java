package io.dnnvis.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Values computed once per key: the first thread to ask computes, others asking meanwhile wait for
 * it, different keys compute in parallel; a failed computation is forgotten (the next ask tries
 * again). Thread-safe.
 */
public final class Memo<K, V> {

    private final ConcurrentHashMap<K, CompletableFuture<V>> values = new ConcurrentHashMap<>();

    /** The value of {@code key}, computed by {@code compute} on this thread unless another has or is computing it. */
    public V get(K key, Function<K, V> compute) {
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> known = values.putIfAbsent(key, mine);
        if (known == null) {
            try {
                mine.complete(compute.apply(key));
            } catch (RuntimeException | Error e) {
                values.remove(key, mine);
                mine.completeExceptionally(e);
            }
            known = mine;
        }
        try {
            return known.join();
        } catch (CompletionException e) {
            throw Memo.unwrap(e);
        }
    }

    /** The exception a computation failed with, as thrown on the thread that ran it. */
    public static RuntimeException unwrap(CompletionException e) {
        if (e.getCause() instanceof RuntimeException r) {
            return r;
        }
        if (e.getCause() instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(e.getCause());
    }

    /** Whether {@code key}'s value is computed or being computed (a failed computation does not count). */
    public boolean has(K key) {
        CompletableFuture<V> f = values.get(key);
        return f != null && !f.isCompletedExceptionally();
    }

    /** The values computed so far. */
    public List<V> values() {
        List<V> out = new ArrayList<>();
        values.values().forEach(f -> {
            if (f.isDone() && !f.isCompletedExceptionally()) {
                out.add(f.join());
            }
        });
        return out;
    }
}
