package io.dsm.agent.jdk;

/** {@code sun.misc.SignalHandler}, relocated here with {@link Signal}. */
@FunctionalInterface
public interface SignalHandler
{
    /**
     * @param signal the signal raised.
     */
    void handle(Signal signal);
}
