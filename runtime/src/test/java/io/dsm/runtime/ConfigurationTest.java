package io.dsm.runtime;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigurationTest
{
    @Test
    void systemPropertyBeatsEnvironmentBeatsAgentArgumentBeatsDefault()
    {
        final Map<String, String> args = Configuration.parseArguments("timeout.ms=300,dsm.lease.ms=4000,log.level=info",
            new ArrayList<>());
        final Configuration config = new Configuration(
            key -> key.equals("dsm.timeout.ms") ? "100" : null,
            env -> env.equals("DSM_TIMEOUT_MS") || env.equals("DSM_LEASE_MS") ? "200" : null,
            args);
        assertEquals(100, config.getLong(Configuration.TIMEOUT_MS));
        assertEquals(200, config.getLong(Configuration.LEASE_MS));
        assertEquals("info", config.get(Configuration.LOG_LEVEL));
        assertEquals("24456", config.get(Configuration.COORDINATOR_PORT), "below the ephemeral range (32768 and up)");
        assertTrue(config.clusterEngine(), "the directory on Aeron Cluster by default");
    }

    @Test
    void sourceSaysWhereAValueComesFromInTheOrderGetLooks()
    {
        final Configuration config = new Configuration(
            key -> key.equals("dsm.timeout.ms") ? "100" : null,
            env -> env.equals("DSM_TIMEOUT_MS") || env.equals("DSM_LEASE_MS") ? "200" : null,
            Map.of("dsm.lease.ms", "300", "dsm.eviction.ms", "400"));
        assertEquals("-Ddsm.timeout.ms", config.source(Configuration.TIMEOUT_MS), "a system property first");
        assertEquals("environment DSM_LEASE_MS", config.source(Configuration.LEASE_MS), "then the environment");
        assertEquals("agent argument", config.source(Configuration.EVICTION_MS), "then the agent's argument");
        assertEquals("default", config.source(Configuration.COORDINATOR_PORT));
        assertThrows(IllegalArgumentException.class, () -> config.source("dsm.no.such.key"));
    }

    @Test
    void badValuesNameTheKey()
    {
        final Configuration config = new Configuration(
            key -> key.equals("dsm.timeout.ms") ? "soon" : key.equals("dsm.lease.ms") ? "-1" :
                key.equals("dsm.coordinator.autostart") ? "maybe" : null, env -> null, Map.of());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> config.getLong(Configuration.TIMEOUT_MS))
            .getMessage().contains("dsm.timeout.ms"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> config.getPositiveLong(Configuration.LEASE_MS)).getMessage().contains("dsm.lease.ms"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> config.getBoolean(Configuration.COORDINATOR_AUTOSTART)).getMessage().contains("autostart"));
    }

    @Test
    void unknownOrMalformedAgentArgumentsAreReportedAndTheRestTakesEffect()
    {
        final List<String> problems = new ArrayList<>();
        final Map<String, String> args = Configuration.parseArguments("timout.ms=5,novalue,log.level=info", problems);
        assertEquals(Map.of("dsm.log.level", "info"), args, "the good argument still takes effect");
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("'timout.ms'") && problems.get(0).contains("did you mean dsm.timeout.ms"),
            problems.get(0));
        assertTrue(problems.get(1).contains("'novalue' is not key=value"), problems.get(1));
        assertEquals(Map.of(), Configuration.parseArguments(null, problems));
    }

    @Test
    void unknownKeysInPropertiesAndEnvironmentAreNamedWithTheClosestKnownKey()
    {
        final Properties properties = new Properties();
        properties.setProperty("dsm.timout.ms", "5");
        properties.setProperty("dsm.timeout.ms", "5");
        properties.setProperty("other.key", "x");
        final List<String> problems = Configuration.unknownKeys(properties,
            Map.of("DSM_LEASE_MSS", "1", "DSM_LEASE_MS", "1", "PATH", "/bin"));
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("-Ddsm.timout.ms") && problems.get(0).contains("dsm.timeout.ms?"),
            problems.get(0));
        assertTrue(problems.get(1).contains("DSM_LEASE_MSS") && problems.get(1).contains("dsm.lease.ms?"),
            problems.get(1));
        assertTrue(Configuration.unknownKeys(new Properties(), Map.of("DSM_ZZZZZZZZZZZZZZZZZZZZ", "1")).get(0)
            .contains("known keys: java -jar dsm-agent.jar config"));
    }

    @Test
    void environmentNamesFollowTheKeys()
    {
        assertEquals("DSM_COORDINATOR_IDLE_EXIT_MS", Configuration.environmentName("dsm.coordinator.idle.exit.ms"));
    }
}
