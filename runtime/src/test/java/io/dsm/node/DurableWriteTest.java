package io.dsm.node;

import io.dsm.DsmTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code dsm.durability=durable} on the writing thread: what a write does with the directory's answer. */
class DurableWriteTest
{
    @AfterEach
    void tearDown()
    {
        ReplicaTable.backend(null);
        ReplicaTable.lease(System.nanoTime());
    }

    private static SharedVariable ownedAt(final long value, final long version)
    {
        final SharedVariable variable = new SharedVariable(null,
            new Declaration(Long.class, Long.class, "Test.durable", "Test.durable", 0L));
        variable.install(value);
        variable.version = version;
        variable.access = SharedVariable.WRITE;
        return variable;
    }

    @Test
    void aWriteTheDirectoryHoldsReturnsAndOneItRefusesIsUndoneSoThatNothingReadsIt()
    {
        final StubBackend directory = new StubBackend();
        ReplicaTable.backend(directory);
        ReplicaTable.lease(System.nanoTime() + TimeUnit.MINUTES.toNanos(1));
        final SharedVariable variable = ownedAt(5L, 7);

        variable.setLong(6L);
        assertEquals(List.of(8L), directory.checkpointed, "checkpointed at its version before it returned");
        assertEquals(6L, variable.getLong());

        // The directory no longer counts this node as the owner under its epoch (evicted, or a hand-over broken by an
        // eviction): the write fails, and the replica no longer holds it, so no read here can see it.
        directory.refusal = "durable write of 'Test.durable' failed: the directory no longer counts node 1 as its owner";
        final DsmTimeoutException refused = assertThrows(DsmTimeoutException.class, () -> variable.setLong(9L));
        assertTrue(refused.getMessage().contains("no longer counts node 1"), refused.getMessage());
        assertEquals(List.of(8L, 9L), directory.checkpointed);
        assertSame(SharedVariable.INVALID, variable.value, "the refused write is not readable here");
        assertEquals(SharedVariable.NONE, variable.access);
    }
}
