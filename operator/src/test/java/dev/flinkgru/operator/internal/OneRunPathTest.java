package dev.flinkgru.operator.internal;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.flinkgru.operator.predictor.BatchPredictor;
import org.junit.jupiter.api.Test;

/**
 * One code path per batch ({@link BatchStep#run}), whichever runner chooses its thread: checked
 * with ArchUnit over the operator module's production classes.
 */
class OneRunPathTest {

    private static final JavaClasses CLASSES =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importPackages("dev.flinkgru.operator");

    @Test
    void runnersNeitherCallAPredictorNorTheDeviceBatcher() {
        noClasses()
                .that()
                .implement(StepRunner.class)
                .or()
                .areAssignableTo(StepRunner.class)
                .should()
                .dependOnClassesThat()
                .areAssignableTo(BatchPredictor.class)
                .orShould()
                .dependOnClassesThat()
                .areAssignableTo(DeviceBatcher.class)
                .because("a runner only chooses the thread; BatchStep runs the batch")
                .check(CLASSES);
    }

    @Test
    void onlyTheBatchStepAndTheDeviceBatcherStepAPredictorInTheOperator() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.flinkgru.operator.predictor..")
                .and()
                .doNotBelongToAnyOf(BatchStep.class, DeviceBatcher.class)
                .should()
                .callMethod(
                        BatchPredictor.class,
                        "step",
                        int.class,
                        float[].class,
                        float[].class,
                        float[].class,
                        float[].class)
                .orShould()
                .callMethod(
                        DeviceBatcher.class,
                        "submit",
                        int.class,
                        float[].class,
                        float[].class,
                        float[].class,
                        float[].class)
                .because("every batch runs through BatchStep#run, directly or via the batcher")
                .check(CLASSES);
    }
}
