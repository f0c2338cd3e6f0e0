package demo.shared;

/** A value of the application's own, rebuilt by dsm in the other JVM. */
public record Point(int x, int y)
{
}
