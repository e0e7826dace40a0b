package io.berth.server.type;

import io.berth.oci.Manifest;
import io.berth.oci.ManifestParser;
import io.berth.oci.RegistryException;
import io.berth.oci.type.TypeCatalog;
import io.berth.server.meta.ClassificationIndex;
import io.berth.server.meta.StoredManifest.Classification;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings every stored manifest's type in line with the catalog in force, page by page, after the catalog changed
 * (and at start-up, in case it changed while the registry was down). Only rows whose type or platforms differ are
 * written. A finished walk records the catalog's {@linkplain TypeCatalog#fingerprint fingerprint}; while the catalog in
 * force has that fingerprint there is nothing to walk, so a start-up with unchanged types reads no manifest.
 */
public final class Retyping {
    private static final Logger LOG = LoggerFactory.getLogger(Retyping.class);
    private static final int PAGE = 500;

    private final ClassificationIndex index;
    private final Supplier<TypeCatalog> catalog;

    public Retyping(ClassificationIndex index, Supplier<TypeCatalog> catalog) {
        this.index = index;
        this.catalog = catalog;
    }

    /** Blocking: re-types everything unless it was typed with this catalog; returns how many manifests changed type. */
    public int run() {
        TypeCatalog current = catalog.get();
        if (index.typedWith().filter(current.fingerprint()::equals).isPresent()) {
            return 0;
        }
        int changed = 0;
        int seen = 0;
        ClassificationIndex.Cursor cursor = ClassificationIndex.Cursor.START;
        while (true) {
            var page = index.page(cursor, PAGE);
            for (var row : page) {
                seen++;
                Classification now = classify(current, row);
                if (!now.typeId().equals(row.classification().typeId())
                        || !now.platforms().equals(row.classification().platforms())) {
                    index.update(row.cursor(), now);
                    changed++;
                }
                cursor = row.cursor();
            }
            if (page.size() < PAGE) {
                break;
            }
        }
        index.typedWith(current.fingerprint());
        if (changed > 0) {
            LOG.info("re-typed {} of {} manifests after a type catalog change", changed, seen);
        }
        return changed;
    }

    private static Classification classify(TypeCatalog catalog, ClassificationIndex.Row row) {
        try {
            Manifest manifest = ManifestParser.parse(row.content(), row.mediaType());
            return Classifier.classify(catalog, manifest, row.content().length);
        } catch (RegistryException stillValidWhenStored) {
            return row.classification();
        }
    }
}
