package io.dsm.values;

import io.dsm.ImmutableValueException;

import java.util.AbstractMap;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Set;
import java.util.SortedMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * An immutable sorted map (natural order of keys) read from a shared variable; its views are immutable too. Every
 * operation that would change it throws {@link ImmutableValueException} naming the variable.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
public final class FrozenNavigableMap<K, V> extends AbstractMap<K, V> implements NavigableMap<K, V>
{
    private final NavigableMap<K, V> entries;
    private final String variable;

    /**
     * @param entries  a sorted map no one else holds (or a view of one), never changed afterwards.
     * @param variable the variable, for error messages.
     */
    FrozenNavigableMap(final NavigableMap<K, V> entries, final String variable)
    {
        this.entries = entries;
        this.variable = variable;
    }

    private NavigableMap<K, V> view(final NavigableMap<K, V> map)
    {
        return new FrozenNavigableMap<>(map, variable);
    }

    private ImmutableValueException refused(final String operation)
    {
        return new ImmutableValueException(variable, "NavigableMap." + operation);
    }

    @Override
    public Set<Entry<K, V>> entrySet()
    {
        return Collections.unmodifiableMap(entries).entrySet();
    }

    @Override
    public Collection<V> values()
    {
        return Collections.unmodifiableCollection(entries.values());
    }

    @Override
    public Set<K> keySet()
    {
        return navigableKeySet();
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
    public Comparator<? super K> comparator()
    {
        return entries.comparator();
    }

    @Override
    public K firstKey()
    {
        return entries.firstKey();
    }

    @Override
    public K lastKey()
    {
        return entries.lastKey();
    }

    // TreeMap's entries returned by these are immutable snapshots already.
    @Override
    public Entry<K, V> lowerEntry(final K key)
    {
        return entries.lowerEntry(key);
    }

    @Override
    public K lowerKey(final K key)
    {
        return entries.lowerKey(key);
    }

    @Override
    public Entry<K, V> floorEntry(final K key)
    {
        return entries.floorEntry(key);
    }

    @Override
    public K floorKey(final K key)
    {
        return entries.floorKey(key);
    }

    @Override
    public Entry<K, V> ceilingEntry(final K key)
    {
        return entries.ceilingEntry(key);
    }

    @Override
    public K ceilingKey(final K key)
    {
        return entries.ceilingKey(key);
    }

    @Override
    public Entry<K, V> higherEntry(final K key)
    {
        return entries.higherEntry(key);
    }

    @Override
    public K higherKey(final K key)
    {
        return entries.higherKey(key);
    }

    @Override
    public Entry<K, V> firstEntry()
    {
        return entries.firstEntry();
    }

    @Override
    public Entry<K, V> lastEntry()
    {
        return entries.lastEntry();
    }

    @Override
    public NavigableMap<K, V> descendingMap()
    {
        return view(entries.descendingMap());
    }

    @Override
    public NavigableSet<K> navigableKeySet()
    {
        return new FrozenNavigableSet<>(entries.navigableKeySet(), variable);
    }

    @Override
    public NavigableSet<K> descendingKeySet()
    {
        return new FrozenNavigableSet<>(entries.descendingKeySet(), variable);
    }

    @Override
    public NavigableMap<K, V> subMap(final K from, final boolean fromInclusive, final K to, final boolean toInclusive)
    {
        return view(entries.subMap(from, fromInclusive, to, toInclusive));
    }

    @Override
    public NavigableMap<K, V> headMap(final K to, final boolean inclusive)
    {
        return view(entries.headMap(to, inclusive));
    }

    @Override
    public NavigableMap<K, V> tailMap(final K from, final boolean inclusive)
    {
        return view(entries.tailMap(from, inclusive));
    }

    @Override
    public SortedMap<K, V> subMap(final K from, final K to)
    {
        return subMap(from, true, to, false);
    }

    @Override
    public SortedMap<K, V> headMap(final K to)
    {
        return headMap(to, false);
    }

    @Override
    public SortedMap<K, V> tailMap(final K from)
    {
        return tailMap(from, true);
    }

    @Override
    public Entry<K, V> pollFirstEntry()
    {
        throw refused("pollFirstEntry");
    }

    @Override
    public Entry<K, V> pollLastEntry()
    {
        throw refused("pollLastEntry");
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
