/**
 * Running the jobs on a real Flink cluster: {@link dev.flinkgru.testing.cluster.StandaloneCluster}
 * starts a standalone session cluster (a JobManager and TaskManagers, each a JVM of its own) from a
 * classpath that stands for Flink's {@code lib/}, {@link dev.flinkgru.testing.cluster.FlinkRest}
 * talks to its REST API, and {@link dev.flinkgru.testing.cluster.ClusterTest} submits the shaded
 * job jar, kills a TaskManager mid-run and checks the exactly-once output against torch ({@code
 * docker/cluster-test.sh}).
 */
package dev.flinkgru.testing.cluster;
