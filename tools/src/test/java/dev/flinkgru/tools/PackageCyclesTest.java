package dev.flinkgru.tools;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import org.junit.jupiter.api.Test;

/**
 * No package of the project depends on itself through others, checked with ArchUnit over the
 * production classes on the tools module's classpath: state, operator, jobs, testing and tools.
 */
class PackageCyclesTest {

    /** Production classes only: no test-classes directory, no test jar. */
    private static final ImportOption PRODUCTION =
            (Location location) ->
                    !location.contains("/test-classes/") && !location.contains("-tests.jar");

    private static final JavaClasses CLASSES =
            new ClassFileImporter().withImportOption(PRODUCTION).importPackages("dev.flinkgru");

    @Test
    void theImportSeesEveryModule() {
        assertThat(CLASSES.stream().map(JavaClass::getPackageName).distinct())
                .contains(
                        "dev.flinkgru.state",
                        "dev.flinkgru.operator",
                        "dev.flinkgru.operator.predictor",
                        "dev.flinkgru.jobs.pipeline",
                        "dev.flinkgru.testing.kafka",
                        "dev.flinkgru.tools.cli",
                        "dev.flinkgru.tools.command",
                        "dev.flinkgru.tools.io",
                        "dev.flinkgru.tools.replay");
    }

    /**
     * The tools read and write the operator's keyed state, and decide what a state of another model
     * becomes, through the state module's contract (GruKeyedState, MismatchDecision), never through
     * the operator itself.
     */
    @Test
    void toolsUseTheStateContractNotTheOperator() {
        noClasses()
                .that()
                .resideInAPackage("dev.flinkgru.tools..")
                .should()
                .dependOnClassesThat()
                .haveFullyQualifiedName("dev.flinkgru.operator.GruOperator")
                .check(CLASSES);
    }

    @Test
    void toolsPackagesAreFreeOfCycles() {
        slices().matching("dev.flinkgru.tools.(**)").should().beFreeOfCycles().check(CLASSES);
    }

    /** Every package of every module. */
    @Test
    void projectPackagesAreFreeOfCycles() {
        slices().matching("dev.flinkgru.(**)").should().beFreeOfCycles().check(CLASSES);
    }
}
