package dev.eventbus.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The petisco wire vectors: message bodies as petisco writes them. They live in
 * {@code eventbus-core/src/test/resources/wire} (its README says where the facts come from), which this module's
 * pom adds to its test resources, so they are on the test classpath as {@code /wire/vectors/<file>}.
 */
final class WireVectors {

    private WireVectors() {
    }

    /** The bytes of one vector file, e.g. {@code user_created_v1.json}. */
    static byte[] read(String file) {
        String resource = "/wire/vectors/" + file;
        try (InputStream in = WireVectors.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no " + resource + " on the test classpath: integration-tests/pom.xml adds "
                        + "eventbus-core/src/test/resources/wire to the test resources; check that it still does");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + resource, e);
        }
    }
}
