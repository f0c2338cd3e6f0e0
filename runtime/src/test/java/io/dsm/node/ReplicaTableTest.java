package io.dsm.node;

import io.dsm.DsmException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The replica table is one per JVM: each test uses names of its own. */
class ReplicaTableTest
{
    @Test
    void anInstanceFieldsVariableIsNamedFromItsBaseNameAndIdAndFoundByThatName()
    {
        final ConcurrentHashMap<Object, SharedVariable> cells = ReplicaTable.instances("test.Cell.value");
        final SharedVariable seven = ReplicaTable.instanceVariable(cells, "test.Cell.value", 7, long.class, long.class,
            "field test.Cell.value");
        assertEquals("test.Cell.value[7]", seven.name());
        assertSame(seven, ReplicaTable.instanceVariable(cells, "test.Cell.value", 7, long.class, long.class,
            "field test.Cell.value"));
        assertSame(seven, ReplicaTable.find("test.Cell.value[7]"));
        assertNull(ReplicaTable.find("test.Cell.value[8]"));
        assertTrue(ReplicaTable.all().contains(seven));
    }

    @Test
    void aStaticFieldNamingAnInstanceVariableGetsThatVariableAndIsListedOnce()
    {
        final ConcurrentHashMap<Object, SharedVariable> boards = ReplicaTable.instances("test.board");
        final SharedVariable instance = ReplicaTable.instanceVariable(boards, "test.board", "east", long.class,
            long.class, "field test.Board.score");
        final SharedVariable viaStatic = ReplicaTable.variable("test.board[east]", long.class, long.class,
            "field test.Other.east");
        assertSame(instance, viaStatic);
        assertEquals(1, ReplicaTable.all().stream().filter(v -> v == instance).count());

        final SharedVariable staticFirst = ReplicaTable.variable("test.board[west]", long.class, long.class,
            "field test.Other.west");
        assertSame(staticFirst, ReplicaTable.instanceVariable(boards, "test.board", "west", long.class, long.class,
            "field test.Board.score"));
    }

    @Test
    void twoFieldsDeclaringOneNameWithTwoTypesAreRefusedNamingBoth()
    {
        final ConcurrentHashMap<Object, SharedVariable> map = ReplicaTable.instances("test.clash");
        ReplicaTable.instanceVariable(map, "test.clash", 1, long.class, long.class, "field test.A.x");
        final DsmException refused = assertThrows(DsmException.class, () ->
            ReplicaTable.instanceVariable(map, "test.clash", 1, String.class, String.class, "field test.B.x"));
        assertTrue(refused.getMessage().contains("'test.clash[1]'") &&
            refused.getMessage().contains("field test.A.x") && refused.getMessage().contains("field test.B.x"),
            refused.getMessage());
    }
}
