package io.dsm.agent.jdk;

/**
 * {@code sun.misc.Signal}, as the classes of the agent jar use it (Chronicle Core's {@code Jvm}), on
 * {@code jdk.internal.misc.Signal}, which is what {@code sun.misc.Signal} wraps: the shade plugin relocates
 * {@code sun.misc.Signal} here, so that dsm needs no module but {@code java.base} and those the JDK resolves by
 * default. {@code jdk.unsupported}, which holds {@code sun.misc}, is not in the boot layer of an application started
 * with {@code -m module/Main} unless something requires it.
 */
public final class Signal
{
    private final jdk.internal.misc.Signal signal;

    /**
     * @param name the signal's name, without {@code SIG}.
     */
    public Signal(final String name)
    {
        this(new jdk.internal.misc.Signal(name));
    }

    private Signal(final jdk.internal.misc.Signal signal)
    {
        this.signal = signal;
    }

    /** @return the signal's name, without {@code SIG}. */
    public String getName()
    {
        return signal.getName();
    }

    /** @return the signal's number. */
    public int getNumber()
    {
        return signal.getNumber();
    }

    /**
     * @param signal  the signal.
     * @param handler what handles it from now on.
     * @return what handled it before.
     */
    public static synchronized SignalHandler handle(final Signal signal, final SignalHandler handler)
    {
        final jdk.internal.misc.Signal.Handler previous =
            jdk.internal.misc.Signal.handle(signal.signal, s -> handler.handle(new Signal(s)));
        return s -> previous.handle(s.signal);
    }

    @Override
    public String toString()
    {
        return signal.toString();
    }
}
