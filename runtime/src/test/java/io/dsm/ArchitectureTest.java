package io.dsm;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * What each package may import, as its package-info and docs/ARCHITECTURE.md say: checked on the compiled classes of
 * the runtime and the transport (ArchUnit), so that the layout on paper is the layout in the code.
 */
class ArchitectureTest
{
    /** The API's own classes (the package, not its subpackages). */
    private static final String API = "io.dsm";
    private static JavaClasses dsm;

    @BeforeAll
    static void importClasses()
    {
        dsm = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.dsm.runtime", "io.dsm.protocol", "io.dsm.values", "io.dsm.transport",
                "io.dsm.coordinator", "io.dsm.node", "io.dsm.access");
    }

    private static void check(final ArchRule rule)
    {
        rule.check(dsm);
    }

    @Test
    void runtimeTransportProtocolAndValuesImportOnlyWhatTheySay()
    {
        check(classes().that().resideInAPackage("io.dsm.runtime..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.dsm.runtime..")
            .because("io.dsm.runtime may import the JDK only"));
        check(classes().that().resideInAPackage("io.dsm.transport..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.dsm.transport..", "io.aeron..",
                "org.agrona..")
            .because("io.dsm.transport may import Aeron and Agrona only"));
        check(classes().that().resideInAPackage("io.dsm.protocol..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.dsm.protocol..", "io.dsm.wire..",
                "org.agrona..", "javax.crypto..")
            .because("io.dsm.protocol may import wire and Agrona only (and the JDK's HMAC, for the shared secret)"));
        check(classes().that().resideInAPackage("io.dsm.values..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.dsm.values..", API,
                "net.openhft..", "sun.reflect..")
            .because("io.dsm.values may import the API and Chronicle Wire only (and the JDK's ReflectionFactory, " +
                "to build an application object without running a constructor, as Java serialization does)"));
    }

    @Test
    void theDirectoryNeverKnowsNodesReplicasOrValues()
    {
        check(noClasses().that().resideInAPackage("io.dsm.coordinator..")
            .should().dependOnClassesThat().resideInAnyPackage("io.dsm.node..", "io.dsm.access..", "io.dsm.values..",
                "io.dsm.agent..")
            .because("io.dsm.coordinator never imports node, access, values or the agent"));
    }

    @Test
    void nodesNeverReachBackIntoTheAccessLayerOrTheAgent()
    {
        check(noClasses().that().resideInAPackage("io.dsm.node..")
            .should().dependOnClassesThat().resideInAnyPackage("io.dsm.access..", "io.dsm.agent..")
            .because("io.dsm.node never imports access or the agent"));
        check(classes().that().resideInAPackage("io.dsm.access..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.dsm.access..", API,
                "io.dsm.node..", "io.dsm.values..")
            .because("io.dsm.access may import the API, node and values"));
    }
}
