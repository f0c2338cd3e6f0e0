package io.dsm.it;

import io.dsm.it.programs.ChildFirstProgram;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where applications really run, each started as its user would: a Spring Boot executable jar (nested jars, Boot's
 * own class loader), a named module on the module path, and classes defined by a child-first or an isolated class
 * loader that bundles its own copy of dsm's API. The application ({@code src/test/apps/shared-app}) is compiled and
 * packaged here, against the real {@code dsm-api} jar, as a user's build would; each case shares a record of the
 * application's own between two JVMs with the real agent, and nothing may appear on stderr.
 */
class PlatformIT
{
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Path APPS = Path.of(System.getProperty("dsm.it.apps", "src/test/apps"));
    private static final Path API_JAR = Path.of(System.getProperty("dsm.it.runtime.jar",
        "../api/target/dsm-api-0.1.0-SNAPSHOT.jar"));
    private static final Path BOOT_LOADER = Path.of(System.getProperty("dsm.it.platform.libs",
        "target/platform-libs"), "spring-boot-loader.jar");
    private static final Path OUT = Path.of(System.getProperty("dsm.it.platform.out", "target/platform"));
    private static Path appJar;
    private static Path moduleJar;
    private static Path bootJar;

    @BeforeAll
    static void buildTheApplicationAsAUserWould() throws IOException
    {
        assertTrue(Files.isRegularFile(API_JAR), "no dsm-api jar at " + API_JAR.toAbsolutePath());
        final Path source = APPS.resolve("shared-app");
        final List<String> classes = List.of(source.resolve("demo/shared/Main.java").toString(),
            source.resolve("demo/shared/Point.java").toString());

        final Path plain = fresh("classes");
        javac(concat(List.of("-cp", API_JAR.toString(), "-d", plain.toString()), classes));
        appJar = jar(OUT.resolve("app.jar"), plain, null);

        final Path modular = fresh("module");
        javac(concat(List.of("--module-path", API_JAR.toString(), "-d", modular.toString(),
            source.resolve("module-info.java").toString()), classes));
        moduleJar = jar(OUT.resolve("demo.shared.jar"), modular, null);

        bootJar = springBootJar(plain);
    }

    @Test
    @Timeout(180)
    void aSpringBootExecutableJarSharesTheFieldsOfItsClasses()
    {
        try (JvmCluster cluster = new JvmCluster())
        {
            cluster.startCoordinator();
            final JvmCluster.Jvm writer = cluster.start("boot-writer", java(cluster, "-jar", bootJar.toString(),
                "writer", "7", "api"));
            final JvmCluster.Jvm reader = cluster.start("reader", java(cluster, "-cp", appJar.toString(),
                "demo.shared.Main", "reader", "7"));
            assertEquals("read Point[x=7, y=-7]", reader.awaitLine("read ", WAIT), cluster.describeAll());
            assertEquals("acknowledged 7", writer.awaitLine("acknowledged", WAIT), cluster.describeAll());
            assertTrue(writer.stdout().contains(
                "loaded by org.springframework.boot.loader.launch.LaunchedClassLoader in unnamed module @" +
                    writer.stdout().get(0).substring(writer.stdout().get(0).indexOf('@') + 1)),
                "the application's classes came from the fat jar's nested entries: " + writer.stdout());
            assertTrue(writer.stdout().stream().anyMatch(l -> l.startsWith("node ")), writer.describe());
            quietExits(writer, reader);
        }
    }

    @Test
    @Timeout(180)
    void aNamedModuleOnTheModulePathSharesItsFieldsAndCallsTheApi()
    {
        try (JvmCluster cluster = new JvmCluster())
        {
            cluster.startCoordinator();
            final JvmCluster.Jvm writer = cluster.start("module-writer", java(cluster, "-p", moduleJar.toString(),
                "-m", "demo.shared/demo.shared.Main", "writer", "8", "api"));
            final JvmCluster.Jvm reader = cluster.start("module-reader", java(cluster, "-p", moduleJar.toString(),
                "-m", "demo.shared/demo.shared.Main", "reader", "8", "api"));
            assertEquals("read Point[x=8, y=-8]", reader.awaitLine("read ", WAIT), cluster.describeAll());
            assertEquals("acknowledged 8", writer.awaitLine("acknowledged", WAIT), cluster.describeAll());
            for (final JvmCluster.Jvm jvm : List.of(writer, reader))
            {
                assertTrue(jvm.stdout().contains(
                    "loaded by jdk.internal.loader.ClassLoaders$AppClassLoader in module demo.shared"), jvm.describe());
                assertTrue(jvm.stdout().stream().anyMatch(l -> l.matches("node \\d+")), jvm.describe());
            }
            quietExits(writer, reader);
        }
    }

    @Test
    @Timeout(180)
    void childFirstAndIsolatedClassLoadersThatBundleTheApiLinkToTheOneRuntime()
    {
        final String withCopy = appJar + File.pathSeparator + API_JAR;
        try (JvmCluster cluster = new JvmCluster())
        {
            cluster.startCoordinator();
            final JvmCluster.Jvm writer = cluster.start("child-first-writer", java(cluster, "-cp",
                JvmCluster.TEST_CLASSES, ChildFirstProgram.class.getName(), "system", withCopy, "demo.shared.Main",
                "writer", "9"));
            final JvmCluster.Jvm reader = cluster.start("isolated-reader", java(cluster, "-cp",
                JvmCluster.TEST_CLASSES, ChildFirstProgram.class.getName(), "none", withCopy, "demo.shared.Main",
                "reader", "9"));
            assertEquals("read Point[x=9, y=-9]", reader.awaitLine("read ", WAIT), cluster.describeAll());
            assertEquals("acknowledged 9", writer.awaitLine("acknowledged", WAIT), cluster.describeAll());
            for (final JvmCluster.Jvm jvm : List.of(writer, reader))
            {
                final String defined = jvm.awaitLine("child loader defined", WAIT);
                assertFalse(defined.matches(".*io\\.dsm\\.(access|node|bootstrap|values|runtime|coordinator)\\..*"),
                    "the rewritten call sites linked to the agent's runtime, never to the bundled copy: " + defined);
                assertTrue(jvm.stdout().contains("loaded by " + ChildFirstProgram.class.getName() +
                    "$ChildFirst in unnamed module @" + jvm.stdout().get(0).substring(
                    jvm.stdout().get(0).indexOf('@') + 1)), jvm.describe());
            }
            quietExits(writer, reader);

            // The bundled copy's io.dsm.Dsm is not the agent's: it says so, naming both loaders, rather than acting on
            // a second runtime of its own.
            final JvmCluster.Jvm api = cluster.start("isolated-api", java(cluster, "-cp", JvmCluster.TEST_CLASSES,
                ChildFirstProgram.class.getName(), "none", withCopy, "demo.shared.Main", "reader", "9", "api"));
            final String failed = api.awaitLine("failed", WAIT);
            assertTrue(failed.contains("second copy of dsm's runtime") && failed.contains("child-first"), failed);


            // An isolated loader with no dsm at all cannot see @Shared by reflection, so the runtime cannot read its name:
            // the first access says so, naming the field, rather than sharing it under another name or not at all.
            final JvmCluster.Jvm bare = cluster.start("isolated-bare", java(cluster, "-cp", JvmCluster.TEST_CLASSES,
                ChildFirstProgram.class.getName(), "none", appJar.toString(), "demo.shared.Main", "writer", "9"));
            final String refused = bare.awaitLine("failed", WAIT);
            assertTrue(refused.contains("@Shared on field demo.shared.Main.where is not visible to its class loader"),
                refused);
            assertEquals(1, api.awaitExit(WAIT), api.describe());
            assertEquals(1, bare.awaitExit(WAIT), bare.describe());
        }
    }

    /**
     * A container's limits, made with a mount namespace of this test's own (root and {@code unshare} needed, as in CI
     * here): a 64 MB {@code /dev/shm} (Docker's default) holds two JVMs and the directory they start; a read-only
     * {@code java.io.tmpdir}, and a {@code /dev/shm} too small for one JVM, each stop dsm at start-up with a message
     * that names the limit and the setting.
     */
    @Test
    @Timeout(240)
    void inAContainersLimitsDsmStartsOrSaysWhichLimitAndWhichSetting() throws Exception
    {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) &&
            Files.isExecutable(Path.of("/usr/bin/unshare")), "needs root and unshare for a mount namespace");
        final Path dir = fresh("container");
        final String javaCommand = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final String node = javaCommand + " -Xmx256m -javaagent:" + JvmCluster.AGENT_JAR.toAbsolutePath() +
            " -Ddsm.coordinator.autostart.idle.exit.ms=1500 -Ddsm.connect.timeout.ms=5000 -cp " +
            appJar.toAbsolutePath() + " demo.shared.Main";
        final int port = JvmCluster.freeUdpPort();
        final String script = String.join("\n",
            "set -u",
            "cd " + dir.toAbsolutePath(),
            "mount -t tmpfs -o size=64m tmpfs /dev/shm",
            "mkdir -p rw ro && mount -t tmpfs -o size=1m,ro tmpfs ro",
            node.replace(" -cp", " -Djava.io.tmpdir=rw -Ddsm.coordinator.port=" + port + " -cp") +
                " writer 5 > w.out 2> w.err &",
            "W=$!",
            node.replace(" -cp", " -Djava.io.tmpdir=rw -Ddsm.coordinator.port=" + port + " -cp") +
                " reader 5 > r.out 2> r.err",
            "echo \"reader exit $?\"",
            "wait $W",
            "echo \"writer exit $?\"",
            node.replace(" -cp", " -Djava.io.tmpdir=ro -Ddsm.coordinator.port=" + (port + 10) + " -cp") +
                " writer 6 > ro.out 2> ro.err",
            "echo \"read-only exit $?\"",
            "mount -t tmpfs -o size=8m tmpfs /dev/shm",
            node.replace(" -cp", " -Djava.io.tmpdir=rw -Ddsm.coordinator.port=" + (port + 20) + " -cp") +
                " writer 7 > small.out 2> small.err",
            "echo \"small exit $?\"",
            "");
        Files.writeString(dir.resolve("container.sh"), script);
        final Process process = new ProcessBuilder("timeout", "200", "unshare", "--mount", "--propagation",
            "private", "bash", dir.resolve("container.sh").toString()).redirectErrorStream(true).start();
        final String report = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), report);
        final java.util.function.Function<String, String> file = name ->
        {
            try
            {
                return Files.readString(dir.resolve(name));
            }
            catch (final IOException ex)
            {
                throw new java.io.UncheckedIOException(ex);
            }
        };
        final String all = report + "\n" + List.of("w.out", "w.err", "r.out", "r.err", "ro.out", "ro.err",
            "small.out", "small.err").stream().map(n -> "--- " + n + "\n" + file.apply(n))
            .collect(java.util.stream.Collectors.joining("\n"));

        assertTrue(report.contains("reader exit 0") && report.contains("writer exit 0"), all);
        assertTrue(file.apply("r.out").contains("read Point[x=5, y=-5]"), all);
        assertTrue(file.apply("w.out").contains("acknowledged 5"), all);
        assertEquals("", file.apply("w.err") + file.apply("r.err"), "64 MB of /dev/shm, and nothing on stderr: " + all);

        assertTrue(report.contains("read-only exit 1"), all);
        final String readOnly = file.apply("ro.err");
        assertTrue(readOnly.contains("java.io.tmpdir (ro)") && readOnly.contains("dsm.coordinator.dir") &&
            readOnly.contains("Read-only file system"), "names the limit and the settings: " + all);

        assertTrue(report.contains("small exit 1"), all);
        final String small = file.apply("small.err");
        assertTrue(small.contains("/dev/shm has ") && small.contains("dsm.aeron.dir"),
            "names the limit and the setting: " + all);
    }

    private static void quietExits(final JvmCluster.Jvm... jvms)
    {
        for (final JvmCluster.Jvm jvm : jvms)
        {
            assertEquals(0, jvm.awaitExit(WAIT), jvm.describe());
            assertEquals("", jvm.stderr(), jvm.label + ": nothing on stderr (Java " +
                System.getProperty("java.version") + ")");
        }
    }

    /** @return the command of a JVM with the agent and the cluster's settings, then {@code rest}. */
    private static List<String> java(final JvmCluster cluster, final String... rest)
    {
        final List<String> command = cluster.command(List.of("-javaagent:" + JvmCluster.AGENT_JAR),
            ChildFirstProgram.class);
        // command() ends with -cp <test classes> <main class>: keep what comes before it.
        final List<String> options = new ArrayList<>(command.subList(0, command.indexOf("-cp")));
        options.addAll(List.of(rest));
        return options;
    }

    /**
     * Spring Boot's executable jar layout, as its Maven plugin writes it: Boot's launcher at the root, the
     * application's classes in {@code BOOT-INF/classes}, its libraries as nested jars, stored, in {@code BOOT-INF/lib}
     * (here {@code Point} in a library of its own, and dsm's API bundled as a compile-scope dependency would be).
     */
    private static Path springBootJar(final Path classes) throws IOException
    {
        assertTrue(Files.isRegularFile(BOOT_LOADER), "no Spring Boot loader at " + BOOT_LOADER.toAbsolutePath());
        final Path values = fresh("values");
        Files.createDirectories(values.resolve("demo/shared"));
        Files.copy(classes.resolve("demo/shared/Point.class"), values.resolve("demo/shared/Point.class"));
        final Path valuesJar = jar(OUT.resolve("values.jar"), values, null);

        final Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "org.springframework.boot.loader.launch.JarLauncher");
        manifest.getMainAttributes().putValue("Start-Class", "demo.shared.Main");
        manifest.getMainAttributes().putValue("Spring-Boot-Classes", "BOOT-INF/classes/");
        manifest.getMainAttributes().putValue("Spring-Boot-Lib", "BOOT-INF/lib/");
        final Path boot = OUT.resolve("boot-app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(boot), manifest);
            JarFile loader = new JarFile(BOOT_LOADER.toFile()))
        {
            for (final Enumeration<JarEntry> entries = loader.entries(); entries.hasMoreElements(); )
            {
                final JarEntry entry = entries.nextElement();
                if (entry.getName().startsWith("org/") && !entry.isDirectory())
                {
                    out.putNextEntry(new JarEntry(entry.getName()));
                    out.write(loader.getInputStream(entry).readAllBytes());
                    out.closeEntry();
                }
            }
            for (final String dir : List.of("BOOT-INF/", "BOOT-INF/classes/", "BOOT-INF/classes/demo/",
                "BOOT-INF/classes/demo/shared/", "BOOT-INF/lib/"))
            {
                out.putNextEntry(new JarEntry(dir));
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("BOOT-INF/classes/demo/shared/Main.class"));
            out.write(Files.readAllBytes(classes.resolve("demo/shared/Main.class")));
            out.closeEntry();
            stored(out, "BOOT-INF/lib/values.jar", Files.readAllBytes(valuesJar));
            stored(out, "BOOT-INF/lib/dsm-api.jar", Files.readAllBytes(API_JAR));
        }
        return boot;
    }

    /** Boot reads nested jars in place: they are stored, not deflated. */
    private static void stored(final JarOutputStream out, final String name, final byte[] bytes) throws IOException
    {
        final JarEntry entry = new JarEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(bytes.length);
        entry.setCompressedSize(bytes.length);
        final CRC32 crc = new CRC32();
        crc.update(bytes);
        entry.setCrc(crc.getValue());
        out.putNextEntry(entry);
        out.write(bytes);
        out.closeEntry();
    }

    private static Path jar(final Path jar, final Path root, final Manifest manifest) throws IOException
    {
        try (OutputStream file = Files.newOutputStream(jar);
            JarOutputStream out = manifest == null ? new JarOutputStream(file) : new JarOutputStream(file, manifest);
            Stream<Path> files = Files.walk(root))
        {
            for (final Path path : (Iterable<Path>)files.filter(Files::isRegularFile).sorted()::iterator)
            {
                out.putNextEntry(new JarEntry(root.relativize(path).toString().replace(File.separatorChar, '/')));
                out.write(Files.readAllBytes(path));
                out.closeEntry();
            }
        }
        return jar;
    }

    private static void javac(final List<String> arguments)
    {
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        final ByteArrayOutputStream errors = new ByteArrayOutputStream();
        final int status = javac.run(null, errors, errors, arguments.toArray(new String[0]));
        assertEquals(0, status, "javac " + arguments + ": " + errors);
    }

    private static Path fresh(final String name) throws IOException
    {
        final Path dir = OUT.resolve(name);
        if (Files.exists(dir))
        {
            try (Stream<Path> files = Files.walk(dir))
            {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return Files.createDirectories(dir);
    }

    private static List<String> concat(final List<String> a, final List<String> b)
    {
        final List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
