package io.dsm.test;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Gives each test method that declares a {@link DsmCluster} parameter a cluster of its own, and stops every JVM of it
 * when the method ends, passed or failed. When the test fails, what each JVM printed is added to the failure.
 * <pre>
 * &#64;ExtendWith(DsmExtension.class)
 * class CounterTest {
 *     &#64;Test
 *     void threeJvmsCountExactly(DsmCluster cluster) {
 *         List&lt;DsmCluster.Jvm&gt; jvms = cluster.start(3, CounterMain.class, "1000");
 *         for (DsmCluster.Jvm jvm : jvms) {
 *             assertEquals("total 3000", jvm.awaitLine("total", Duration.ofSeconds(60)));
 *         }
 *     }
 * }
 * </pre>
 */
public final class DsmExtension implements ParameterResolver, TestExecutionExceptionHandler
{
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(DsmExtension.class);

    @Override
    public boolean supportsParameter(final ParameterContext parameter, final ExtensionContext context)
        throws ParameterResolutionException
    {
        return parameter.getParameter().getType() == DsmCluster.class;
    }

    @Override
    public Object resolveParameter(final ParameterContext parameter, final ExtensionContext context)
        throws ParameterResolutionException
    {
        // Closed by JUnit when the test method's context closes (DsmCluster is a CloseableResource).
        return context.getStore(NAMESPACE).getOrComputeIfAbsent("cluster",
            key -> new DsmCluster(context.getDisplayName()), DsmCluster.class);
    }

    @Override
    public void handleTestExecutionException(final ExtensionContext context, final Throwable failure)
        throws Throwable
    {
        final DsmCluster cluster = context.getStore(NAMESPACE).get("cluster", DsmCluster.class);
        if (cluster != null)
        {
            failure.addSuppressed(new DsmCluster.Report(cluster.describe()));
        }
        throw failure;
    }
}
