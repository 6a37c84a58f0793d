package dev.flinkgru.tools;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import dev.flinkgru.tools.command.LocalCluster;
import java.util.regex.Pattern;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * Every MiniCluster the tools start comes from {@link LocalCluster}, so that each is closed to the
 * network, keeps its checkpoints on the file system and reports its failures: no other production
 * class of the tools asks Flink for an environment or a MiniCluster of its own.
 */
class LocalClustersTest {

    private static final ImportOption PRODUCTION =
            (Location location) ->
                    !location.contains("/test-classes/") && !location.contains("-tests.jar");

    private static final JavaClasses TOOLS =
            new ClassFileImporter()
                    .withImportOption(PRODUCTION)
                    .importPackages("dev.flinkgru.tools");

    private static final DescribedPredicate<JavaAccess<?>> STARTS_A_CLUSTER =
            new DescribedPredicate<>("an environment or MiniCluster of Flink's own making") {
                @Override
                public boolean test(JavaAccess<?> access) {
                    String owner = access.getTargetOwner().getFullName();
                    String name = access.getName();
                    if (owner.equals(StreamExecutionEnvironment.class.getName())) {
                        return name.startsWith("createLocalEnvironment")
                                || name.startsWith("createRemoteEnvironment")
                                || name.equals("getExecutionEnvironment");
                    }
                    return owner.equals(MiniCluster.class.getName())
                            || owner.equals(LocalStreamEnvironment.class.getName());
                }
            };

    @Test
    void onlyLocalClusterStartsAFlinkCluster() {
        noClasses()
                .that()
                .haveNameNotMatching(Pattern.quote(LocalCluster.class.getName()) + "(\\$.*)?")
                .should()
                .accessTargetWhere(STARTS_A_CLUSTER)
                .check(TOOLS);
    }
}
