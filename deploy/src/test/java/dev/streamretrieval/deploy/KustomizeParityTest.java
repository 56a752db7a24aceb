package dev.streamretrieval.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The checks' own renderer ({@link Kustomize}) must produce exactly what {@code kubectl kustomize} (kubectl embeds
 * kustomize) produces for every variant, so that what the checks pass is what a user applies. Needs kubectl on
 * the PATH and fails without it: {@code .ci/run} installs it (Debian package {@code kubectl}) on a clean machine.
 */
class KustomizeParityTest {

    static String kubectl() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "kubectl");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    @ParameterizedTest
    @MethodSource("dev.streamretrieval.deploy.DeployManifestsTest#variants")
    void ownRendererEqualsKubectlKustomize(String variant, @TempDir Path tmp) throws Exception {
        String kubectl = kubectl();
        assertThat(kubectl).as("kubectl on the PATH (needed to compare our kustomize renderer with kubectl kustomize; "
                + ".ci/run installs it, or: apt-get install kubectl)").isNotNull();
        Path k8s = DeployManifestsTest.copyTree(DeployManifestsTest.K8S, tmp.resolve("k8s"));
        Path overlay = Files.createDirectories(k8s.resolve("parity-overlay"));
        StringBuilder k = new StringBuilder("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../base\n");
        if (!variant.equals("base")) {
            k.append("components:\n");
            for (String c : variant.split(",")) {
                k.append("  - ../components/").append(c).append('\n');
            }
        }
        Files.writeString(overlay.resolve("kustomization.yaml"), k.toString());
        List<JsonNode> theirs = new ArrayList<>(kustomize(kubectl, k8s.resolve("topics")));
        theirs.addAll(kustomize(kubectl, overlay));
        sorted(theirs);
        List<JsonNode> ours = sorted(new ArrayList<>(DeployManifestsTest.render(variant)));
        assertThat(ours).isEqualTo(theirs);
    }

    private static List<JsonNode> kustomize(String kubectl, Path dir) throws Exception {
        Process p = new ProcessBuilder(kubectl, "kustomize", dir.toString()).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kubectl kustomize %s: %s", dir, err).isZero();
        return Yaml.readAll(new String(out, StandardCharsets.UTF_8));
    }

    private static List<JsonNode> sorted(List<JsonNode> docs) {
        docs.sort(Comparator.comparing((JsonNode d) -> d.path("kind").asText()).thenComparing(d -> d.path("metadata").path("name").asText()));
        return docs;
    }
}
