package io.berth.oci.type;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * Checks icons before a UI inlines them: well-formed XML without a DOCTYPE, an {@code <svg>} root in the SVG namespace
 * with a {@code viewBox}, and nothing active or remote: no {@code script}, {@code foreignObject} or {@code style}
 * elements, no {@code on*} event attributes, no {@code href} or {@code url(…)} other than a {@code #fragment}.
 */
final class Svg {
    static final String NAMESPACE = "http://www.w3.org/2000/svg";
    static final int MAX_CHARS = 32 * 1024;
    private static final DocumentBuilderFactory FACTORY = factory();
    private static final Pattern REMOTE_URL = Pattern.compile(".*url\\((?!['\"]?#).*");

    private Svg() {
    }

    /** Why {@code svg} is not an acceptable icon, or empty when it is. */
    static Optional<String> problem(String svg) {
        if (svg.length() > MAX_CHARS) {
            return Optional.of("icon is larger than " + MAX_CHARS + " characters");
        }
        Element root;
        try {
            root = parser().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
        } catch (Exception e) {
            return Optional.of("icon is not well-formed XML: " + e.getMessage());
        }
        if (!"svg".equals(root.getLocalName()) || !NAMESPACE.equals(root.getNamespaceURI())) {
            return Optional.of("icon root must be <svg xmlns=\"" + NAMESPACE + "\">");
        }
        if (!root.hasAttribute("viewBox")) {
            return Optional.of("icon <svg> needs a viewBox");
        }
        return unsafe(root);
    }

    /** The SVG text of a {@code data:image/svg+xml[;base64],…} URL, or empty if it is not one. */
    static Optional<String> fromDataUrl(String url) {
        int comma = url.indexOf(',');
        String lower = url.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("data:image/svg+xml") || comma < 0) {
            return Optional.empty();
        }
        String data = url.substring(comma + 1);
        try {
            byte[] bytes = lower.substring(0, comma).endsWith(";base64")
                    ? Base64.getMimeDecoder().decode(data) : percentDecode(data);
            return Optional.of(new String(bytes, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The first forbidden element or attribute, walking the tree with a stack of its own: recursion overflowed the
     * thread's stack on an icon of a few thousand nested elements, which fits in {@link #MAX_CHARS}.
     */
    private static Optional<String> unsafe(Element root) {
        Deque<Element> pending = new ArrayDeque<>(List.of(root));
        while (!pending.isEmpty()) {
            Element element = pending.pop();
            Optional<String> problem = unsafeItself(element);
            if (problem.isPresent()) {
                return problem;
            }
            for (Node child = element.getLastChild(); child != null; child = child.getPreviousSibling()) {
                if (child instanceof Element e) {
                    pending.push(e);
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> unsafeItself(Element element) {
        String name = element.getLocalName().toLowerCase(Locale.ROOT);
        if (name.equals("script") || name.equals("foreignobject") || name.equals("style")) {
            return Optional.of("icon must not contain <" + element.getLocalName() + ">");
        }
        NamedNodeMap attributes = element.getAttributes();
        for (int i = 0; i < attributes.getLength(); i++) {
            Node a = attributes.item(i);
            String attr = (a.getLocalName() == null ? a.getNodeName() : a.getLocalName()).toLowerCase(Locale.ROOT);
            String value = a.getNodeValue().trim().toLowerCase(Locale.ROOT);
            if (attr.startsWith("on")) {
                return Optional.of("icon must not contain event attributes (" + a.getNodeName() + ")");
            }
            if ((attr.equals("href") || attr.equals("src")) && !value.startsWith("#")) {
                return Optional.of("icon must not reference anything outside itself (" + a.getNodeName() + ")");
            }
            if (REMOTE_URL.matcher(value.replace(" ", "")).matches() || value.contains("@import")) {
                return Optional.of("icon must not reference anything outside itself (" + a.getNodeName() + ")");
            }
        }
        return Optional.empty();
    }

    private static DocumentBuilder parser() throws Exception {
        DocumentBuilder builder;
        synchronized (FACTORY) { // a factory is not thread-safe; making one per icon looked it up on the class path each time
            builder = FACTORY.newDocumentBuilder();
        }
        builder.setErrorHandler(new org.xml.sax.helpers.DefaultHandler() {
            @Override
            public void error(org.xml.sax.SAXParseException e) throws org.xml.sax.SAXParseException {
                throw e;
            }
        });
        return builder;
    }

    /** The JDK's own parser (no service lookup), namespace-aware, without DOCTYPEs, external entities or XInclude. */
    private static DocumentBuilderFactory factory() {
        DocumentBuilderFactory f = DocumentBuilderFactory.newDefaultNSInstance();
        try {
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser lacks a safety feature", e);
        }
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        return f;
    }

    /** RFC 3986 percent-decoding; unlike {@link java.net.URLDecoder}, {@code +} stays {@code +}. */
    private static byte[] percentDecode(String s) {
        var out = new java.io.ByteArrayOutputStream(s.length());
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '%') {
                if (i + 2 >= in.length) {
                    throw new IllegalArgumentException("truncated percent escape");
                }
                out.write(Integer.parseInt(new String(in, i + 1, 2, StandardCharsets.US_ASCII), 16));
                i += 2;
            } else {
                out.write(in[i]);
            }
        }
        return out.toByteArray();
    }
}
