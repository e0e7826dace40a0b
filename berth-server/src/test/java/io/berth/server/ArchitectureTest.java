package io.berth.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.berth.oci.ErrorCode;
import io.berth.server.auth.AccessController;
import org.junit.jupiter.api.Test;

/** The boundaries the code keeps, checked on the compiled classes of every module on the test class path. */
class ArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.berth");
    private static final String[] DATABASE_DRIVERS =
            {"java.sql..", "javax.sql..", "org.sqlite..", "org.postgresql..", "org.flywaydb..", "com.zaxxer.hikari.."};
    /** Packages that serve HTTP or hold blob bytes: they reach metadata through the index interfaces of {@code meta}. */
    private static final String[] HTTP_AND_BLOBS = {"io.berth.server.http..", "io.berth.server.handler..",
            "io.berth.server.listing..", "io.berth.server.ui..", "io.berth.server.auth..", "io.berth.server.blob..",
            "io.berth.server.type..", "io.berth.server.tls..", "io.berth.server.config..", "io.berth.server.usage..",
            "io.berth.server.quota..", "io.berth.server.immutability.."};

    /** The value types, parser and type catalog are shared by server, client and CLI (Maven already keeps them apart). */
    @Test
    void theOciModelKnowsNothingOfNetworksOrDatabases() {
        noClasses().that().resideInAPackage("io.berth.oci..")
                .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "io.netty..", "java.net.http..", "java.sql..")
                .check(CLASSES);
    }

    @Test
    void onlyTheMetadataAndTheFeatureStoresSpeakSql() {
        noClasses().that().resideInAnyPackage(HTTP_AND_BLOBS)
                .should().dependOnClassesThat().resideInAnyPackage(DATABASE_DRIVERS)
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.berth.server.meta.Database")
                .check(CLASSES);
    }

    @Test
    void requestHandlersSeeBlobStorageThroughItsInterface() {
        noClasses().that().resideInAnyPackage("io.berth.server.http..", "io.berth.server.handler..",
                        "io.berth.server.listing..", "io.berth.server.ui..")
                .should().dependOnClassesThat().haveFullyQualifiedName("io.berth.server.blob.FilesystemBlobStore")
                .check(CLASSES);
    }

    @Test
    void registryHandlersStandApartFromTheWebUiAndTheListingApi() {
        noClasses().that().resideInAPackage("io.berth.server.handler..")
                .should().dependOnClassesThat().resideInAnyPackage("io.berth.server.ui..", "io.berth.server.listing..")
                .check(CLASSES);
    }

    /**
     * The server's packages depend on each other in one direction: features own their configuration records and the
     * configuration loader depends on them, never the other way round.
     */
    @Test
    void serverPackagesAreFreeOfCycles() {
        slices().matching("io.berth.server.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    /** The router checks access before any handler runs; no handler asks the access controller itself. */
    @Test
    void onlyTheRouterAsksTheAccessController() {
        noClasses().that().resideInAnyPackage("io.berth.server.handler..", "io.berth.server.listing..",
                        "io.berth.server.scan..", "io.berth.server.event..", "io.berth.server.ui..", "io.berth.server.blob..",
                        "io.berth.server.meta..", "io.berth.server.usage..")
                .should().dependOnClassesThat().areAssignableTo(AccessController.class)
                .check(CLASSES);
    }

    /** On the wire the server uses the distribution-spec's codes only; the others are for the client's side. */
    @Test
    void theServerAnswersWithSpecCodesOnly() {
        noClasses().that().resideInAPackage("io.berth.server..")
                .should().accessField(ErrorCode.class, ErrorCode.NOT_FOUND.name())
                .orShould().accessField(ErrorCode.class, ErrorCode.SIZE_TOO_LARGE.name())
                .orShould().accessField(ErrorCode.class, ErrorCode.RANGE_INVALID.name())
                .orShould().accessField(ErrorCode.class, ErrorCode.PAGINATION_NUMBER_INVALID.name())
                .check(CLASSES);
    }
}
