package io.dsm.values;

import io.dsm.ImmutableValueException;

import java.util.AbstractMap;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * An immutable map read from a shared variable, iterating in the order the writer's map iterated. Every operation
 * that would change it throws {@link ImmutableValueException} naming the variable; its key, value and entry views are
 * unmodifiable. Equal to any map with the same entries.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
public final class FrozenMap<K, V> extends AbstractMap<K, V>
{
    private final Map<K, V> entries;
    private final Map<K, V> view;
    private final String variable;

    /**
     * @param entries  a map no one else holds (a LinkedHashMap or an EnumMap), never changed afterwards.
     * @param variable the variable, for error messages.
     */
    FrozenMap(final Map<K, V> entries, final String variable)
    {
        this.entries = entries;
        this.view = Collections.unmodifiableMap(entries);
        this.variable = variable;
    }

    private ImmutableValueException refused(final String operation)
    {
        return new ImmutableValueException(variable, "Map." + operation);
    }

    @Override
    public Set<Entry<K, V>> entrySet()
    {
        return view.entrySet();
    }

    @Override
    public Set<K> keySet()
    {
        return view.keySet();
    }

    @Override
    public Collection<V> values()
    {
        return view.values();
    }

    @Override
    public int size()
    {
        return entries.size();
    }

    @Override
    public boolean containsKey(final Object key)
    {
        return entries.containsKey(key);
    }

    @Override
    public boolean containsValue(final Object value)
    {
        return entries.containsValue(value);
    }

    @Override
    public V get(final Object key)
    {
        return entries.get(key);
    }

    @Override
    public V getOrDefault(final Object key, final V defaultValue)
    {
        return entries.getOrDefault(key, defaultValue);
    }

    @Override
    public void forEach(final BiConsumer<? super K, ? super V> action)
    {
        entries.forEach(action);
    }

    @Override
    public V put(final K key, final V value)
    {
        throw refused("put");
    }

    @Override
    public void putAll(final Map<? extends K, ? extends V> m)
    {
        throw refused("putAll");
    }

    @Override
    public V remove(final Object key)
    {
        throw refused("remove");
    }

    @Override
    public boolean remove(final Object key, final Object value)
    {
        throw refused("remove");
    }

    @Override
    public void clear()
    {
        throw refused("clear");
    }

    @Override
    public V putIfAbsent(final K key, final V value)
    {
        throw refused("putIfAbsent");
    }

    @Override
    public boolean replace(final K key, final V oldValue, final V newValue)
    {
        throw refused("replace");
    }

    @Override
    public V replace(final K key, final V value)
    {
        throw refused("replace");
    }

    @Override
    public void replaceAll(final BiFunction<? super K, ? super V, ? extends V> function)
    {
        throw refused("replaceAll");
    }

    @Override
    public V computeIfAbsent(final K key, final Function<? super K, ? extends V> mappingFunction)
    {
        throw refused("computeIfAbsent");
    }

    @Override
    public V computeIfPresent(final K key, final BiFunction<? super K, ? super V, ? extends V> remappingFunction)
    {
        throw refused("computeIfPresent");
    }

    @Override
    public V compute(final K key, final BiFunction<? super K, ? super V, ? extends V> remappingFunction)
    {
        throw refused("compute");
    }

    @Override
    public V merge(final K key, final V value, final BiFunction<? super V, ? super V, ? extends V> remappingFunction)
    {
        throw refused("merge");
    }
}
