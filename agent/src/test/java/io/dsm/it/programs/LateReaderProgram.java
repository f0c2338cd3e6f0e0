package io.dsm.it.programs;

/** Reads what {@link LateAttachProgram} wrote after attaching. */
public final class LateReaderProgram
{
    public static void main(final String[] args)
    {
        new Barrier("late").await(2);
        System.out.println("late=" + LateFields.get());
        new Barrier("late-done").await(2);
    }
}
