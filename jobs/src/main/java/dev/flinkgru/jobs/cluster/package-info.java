/**
 * Running the jobs on a real Flink cluster: {@link dev.flinkgru.jobs.cluster.StandaloneCluster}
 * starts a standalone session cluster (a JobManager and TaskManagers, each a JVM of its own) from a
 * classpath that stands for Flink's {@code lib/}, {@link dev.flinkgru.jobs.cluster.FlinkRest} talks
 * to its REST API, and {@link dev.flinkgru.jobs.cluster.ClusterTest} submits the shaded job jar,
 * kills a TaskManager mid-run and checks the exactly-once output against torch ({@code
 * docker/cluster-test.sh}).
 *
 * <p>For the container images of {@code docker/}: {@link dev.flinkgru.jobs.cluster.SensorFeeder}
 * produces generated sensor readings to Kafka, and {@link dev.flinkgru.jobs.cluster.EngineCheck}
 * starts the PyTorch engine once (at image build: the natives are unpacked then, not at job start).
 */
package dev.flinkgru.jobs.cluster;
