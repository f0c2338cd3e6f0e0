package io.dsm.it.programs;

import com.sun.tools.attach.VirtualMachine;

/**
 * Started without the agent: uses a class, then attaches the agent to itself, which retransforms the classes already
 * loaded; the same method then shares the field. args: the agent jar.
 */
public final class LateAttachProgram
{
    public static void main(final String[] args) throws Exception
    {
        LateFields.set(11);
        System.out.println("before attach, local value " + LateFields.get());
        final VirtualMachine vm = VirtualMachine.attach(String.valueOf(ProcessHandle.current().pid()));
        try
        {
            vm.loadAgent(args[0]);
        }
        finally
        {
            vm.detach();
        }
        System.out.println("after attach, shared value " + LateFields.get());
        LateFields.set(42);
        new Barrier("late").await(2);
        new Barrier("late-done").await(2);
    }
}
