package io.dsm.node;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code dsm.read.fence}: whether a read hit checks the node's lease in the reading thread. */
class ReadFenceTest
{
    @AfterEach
    void tearDown()
    {
        SharedVariable.leaseFencedReads = false;
        ReplicaTable.backend(null);
        ReplicaTable.lease(System.nanoTime());
    }

    /** A read replica of 5, as a node holds one, and a node whose answer to a miss is 6 (the owner's value now). */
    private static SharedVariable replicaOfFive(final StubBackend node)
    {
        ReplicaTable.backend(node);
        node.missAnswer = 6L;
        final SharedVariable variable = new SharedVariable(null,
            new Declaration(Long.class, Long.class, "Test.fenced", "Test.fenced", 0L));
        variable.install(5L);
        variable.access = SharedVariable.READ;
        return variable;
    }

    @Test
    void unfencedAReplicaIsReadPastTheLeaseAsAfterAPauseOfTheWholeJvm()
    {
        final StubBackend node = new StubBackend();
        final SharedVariable variable = replicaOfFive(node);
        ReplicaTable.lease(System.nanoTime() - 1); // the lease ended (the JVM was stopped) and the node's thread has
                                                   // not run since to suspend the replica
        assertEquals(5L, variable.getLong(), "the documented window of dsm.read.fence=none");
        assertEquals(0, node.misses);
    }

    @Test
    void fencedAReadPastTheLeaseAsksAndOneWithinItIsAHit()
    {
        final StubBackend node = new StubBackend();
        final SharedVariable variable = replicaOfFive(node);
        SharedVariable.leaseFencedReads = true;
        ReplicaTable.lease(System.nanoTime() + TimeUnit.MINUTES.toNanos(1));
        assertEquals(5L, variable.getLong());
        assertEquals(5L, variable.get());
        assertEquals(0, node.misses, "within the lease: hits");
        ReplicaTable.lease(System.nanoTime() - 1);
        assertEquals(6L, variable.getLong(), "past the lease: the owner's value, not the replica's");
        assertEquals(6L, variable.get());
        assertEquals(2, node.misses);
    }
}
