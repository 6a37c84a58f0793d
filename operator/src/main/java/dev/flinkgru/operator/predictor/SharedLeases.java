package dev.flinkgru.operator.predictor;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.util.function.SupplierWithException;
import org.apache.flink.util.function.ThrowingConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resources shared by the operator subtasks of a JVM (a TaskManager), one per id: opened by the
 * first {@link Lease} taken on it, closed when the last is returned. The one lease registry of the
 * loaded TorchScript models ({@link SharedModels}), the ONNX Runtime sessions ({@link
 * OnnxSessions}) and the shared device batchers.
 *
 * @param <T> the resource
 */
@Internal
public final class SharedLeases<T> {

    private static final Logger LOG = LoggerFactory.getLogger(SharedLeases.class);

    private final String what;
    private final ThrowingConsumer<T, ? extends Exception> close;
    private final Map<String, Entry<T>> entries = new HashMap<>();

    private static final class Entry<T> {
        final T resource;
        int leases;

        Entry(T resource) {
            this.resource = resource;
        }
    }

    /**
     * @param what what the resources are, for the logs ("ONNX session")
     * @param close closes a resource once its last lease is returned
     */
    public SharedLeases(String what, ThrowingConsumer<T, ? extends Exception> close) {
        this.what = what;
        this.close = close;
    }

    /** A subtask's hold on a shared resource; closing it returns the hold, once. */
    public static final class Lease<T> implements AutoCloseable {
        private final SharedLeases<T> registry;
        private final String id;
        private final T resource;
        private boolean returned;

        private Lease(SharedLeases<T> registry, String id, T resource) {
            this.registry = registry;
            this.id = id;
            this.resource = resource;
        }

        /** The shared resource. */
        public T get() {
            return resource;
        }

        @Override
        public void close() throws Exception {
            registry.release(this);
        }
    }

    /**
     * Takes a lease on the resource of {@code id}, opening it with {@code open} if there is none.
     */
    public <X extends Exception> Lease<T> acquire(String id, SupplierWithException<T, X> open)
            throws X {
        synchronized (entries) {
            Entry<T> entry = entries.get(id);
            if (entry == null) {
                entry = new Entry<>(open.get());
                entries.put(id, entry);
                LOG.info("Opened the shared {} {}", what, id);
            }
            entry.leases++;
            return new Lease<>(this, id, entry.resource);
        }
    }

    private void release(Lease<T> lease) throws Exception {
        synchronized (entries) {
            if (lease.returned) {
                return;
            }
            lease.returned = true;
            Entry<T> entry = entries.get(lease.id);
            if (entry == null || --entry.leases > 0) {
                return;
            }
            entries.remove(lease.id);
            LOG.info("Closing the shared {} {}", what, lease.id);
            close.accept(entry.resource);
        }
    }
}
