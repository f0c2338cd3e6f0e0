package io.dsm.runtime;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigurationTest
{
    @Test
    void systemPropertyBeatsEnvironmentBeatsAgentArgumentBeatsDefault()
    {
        final Map<String, String> args = Configuration.parseArguments("timeout.ms=300,dsm.lease.ms=4000,log.level=info");
        final Configuration config = new Configuration(
            key -> key.equals("dsm.timeout.ms") ? "100" : null,
            env -> env.equals("DSM_TIMEOUT_MS") || env.equals("DSM_LEASE_MS") ? "200" : null,
            args);
        assertEquals(100, config.getLong(Configuration.TIMEOUT_MS));
        assertEquals(200, config.getLong(Configuration.LEASE_MS));
        assertEquals("info", config.get(Configuration.LOG_LEVEL));
        assertEquals("40456", config.get(Configuration.COORDINATOR_PORT));
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
    void unknownOrMalformedAgentArgumentsAreRejected()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Configuration.parseArguments("timeout=5"))
            .getMessage().contains("timeout"));
        assertThrows(IllegalArgumentException.class, () -> Configuration.parseArguments("novalue"));
        assertEquals(Map.of(), Configuration.parseArguments(null));
    }

    @Test
    void environmentNamesFollowTheKeys()
    {
        assertEquals("DSM_COORDINATOR_IDLE_EXIT_MS", Configuration.environmentName("dsm.coordinator.idle.exit.ms"));
    }
}
