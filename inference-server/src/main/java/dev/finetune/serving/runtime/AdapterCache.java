package dev.finetune.serving.runtime;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.tenant.TenantId;
import dev.finetune.engine.peft.AdapterLoadException;
import dev.finetune.engine.serve.ServedAdapter;
import dev.finetune.registry.AdapterVersion;
import dev.finetune.serving.ServingProperties;
import dev.finetune.serving.web.ServingError;
import dev.finetune.serving.web.ServingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The adapters loaded on this process's base models: fetched from object storage (the registry
 * version's artifact prefix, or the {@code adapter/} folder of a job checkpoint) into
 * {@code finetune.serving.work-dir} on first use, loaded into the base, and kept in an LRU cache
 * bounded by count ({@code cache.max-adapters}) and by the size of their files ({@code cache.max-bytes}).
 * Versions and checkpoints share the bound but never a slot; a checkpoint is never pinned.
 *
 * <p>A request holds a {@link Lease} while it decodes: a leased adapter is never unloaded, so an
 * alias move or an eviction never changes the version under a request in flight. The version an
 * alias in {@code cache.pinned-aliases} ({@code production} by default) points at is pinned: it is
 * never evicted while the alias points at it. When nothing can be evicted to make room, the request
 * is refused with 429 {@code adapter_cache_full}, never served by the base.
 *
 * <p>Never the base instead: a version whose recorded base fingerprint differs from the loaded
 * base's is a 409 {@code base_model_mismatch}; files that do not load (unreadable, another base,
 * targeting no module) a 422 {@code adapter_load_failed} with the engine's reason.
 */
public class AdapterCache implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdapterCache.class);
    /** How long a refused request is told to wait for a slot. */
    static final int FULL_RETRY_SECONDS = 2;

    private final ArtifactStore store;
    private final ServingProperties.Cache limits;
    private final Path workDir;
    private final Map<Key, Entry> entries = new LinkedHashMap<>();
    private long tick;

    /** {@code checkpoint} keeps a checkpoint and a version apart whatever their names. */
    private record Key(TenantId tenant, boolean checkpoint, String ref, Object base) {}

    private static final class Entry {
        final Key key;
        final BaseModels.Loaded base;
        final CompletableFuture<ServedAdapter> ready = new CompletableFuture<>();
        final Set<String> pinnedBy = new HashSet<>();
        long bytes;
        int leases;
        long lastUsed;
        Path dir;

        Entry(Key key, BaseModels.Loaded base, long bytes) {
            this.key = key;
            this.base = base;
            this.bytes = bytes;
        }

        boolean evictable() {
            return leases == 0 && pinnedBy.isEmpty() && ready.isDone();
        }
    }

    /** An adapter held by one request; closing it lets the cache evict the adapter again. */
    public final class Lease implements AutoCloseable {
        private final Entry entry;
        private final ServedAdapter adapter;
        private boolean closed;

        private Lease(Entry entry, ServedAdapter adapter) {
            this.entry = entry;
            this.adapter = adapter;
        }

        public ServedAdapter adapter() {
            return adapter;
        }

        @Override
        public void close() {
            synchronized (AdapterCache.this) {
                if (!closed) {
                    closed = true;
                    entry.leases--;
                    entry.lastUsed = ++tick;
                }
            }
        }
    }

    /** What the cache holds now (metrics, tests). */
    public record Held(String ref, long bytes, int leases, Set<String> pinnedBy) {}

    public AdapterCache(ArtifactStore store, ServingProperties properties, BaseModels bases) {
        this.store = store;
        this.limits = properties.cache();
        this.workDir = properties.workDir();
        // holding the base models makes Spring close this cache first: adapters are unloaded before their base
        java.util.Objects.requireNonNull(bases, "bases");
    }

    /** Loads (or finds) the target's adapter on {@code base} and leases it to the caller. */
    public Lease acquire(TenantId tenant, ServedTarget target, BaseModels.Loaded base) {
        AdapterVersion v = target.version();
        String fingerprint = base.model().baseFingerprint();
        // a version records its base's fingerprint; a checkpoint's files carry it, and the engine refuses a mismatch
        if (v != null) {
            BaseWeightsCheck.requireTrainedOn(target.requested(), v, base.base().name(), fingerprint);
        }
        String ref = target.adapterRef();
        long size = v != null ? v.artifact().sizeBytes() : target.checkpoint().sizeBytes();
        Key key = new Key(tenant, target.isCheckpoint(), ref, List.of(base.base().id(), base.precision()));
        Entry entry;
        boolean mine = false;
        synchronized (this) {
            entry = entries.get(key);
            if (entry == null) {
                makeRoom(size, ref);
                entry = new Entry(key, base, size);
                entries.put(key, entry);
                mine = true;
            }
            entry.leases++;
            entry.lastUsed = ++tick;
            pin(tenant, target, entry);
        }
        if (mine) {
            load(entry, tenant, target);
        }
        try {
            return new Lease(entry, entry.ready.get());
        } catch (InterruptedException e) {
            release(entry);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + ref + " was loading", e);
        } catch (ExecutionException e) {
            release(entry);
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private synchronized void release(Entry entry) {
        entry.leases--;
    }

    private void load(Entry entry, TenantId tenant, ServedTarget target) {
        AdapterVersion v = target.version();
        ServedCheckpoint c = target.checkpoint();
        String prefix = v != null ? v.artifact().prefix() : c.filesPrefix();
        String what = target.requested() + " is " + target.describe();
        Path dir = workDir.resolve("adapters").resolve(tenant.toString()).resolve((v != null
                ? v.segment() + "-" + v.number() : "checkpoint-" + c.ref().job() + "-" + c.ref().step()) + "-" + System.nanoTime());
        try {
            long bytes = LocalFiles.copy(store, prefix, dir);
            if (bytes == 0) {
                throw new ServingException(ServingError.ADAPTER_LOAD_FAILED, what
                        + ", whose files are missing from object storage (" + prefix + ")", "model");
            }
            ServedAdapter adapter;
            try {
                adapter = entry.base.model().loadAdapter(tenant + "/" + target.adapterRef(), dir);
            } catch (AdapterLoadException e) {
                throw new ServingException(ServingError.ADAPTER_LOAD_FAILED, what + ", which cannot be loaded on '"
                        + entry.base.base().name() + "': " + e.getMessage(), "model", null, e);
            }
            if (adapter == null) {
                throw new ServingException(ServingError.ADAPTER_LOAD_FAILED, what + ", which the engine did not load", "model");
            }
            synchronized (this) {
                entry.dir = dir;
                entry.bytes = Math.max(bytes, adapter.bytes());
            }
            log.info("Loaded adapter {} ({}, rank {}, {} bytes) for tenant {}", target.adapterRef(), adapter.method(), adapter.rank(),
                    adapter.bytes(), tenant);
            entry.ready.complete(adapter);
        } catch (RuntimeException e) {
            synchronized (this) {
                entries.remove(entry.key, entry);
            }
            LocalFiles.deleteRecursively(dir);
            entry.ready.completeExceptionally(e);
        }
    }

    /** Evicts least recently used adapters until one more of {@code bytes} fits; a 429 if it cannot. */
    private void makeRoom(long bytes, String ref) {
        long max = limits.maxBytes().toBytes();
        List<Entry> candidates = new ArrayList<>(entries.values().stream().filter(Entry::evictable)
                .sorted(Comparator.comparingLong(e -> e.lastUsed)).toList());
        while (entries.size() + 1 > limits.maxAdapters() || held() + bytes > max) {
            if (candidates.isEmpty()) {
                if (entries.isEmpty()) {
                    break; // a single adapter larger than the bound still loads, alone
                }
                throw new ServingException(ServingError.ADAPTER_CACHE_FULL, "cannot load " + ref + " now: the "
                        + entries.size() + " adapters held here (" + held() + " bytes) are pinned or answering requests "
                        + "(limits: " + limits.maxAdapters() + " adapters, " + max + " bytes); try again shortly",
                        "model", FULL_RETRY_SECONDS, null);
            }
            evict(candidates.remove(0));
        }
    }

    private long held() {
        return entries.values().stream().mapToLong(e -> e.bytes).sum();
    }

    private void evict(Entry e) {
        entries.remove(e.key);
        try {
            e.base.model().unloadAdapter(e.ready.join());
        } catch (RuntimeException ex) {
            log.warn("unloading {} failed: {}", e.key.ref(), ex.toString());
        }
        LocalFiles.deleteRecursively(e.dir);
        log.info("Evicted adapter {} of tenant {}", e.key.ref(), e.key.tenant());
    }

    /** The version a pinned alias points at is pinned; the version it pointed at before no longer is (by that alias). */
    private void pin(TenantId tenant, ServedTarget target, Entry entry) {
        if (target.alias() == null || !limits.pinnedAliases().contains(target.alias())) {
            return;
        }
        String pin = tenant + ":" + target.version().segment() + "@" + target.alias();
        for (Entry other : entries.values()) {
            if (other != entry) {
                other.pinnedBy.remove(pin);
            }
        }
        entry.pinnedBy.add(pin);
    }

    public synchronized List<Held> held(TenantId tenant) {
        return entries.values().stream().filter(e -> e.key.tenant().equals(tenant))
                .map(e -> new Held(e.key.ref(), e.bytes, e.leases, Set.copyOf(e.pinnedBy))).toList();
    }

    public synchronized int size() {
        return entries.size();
    }

    public synchronized long bytes() {
        return held();
    }

    @Override
    public synchronized void close() {
        for (Entry e : new ArrayList<>(entries.values())) {
            if (e.ready.isDone() && !e.ready.isCompletedExceptionally()) {
                evict(e);
            }
        }
        entries.clear();
    }
}
