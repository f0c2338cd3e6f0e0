package io.dsm.agent;

import net.bytebuddy.jar.asm.ClassReader;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides from a class file's constant pool alone, without Byte Buddy's type descriptions, whether a class may need
 * rewriting: it mentions {@code @Shared}, calls a reflective way to a field that the agent rewrites, or names a field
 * of a class that declares {@code @Shared} fields (itself or a superclass). Most classes of most applications do none
 * of that, and then the agent never loads Byte Buddy's machinery: a JVM with the agent and no shared field starts
 * almost as fast as one without it.
 * <p>
 * The answer errs only towards yes: a class it lets through is rewritten by the full transformation, which decides
 * field by field. It reads the classes a field reference names as {@link SharedFieldResolver} does (the class loader's
 * resources, without loading them), so a class whose file cannot be read is, for both, not one that declares shared
 * fields. What it learnt about each class is kept per class loader.
 */
final class ClassFileScan
{
    /** How {@code @Shared} appears in a constant pool: the descriptor of its annotation. */
    private static final String SHARED_DESCRIPTOR = "Lio/dsm/Shared;";
    /** Owners of the reflective calls {@link ReflectionCallRewriter} rewrites. */
    private static final Set<String> REFLECTIVE_OWNERS = Set.of(
        "java/lang/reflect/Field", "java/lang/invoke/MethodHandles$Lookup",
        "java/util/concurrent/atomic/AtomicLongFieldUpdater", "java/util/concurrent/atomic/AtomicIntegerFieldUpdater",
        "java/util/concurrent/atomic/AtomicReferenceFieldUpdater");
    private static final int FIELDREF = 9;
    private static final int METHODREF = 10;
    private static final int INTERFACE_METHODREF = 11;
    private static final int UTF8 = 1;

    /** Per class loader: whether a class (internal name), or a superclass of it, declares shared fields. */
    private final Map<ClassLoader, Map<String, Boolean>> declaresShared = new WeakHashMap<>();

    /**
     * @param loader    the class's loader; null for the bootstrap loader.
     * @param className its internal name.
     * @param bytes     its class file.
     * @return false when it certainly needs no rewriting; true when the full transformation must look at it.
     */
    boolean mayNeedRewriting(final ClassLoader loader, final String className, final byte[] bytes)
    {
        final ClassReader reader;
        try
        {
            reader = new ClassReader(bytes);
        }
        catch (final RuntimeException ex)
        {
            return true; // the full transformation reports what is wrong with it
        }
        if (mentionsShared(reader))
        {
            return true;
        }
        char[] buffer = null;
        for (int i = 1; i < reader.getItemCount(); i++)
        {
            final int offset = reader.getItem(i);
            if (offset == 0)
            {
                continue; // the second slot of a long or double
            }
            final int tag = reader.readByte(offset - 1);
            if (buffer == null && (tag == METHODREF || tag == INTERFACE_METHODREF || tag == FIELDREF))
            {
                buffer = new char[reader.getMaxStringLength()];
            }
            if (tag == METHODREF || tag == INTERFACE_METHODREF)
            {
                if (REFLECTIVE_OWNERS.contains(reader.readClass(offset, buffer)))
                {
                    return true;
                }
            }
            else if (tag == FIELDREF)
            {
                final String owner = reader.readClass(offset, buffer);
                // A field named through this class itself may be inherited: then its superclasses tell.
                final String declarer = owner.equals(className) ? reader.getSuperName() : owner;
                if (declarer != null && !SharedFieldResolver.isPlatform(declarer) && declaresShared(loader, declarer))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean mentionsShared(final ClassReader reader)
    {
        for (int i = 1; i < reader.getItemCount(); i++)
        {
            final int offset = reader.getItem(i);
            if (offset != 0 && reader.readByte(offset - 1) == UTF8 &&
                reader.readUnsignedShort(offset) == SHARED_DESCRIPTOR.length() &&
                utf8Equals(reader, offset + 2, SHARED_DESCRIPTOR))
            {
                return true;
            }
        }
        return false;
    }

    private static boolean utf8Equals(final ClassReader reader, final int offset, final String ascii)
    {
        for (int k = 0; k < ascii.length(); k++)
        {
            if (reader.readByte(offset + k) != ascii.charAt(k))
            {
                return false;
            }
        }
        return true;
    }

    private boolean declaresShared(final ClassLoader loader, final String className)
    {
        Map<String, Boolean> known;
        synchronized (declaresShared)
        {
            known = declaresShared.computeIfAbsent(loader, l -> new ConcurrentHashMap<>());
        }
        final Boolean cached = known.get(className);
        if (cached != null)
        {
            return cached;
        }
        boolean result = false;
        final byte[] bytes = read(loader, className);
        if (bytes != null)
        {
            try
            {
                final ClassReader reader = new ClassReader(bytes);
                final String superName = reader.getSuperName();
                result = mentionsShared(reader) ||
                    superName != null && !SharedFieldResolver.isPlatform(superName) && declaresShared(loader, superName);
            }
            catch (final RuntimeException ex)
            {
                result = true; // unreadable: let the full transformation decide
            }
        }
        known.put(className, result);
        return result;
    }

    private static byte[] read(final ClassLoader loader, final String className)
    {
        final String resource = className + ".class";
        try (InputStream in = loader == null ?
            ClassLoader.getSystemResourceAsStream(resource) : loader.getResourceAsStream(resource))
        {
            return in == null ? null : in.readAllBytes();
        }
        catch (final IOException ex)
        {
            return null;
        }
    }
}
