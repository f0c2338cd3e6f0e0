package io.dsm.it;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent jar cannot clash with an application's libraries: every class it holds is under {@code io/dsm/}, the
 * libraries it bundles relocated under {@code io/dsm/shaded/}; and it holds no usage reporting or native bindings.
 */
class AgentJarIT
{
    @Test
    void everyClassIsUnderIoDsmAndNothingPhonesHome() throws Exception
    {
        final List<String> outside = new ArrayList<>();
        final List<String> unwanted = new ArrayList<>();
        try (JarFile jar = new JarFile(JvmCluster.AGENT_JAR.toFile()))
        {
            jar.stream().forEach(entry ->
            {
                final String name = entry.getName().replaceFirst("^META-INF/versions/\\d+/", "");
                if (name.endsWith(".class") && !name.startsWith("io/dsm/"))
                {
                    outside.add(entry.getName());
                }
                // chronicle-analytics (usage reporting) is excluded; chronicle-core's facade then stays mute.
                if (name.startsWith("io/dsm/shaded/openhft/chronicle/analytics/") || name.contains("/jna/") || name.contains("/jnr/") ||
                    name.contains("openhft/compiler") || name.endsWith(".so") || name.endsWith(".dll"))
                {
                    unwanted.add(entry.getName());
                }
            });
            assertEquals(List.of(), outside, "classes outside io/dsm/ could clash with the application's");
            assertEquals(List.of(), unwanted);
            final Manifest manifest = jar.getManifest();
            assertEquals("io.dsm.agent.DsmAgent", manifest.getMainAttributes().getValue("Premain-Class"));
            assertEquals("true", manifest.getMainAttributes().getValue("Can-Retransform-Classes"));
            assertTrue(jar.getEntry("io/dsm/shaded/aeron/Aeron.class") != null);
        }
    }
}
