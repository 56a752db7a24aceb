package dev.streamretrieval.jobs.cluster;

import dev.streamretrieval.jobs.RetrievalJob;
import dev.streamretrieval.operators.index.IndexAndSearchShards;
import dev.streamretrieval.schemas.DeadLetter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * The jar(s) submitted with the job to a cluster: this project's three modules (jobs, operators, schemas), the
 * libraries they need being on the cluster's classpath ({@link LocalCluster#defaultClasspath()}). A module that
 * runs from a jar is submitted as that jar; one that runs from {@code target/classes} is packed into a jar first.
 */
public final class JobJars {
    private JobJars() {}

    /** Jars for the modules of the running code, built under {@code dir} where needed. */
    public static List<String> forRunningCode(Path dir) {
        Set<Path> sources = new LinkedHashSet<>();
        for (Class<?> anchor : List.of(RetrievalJob.class, IndexAndSearchShards.class, DeadLetter.class)) {
            try {
                sources.add(Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath());
            } catch (URISyntaxException | NullPointerException e) {
                throw new IllegalStateException("cannot tell where " + anchor.getName() + " was loaded from", e);
            }
        }
        List<String> jars = new ArrayList<>();
        for (Path source : sources) {
            if (Files.isDirectory(source)) {
                // .../<module>/target/classes → <module>.jar
                Path module = source.getParent() != null && source.getParent().getParent() != null
                        ? source.getParent().getParent().getFileName() : source.getFileName();
                Path jar = dir.resolve("job-" + module + ".jar");
                pack(source, jar);
                jars.add(jar.toString());
            } else {
                jars.add(source.toString());
            }
        }
        return jars;
    }

    /** Packs a class folder into a jar. */
    static void pack(Path classes, Path jar) {
        try {
            Files.createDirectories(jar.getParent());
            Manifest manifest = new Manifest();
            manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            try (OutputStream out = Files.newOutputStream(jar);
                    JarOutputStream jo = new JarOutputStream(out, manifest);
                    Stream<Path> files = Files.walk(classes)) {
                for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                    if (!Files.isRegularFile(f)) {
                        continue;
                    }
                    String name = classes.relativize(f).toString().replace('\\', '/');
                    if (name.equals("META-INF/MANIFEST.MF")) {
                        continue;
                    }
                    jo.putNextEntry(new JarEntry(name));
                    Files.copy(f, jo);
                    jo.closeEntry();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pack " + classes + " into " + jar, e);
        }
    }
}
