package dev.flinkgru.tools.demo;

import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces the demo's generated sensor readings ({@link SensorGenerator}) to a Kafka topic at a
 * steady rate, as {@code {"sensor":"s-17","ts":<now ms>,"values":[4 floats]}} keyed by sensor: the
 * input of {@code SensorForecastJob} in the compose setup ({@code docker/compose.yaml}).
 *
 * <pre>{@code
 * SensorFeeder --bootstrap-servers kafka:9092 [--topic sensor-readings] [--rate 200] [--sensors 100]
 *              [--seed 7] [--duration 0 (seconds; 0: until stopped)]
 * }</pre>
 *
 * <p>Prints one line every 10 seconds; stops on SIGTERM (flushing what it sent). Exit code 0, 1 if
 * Kafka refuses the records, 2 on bad arguments.
 */
public final class SensorFeeder {

    private SensorFeeder() {}

    public static void main(String[] args) throws Exception {
        String servers = null;
        String topic = "sensor-readings";
        double rate = 200;
        int sensors = 100;
        long seed = 7;
        long duration = 0;
        try {
            for (int i = 0; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                String value = args[i + 1];
                switch (args[i]) {
                    case "--bootstrap-servers" -> servers = value;
                    case "--topic" -> topic = value;
                    case "--rate" -> rate = Double.parseDouble(value);
                    case "--sensors" -> sensors = Integer.parseInt(value);
                    case "--seed" -> seed = Long.parseLong(value);
                    case "--duration" -> duration = Long.parseLong(value);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (servers == null) {
                throw new IllegalArgumentException("--bootstrap-servers is required");
            }
            if (!(rate > 0) || sensors <= 0 || duration < 0) {
                throw new IllegalArgumentException(
                        "--rate and --sensors must be positive, --duration not negative");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("SensorFeeder: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(feed(servers, topic, rate, new SensorGenerator(seed, sensors), duration));
    }

    private static int feed(
            String servers, String topic, double rate, SensorGenerator generator, long seconds)
            throws InterruptedException {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    stop.countDown();
                                    try {
                                        stopped.await(10, TimeUnit.SECONDS);
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                    }
                                }));
        AtomicReference<Exception> failure = new AtomicReference<>();
        long sent = 0;
        int sensor = 0;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            long began = System.nanoTime();
            long nextReport = began + Duration.ofSeconds(10).toNanos();
            long end =
                    seconds == 0 ? Long.MAX_VALUE : began + Duration.ofSeconds(seconds).toNanos();
            // Pacing, not synchronization: wake every 10 ms and send what is due by then.
            while (!stop.await(10, TimeUnit.MILLISECONDS) && failure.get() == null) {
                long now = System.nanoTime();
                if (now >= end) {
                    break;
                }
                long due = (long) ((now - began) / 1e9 * rate) - sent;
                long ts = System.currentTimeMillis();
                for (long i = 0; i < due; i++) {
                    float[] reading = generator.next(sensor);
                    String key = generator.sensorId(sensor);
                    producer.send(
                            new ProducerRecord<>(topic, key, json(key, ts, reading)),
                            (metadata, e) -> {
                                if (e != null) {
                                    failure.compareAndSet(null, e);
                                }
                            });
                    sensor = (sensor + 1) % generator.sensors();
                    sent++;
                }
                if (now >= nextReport) {
                    System.out.printf(
                            Locale.ROOT, "SensorFeeder: %,d readings to %s%n", sent, topic);
                    nextReport += Duration.ofSeconds(10).toNanos();
                }
            }
            producer.flush();
        } finally {
            stopped.countDown();
        }
        if (failure.get() != null) {
            System.err.println("SensorFeeder: Kafka refused a record: " + failure.get());
            return 1;
        }
        System.out.printf(Locale.ROOT, "SensorFeeder: %,d readings to %s, done%n", sent, topic);
        return 0;
    }

    private static String json(String sensor, long ts, float[] values) {
        StringBuilder json = new StringBuilder("{\"sensor\":\"");
        json.append(sensor).append("\",\"ts\":").append(ts).append(",\"values\":[");
        for (int i = 0; i < values.length; i++) {
            json.append(i == 0 ? "" : ",").append(values[i]);
        }
        return json.append("]}").toString();
    }
}
