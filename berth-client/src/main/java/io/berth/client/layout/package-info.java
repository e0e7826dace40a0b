/** The OCI image layout on disk ({@link io.berth.client.layout.OciLayout}), readable by skopeo, umoci and ORAS. */
package io.berth.client.layout;
