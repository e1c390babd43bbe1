package dev.finetune.standalone;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.conditions.ArchConditions.dependOnClassesThat;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.support.transaction.ResourcelessTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The invariants of ARCHITECTURE.md that can be read off the bytecode, checked over every module
 * (this module's test classpath holds them all). The Maven build enforces the coarse ones too:
 * platform-api has no dependency on the engine or the worker, trainer-engine's enforcer rule
 * bans Spring from its dependency tree, and training-settings' bans Spring, DJL and Jackson. Invariants that only show at run time name their tests in
 * ARCHITECTURE.md.
 */
class ArchitectureTest {

    private static final JavaClasses PLATFORM = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.finetune");

    @Test
    void apiNeverUsesTheEngineTheWorkerOrDjl() {
        noClasses().that().resideInAPackage("dev.finetune.api..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.finetune.engine..", "dev.finetune.worker..",
                        "dev.finetune.serving..", "ai.djl..")
                .because("the API image carries no DJL or PyTorch natives (serving, which does, is its own deployable)")
                .check(PLATFORM);
    }

    @Test
    void engineUsesNoSpringAndNoPlatformModule() {
        noClasses().that().resideInAPackage("dev.finetune.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "dev.finetune.core..",
                        "dev.finetune.registry..", "dev.finetune.worker..", "dev.finetune.api..", "dev.finetune.serving..")
                .because("the engine runs in the CLI and in any host, and the platform depends on it, never back")
                .check(PLATFORM);
    }

    @Test
    void trainingSettingsDependOnNothingOfThePlatform() {
        noClasses().that().resideInAPackage("dev.finetune.settings..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.finetune.core..", "dev.finetune.data..",
                        "dev.finetune.engine..", "dev.finetune.worker..", "dev.finetune.registry..",
                        "dev.finetune.api..", "dev.finetune.webui..", "dev.finetune.standalone..",
                        "dev.finetune.localinfra..", "org.springframework..", "ai.djl..", "tools.jackson..",
                        "com.fasterxml.jackson..", "jakarta..")
                .because("core, worker, engine and CLI all share the settings: they are plain Java that depends on "
                        + "none of them (Maven: training-settings' enforcer rule bans Spring, DJL and Jackson)")
                .check(PLATFORM);
    }

    @Test
    void sharedKernelDependsOnNoModuleBuiltOnIt() {
        noClasses().that().resideInAPackage("dev.finetune.core..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.finetune.registry..", "dev.finetune.worker..",
                        "dev.finetune.engine..", "dev.finetune.api..", "dev.finetune.standalone..", "dev.finetune.serving..")
                .check(PLATFORM);
    }

    @Test
    void servingStandsOnTheEngineCoreAndRegistryAlone() {
        noClasses().that().resideInAPackage("dev.finetune.serving..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.finetune.api..", "dev.finetune.worker..",
                        "dev.finetune.standalone..", "dev.finetune.webui..", "org.springframework.security..")
                .because("serving is its own deployable (engine + platform-core + the registry's facade): it checks keys "
                        + "with its own filter and never needs the API, the worker or the dashboard")
                .check(PLATFORM);
    }

    @Test
    void registryDependsOnlyOnTheSharedKernel() {
        noClasses().that().resideInAPackage("dev.finetune.registry..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.finetune.worker..", "dev.finetune.engine..",
                        "dev.finetune.api..", "dev.finetune.standalone..", "dev.finetune.serving..")
                .because("the worker, the API and serving consume the registry, not the other way round")
                .check(PLATFORM);
    }

    @Test
    void otherModulesUseTheRegistryThroughItsFacadeNotItsControllers() {
        noClasses().that().resideOutsideOfPackage("dev.finetune.registry..")
                .should().dependOnClassesThat().resideInAPackage("dev.finetune.registry.web..")
                .check(PLATFORM);
    }

    @Test
    void serverDeployablesNeverUseTheEmbeddedServers() {
        noClasses().that().resideInAnyPackage("dev.finetune.api..", "dev.finetune.worker..", "dev.finetune.core..",
                        "dev.finetune.registry..", "dev.finetune.engine..", "dev.finetune.serving..")
                .should().dependOnClassesThat().resideInAPackage("dev.finetune.localinfra..")
                .because("embedded PostgreSQL and S3Proxy are for the local platform and tests, never in an image")
                .check(PLATFORM);
    }

    @Test
    void trainingTaskletsHoldNoDatabaseTransaction() {
        noClasses().that().implement(Tasklet.class)
                .should().dependOnClassesThat().areAssignableTo(TransactionTemplate.class)
                .orShould().dependOnClassesThat().areAssignableTo(PlatformTransactionManager.class)
                .orShould().beAnnotatedWith(Transactional.class)
                .because("no database transaction is held across training compute; progress goes in short transactions")
                .check(PLATFORM);
        classes().that(dependOn(StepBuilder.class))
                .should(dependOnClassesThat(describe("ResourcelessTransactionManager",
                        c -> c.isEquivalentTo(ResourcelessTransactionManager.class))))
                .because("a TaskletStep wraps each call in a transaction of the manager it is built with")
                .check(PLATFORM);
    }

    @Test
    void nothingFetchesModelsOrNativesFromTheInternet() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("ai.djl.repository..", "ai.djl.huggingface.zoo..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("ai.djl.training.util.DownloadUtils")
                .because("models come from object storage or a local directory; DJL runs offline")
                .check(PLATFORM);
    }

    @Test
    void modulesFormNoCycle() {
        slices().matching("dev.finetune.(*)..").should().beFreeOfCycles().check(PLATFORM);
    }

    private static com.tngtech.archunit.base.DescribedPredicate<JavaClass> dependOn(Class<?> type) {
        return describe("depend on " + type.getSimpleName(), c -> c.getDirectDependenciesFromSelf().stream()
                .anyMatch(d -> d.getTargetClass().isEquivalentTo(type)));
    }
}
