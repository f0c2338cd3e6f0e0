package io.dsm.agent;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** What the agent may import, as its package-info and docs/ARCHITECTURE.md say (ArchUnit, on the compiled classes). */
class AgentArchitectureTest
{
    @Test
    void theAgentNeverReachesIntoANode()
    {
        noClasses().that().resideInAPackage("io.dsm.agent..")
            .should().dependOnClassesThat().resideInAnyPackage("io.dsm.node..", "io.dsm.transport..",
                "io.dsm.protocol..", "io.dsm.wire..")
            .because("the agent rewrites classes and links them to io.dsm.access; it never imports node")
            .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.dsm.agent"));
    }

    @Test
    void theAgentDoesNotReachTheCommandLine()
    {
        noClasses().that().resideInAPackage("io.dsm.agent..")
            .should().dependOnClassesThat().resideInAnyPackage("io.dsm.cli..")
            .because("the command line may start a node (its read-only commands); the agent never does")
            .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.dsm.agent", "io.dsm.cli"));
    }
}
