/**
 * What an artifact is: the catalog of artifact types and the detector that types a manifest.
 *
 * <h2>Detection</h2>
 * {@link io.berth.oci.type.TypeCatalog#detect} reads the parsed {@link io.berth.oci.Manifest} only, never a blob,
 * so it is cheap at push time and gives the same answer every time. Each {@link io.berth.oci.type.ArtifactType} has
 * {@link io.berth.oci.type.Rule}s; a rule is a list of {@link io.berth.oci.type.Match} conditions that must all hold.
 * Rules are tried in this order and the first that holds decides:
 * <ol>
 *   <li>by {@link io.berth.oci.type.Match.Tier tier} of the rule's strongest condition: {@code artifactType}, then
 *       {@code config.mediaType}, then layer media types and annotations, then the manifest's media type and an
 *       index's children;</li>
 *   <li>in a tier, rules with more conditions first: {@code {config: OCI image config, layer: cosign simplesigning}}
 *       (a cosign signature) is tried before {@code {config: OCI image config}} (an image);</li>
 *   <li>then rules from later files first, so an operator's rule wins a tie with a built-in one;</li>
 *   <li>then file order.</li>
 * </ol>
 * An {@code artifactType} no rule claims does not stop detection; the next tiers still apply (an unclaimed type with
 * the empty config is a generic OCI artifact). Nothing matching is the {@code unknown} type, with
 * {@link io.berth.oci.type.Detected#mediaTypes} to show. An index is typed from its own fields and its children's
 * descriptors (media type, platform, annotations), never by fetching the children: every built-in index type
 * (multi-platform image, Docker manifest list, CNAB, Homebrew, OpenTofu provider) is recognizable that way. BuildKit's
 * attestation entries ({@code vnd.docker.reference.type: attestation-manifest}, platform {@code unknown/unknown}) are
 * left out of an index's platforms and do not make a multi-platform image an "index of artifacts"; the attestation
 * manifest itself is typed by its layers.
 *
 * <h2>Type files</h2>
 * The built-in types are data: {@code builtin-types.json} and {@code icons/*.svg} next to this package, in Berth's own
 * format, read by the same loader as operators' files. {@link io.berth.oci.type.TypeCatalog#load} reads the built-ins,
 * then each file in order. Two formats, told apart by their top-level keys:
 * <ul>
 *   <li>Berth's, {@code berthTypes: 1} and {@code types[]}, JSON or YAML (by file extension): see
 *       {@code BerthFormat}. A type with an existing id replaces it, rules included.</li>
 *   <li>The 2019 OCI artifacts proposal's {@code mediaTypeMappings.json}, {@code schemaVersion: 1} and
 *       {@code mediaTypes[]}, read unchanged: each entry matches {@code config.mediaType} or {@code artifactType}
 *       equal to its {@code mediaType}. When an existing type already claims that media type with a one-condition
 *       rule, the entry extends it: its title, description, more-info link and tools replace the type's, its icon too
 *       if inline (an external icon URL is kept as {@link io.berth.oci.type.Icon#href}, the type's own drawing stays),
 *       while the type's id, rules, actions and scanner category stay. Otherwise it is a new type whose id is derived
 *       from the media type ({@code application/vnd.acme.rocket.v1} → {@code vnd-acme-rocket-v1}).</li>
 * </ul>
 * Loading never throws for a bad file: problems come back as {@link io.berth.oci.type.CatalogProblem} values with the
 * file, line and column. A file that does not parse contributes nothing; an invalid entry is skipped and the rest of
 * its file loads. Every type records its {@link io.berth.oci.type.ArtifactType#source}.
 *
 * <h2>Icons</h2>
 * Berth draws its own: a 24×24 {@code viewBox}, a rounded tile ({@code rx} 5) in the colour of the type's family
 * (images blue, deployment teal, signatures violet, SBOMs and attestations amber, policy red, WebAssembly indigo,
 * models pink, other slate) with a white one- or two-letter bold monogram; an index draws a second tile behind the
 * first. No logos, no external references, no scripts: {@code Svg} checks every icon a file brings.
 *
 * <h2>Actions</h2>
 * {@link io.berth.oci.type.ActionTemplate}s are real commands of each tool with placeholders, rendered for a
 * {@link io.berth.oci.type.Target}. A command that needs the tag offers its {@code untagged} digest form for a manifest
 * reached by digest, or is left out; one that needs a subject is left out when the manifest has none.
 */
package io.berth.oci.type;
