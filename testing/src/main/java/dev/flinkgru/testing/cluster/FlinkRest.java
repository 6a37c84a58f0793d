package dev.flinkgru.testing.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A small client of Flink's REST API (the one the web UI and {@code flink run} use): cluster
 * overview, jar upload and run, job, checkpoint and metric queries, cancel.
 *
 * <p>Every call throws {@link FlinkRestException} on a non-2xx answer, with the status and Flink's
 * error text, and {@link UncheckedIOException} when the endpoint cannot be reached.
 */
public final class FlinkRest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How long to wait between reads the JobManager answers with 503 (leader election). */
    private static final Duration UNAVAILABLE_RETRY = Duration.ofMillis(250);

    private final URI base;
    private final HttpClient http;
    private final Duration timeout;

    /** A client of the REST endpoint at {@code base}, e.g. {@code http://127.0.0.1:8081}. */
    public FlinkRest(URI base, Duration timeout) {
        this.base = base;
        this.timeout = timeout;
        this.http =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5))
                        .build();
    }

    /** The REST endpoint, e.g. {@code http://127.0.0.1:8081}. */
    public URI base() {
        return base;
    }

    /** A Flink REST error: the status code and the {@code errors} Flink returned. */
    public static final class FlinkRestException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** The HTTP status. */
        public final int status;

        FlinkRestException(String request, int status, String body) {
            super(request + " answered " + status + ": " + abbreviate(body));
            this.status = status;
        }
    }

    /** {@code GET path}, as JSON. */
    public JsonNode get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET(), "GET " + path);
    }

    /**
     * {@code GET path}, or empty if nothing answers there (yet), or the endpoint answers 503 (it
     * does while the JobManager's leader election is still going on).
     */
    public Optional<JsonNode> tryGet(String path) {
        try {
            return Optional.of(get(path));
        } catch (UncheckedIOException e) {
            return Optional.empty();
        } catch (FlinkRestException e) {
            if (e.status == 503) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Uploads a jar ({@code POST /jars/upload}) and returns its id for {@link #runJar(String, List,
     * int)}.
     */
    public String uploadJar(Path jar) {
        String boundary = "----flink-gru-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            body.write(
                    ("--"
                                    + boundary
                                    + "\r\nContent-Disposition: form-data; name=\"jarfile\";"
                                    + " filename=\""
                                    + jar.getFileName()
                                    + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                            .getBytes(StandardCharsets.UTF_8));
            body.write(Files.readAllBytes(jar));
            body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the job jar " + jar, e);
        }
        JsonNode answer =
                send(
                        HttpRequest.newBuilder(base.resolve("/jars/upload"))
                                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())),
                        "POST /jars/upload");
        String filename = answer.path("filename").asText("");
        if (!"success".equals(answer.path("status").asText()) || filename.isEmpty()) {
            throw new FlinkRestException("POST /jars/upload", 200, answer.toString());
        }
        return Path.of(filename).getFileName().toString();
    }

    /**
     * Runs an uploaded jar's main class ({@code POST /jars/:id/run}) with {@code args} and returns
     * the id of the job it submitted.
     */
    public String runJar(String jarId, List<String> args, int parallelism) {
        ObjectNode request = JSON.createObjectNode();
        ArrayNode list = request.putArray("programArgsList");
        args.forEach(list::add);
        request.put("parallelism", parallelism);
        JsonNode answer = post("/jars/" + jarId + "/run", request);
        String jobId = answer.path("jobid").asText("");
        if (jobId.isEmpty()) {
            throw new FlinkRestException("POST /jars/" + jarId + "/run", 200, answer.toString());
        }
        return jobId;
    }

    /** Cancels a job ({@code PATCH /jobs/:id?mode=cancel}). */
    public void cancel(String jobId) {
        send(
                HttpRequest.newBuilder(base.resolve("/jobs/" + jobId + "?mode=cancel"))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody()),
                "PATCH /jobs/" + jobId);
    }

    /** The job's state ({@code RUNNING}, {@code RESTARTING}, {@code FAILED}, ...). */
    public String jobState(String jobId) {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /** Whether the job is {@code RUNNING} and so is every task of every vertex. */
    public boolean allTasksRunning(String jobId) {
        JsonNode job = get("/jobs/" + jobId);
        if (!"RUNNING".equals(job.path("state").asText())) {
            return false;
        }
        for (JsonNode vertex : job.path("vertices")) {
            JsonNode tasks = vertex.path("tasks");
            int running = tasks.path("RUNNING").asInt(0);
            if (running != vertex.path("parallelism").asInt(-1)) {
                return false;
            }
        }
        return job.path("vertices").size() > 0;
    }

    /** The job's vertices as {@code [id, name, parallelism]}. */
    public List<String[]> vertices(String jobId) {
        List<String[]> vertices = new ArrayList<>();
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            vertices.add(
                    new String[] {
                        vertex.path("id").asText(),
                        vertex.path("name").asText(),
                        vertex.path("parallelism").asText()
                    });
        }
        return vertices;
    }

    /** Resource ids of the TaskManagers running tasks of one vertex. */
    public List<String> vertexTaskManagers(String jobId, String vertexId) {
        List<String> ids = new ArrayList<>();
        JsonNode answer = get("/jobs/" + jobId + "/vertices/" + vertexId + "/taskmanagers");
        for (JsonNode tm : answer.path("taskmanagers")) {
            ids.add(tm.path("taskmanager-id").asText());
        }
        return ids;
    }

    /** Resource ids of the registered TaskManagers. */
    public List<String> taskManagers() {
        List<String> ids = new ArrayList<>();
        for (JsonNode tm : get("/taskmanagers").path("taskmanagers")) {
            ids.add(tm.path("id").asText());
        }
        return ids;
    }

    /** {@code counts} of {@code /jobs/:id/checkpoints}: completed, failed, restored, ... */
    public JsonNode checkpointCounts(String jobId) {
        return get("/jobs/" + jobId + "/checkpoints").path("counts");
    }

    /** A job metric's value ({@code GET /jobs/:id/metrics?get=name}), or -1 if not reported. */
    public long jobMetric(String jobId, String name) {
        for (JsonNode metric : get("/jobs/" + jobId + "/metrics?get=" + name)) {
            if (name.equals(metric.path("id").asText())) {
                return metric.path("value").asLong(-1);
            }
        }
        return -1;
    }

    /** The job's root exception, or an empty string if it has none. */
    public String rootException(String jobId) {
        JsonNode answer = get("/jobs/" + jobId + "/exceptions?maxExceptions=1");
        JsonNode history = answer.path("exceptionHistory").path("entries");
        if (history.size() > 0) {
            return history.get(0).path("stacktrace").asText("");
        }
        return answer.path("root-exception").asText("");
    }

    private JsonNode post(String path, JsonNode body) {
        return send(
                HttpRequest.newBuilder(base.resolve(path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())),
                "POST " + path);
    }

    private JsonNode send(HttpRequest.Builder request, String what) {
        HttpRequest built = request.timeout(timeout).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<String> response;
        while (true) {
            try {
                response = http.send(built, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new UncheckedIOException(what + " at " + base + " failed: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted: " + what, e);
            }
            // 503 while the JobManager's leader election is still going on: wait it out (reads
            // only; a POST may have taken effect).
            if (response.statusCode() != 503
                    || !"GET".equals(built.method())
                    || System.nanoTime() > deadline) {
                break;
            }
            pause(UNAVAILABLE_RETRY);
        }
        if (response.statusCode() / 100 != 2) {
            throw new FlinkRestException(what, response.statusCode(), response.body());
        }
        try {
            return response.body().isBlank()
                    ? JSON.createObjectNode()
                    : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new FlinkRestException(what, response.statusCode(), response.body());
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the JobManager", e);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 2000 ? text : text.substring(0, 2000) + " ...";
    }
}
