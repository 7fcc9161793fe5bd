"""The SVG allow-lists: elements, attributes and CSS functions a published drawing may use.

Everything not named here is dropped.  The lists hold what static drawings
need (shapes, text, gradients, patterns, clipping, masks, markers and the
filter primitives that read nothing from outside the drawing) and nothing
that runs, animates, links out or embeds another document.
"""

from __future__ import annotations

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

ELEMENTS = frozenset({
    "svg", "g", "defs", "symbol", "use", "title", "desc", "switch",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
    "text", "tspan", "textPath",
    "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker",
    "image", "style",
    "filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feFuncR", "feFuncG", "feFuncB",
    "feFuncA", "feComposite", "feConvolveMatrix", "feDiffuseLighting", "feSpecularLighting",
    "feDistantLight", "fePointLight", "feSpotLight", "feDisplacementMap", "feDropShadow",
    "feFlood", "feGaussianBlur", "feMerge", "feMergeNode", "feMorphology", "feOffset", "feTile",
    "feTurbulence",
})
"""Kept, with their allowed attributes and children."""

UNWRAPPED = frozenset({"a"})
"""Dropped, but their children kept in their place (a link's drawing stays; the link goes)."""

HREF_ELEMENTS = frozenset({"use", "textPath", "linearGradient", "radialGradient", "pattern",
                           "filter", "image"})
"""Elements whose ``href`` may point at ``#id`` in the same drawing (``image``: a ``data:`` picture)."""

PRESENTATION = frozenset({
    "alignment-baseline", "baseline-shift", "clip", "clip-path", "clip-rule", "color",
    "color-interpolation", "color-interpolation-filters", "color-rendering", "direction",
    "display", "dominant-baseline", "enable-background", "fill", "fill-opacity", "fill-rule",
    "filter", "flood-color", "flood-opacity", "font", "font-family", "font-size",
    "font-size-adjust", "font-stretch", "font-style", "font-variant", "font-weight",
    "glyph-orientation-horizontal", "glyph-orientation-vertical", "image-rendering", "isolation",
    "kerning", "letter-spacing", "lighting-color", "marker", "marker-end", "marker-mid",
    "marker-start", "mask", "mask-type", "mix-blend-mode", "opacity", "overflow", "paint-order",
    "pointer-events", "shape-rendering", "stop-color", "stop-opacity", "stroke",
    "stroke-dasharray", "stroke-dashoffset", "stroke-linecap", "stroke-linejoin",
    "stroke-miterlimit", "stroke-opacity", "stroke-width", "text-anchor", "text-decoration",
    "text-rendering", "transform", "transform-box", "transform-origin", "unicode-bidi",
    "vector-effect", "visibility", "white-space", "word-spacing", "writing-mode",
})

GEOMETRY = frozenset({
    "id", "class", "style", "lang", "role", "focusable", "tabindex",
    "x", "y", "width", "height", "rx", "ry", "cx", "cy", "r", "fx", "fy", "fr",
    "x1", "y1", "x2", "y2", "d", "points", "pathLength", "viewBox", "preserveAspectRatio",
    "version", "baseProfile", "offset", "gradientUnits", "gradientTransform", "spreadMethod",
    "patternUnits", "patternContentUnits", "patternTransform", "clipPathUnits", "maskUnits",
    "maskContentUnits", "markerUnits", "markerWidth", "markerHeight", "refX", "refY", "orient",
    "dx", "dy", "rotate", "textLength", "lengthAdjust", "startOffset", "method", "spacing", "side",
    "href", "filterUnits", "primitiveUnits", "in", "in2", "result", "stdDeviation", "edgeMode",
    "mode", "operator", "k1", "k2", "k3", "k4", "type", "values", "tableValues", "slope",
    "intercept", "amplitude", "exponent", "radius", "baseFrequency", "numOctaves", "seed",
    "stitchTiles", "order", "kernelMatrix", "divisor", "bias", "targetX", "targetY",
    "preserveAlpha", "scale", "xChannelSelector", "yChannelSelector", "surfaceScale",
    "diffuseConstant", "specularConstant", "specularExponent", "kernelUnitLength", "azimuth",
    "elevation", "pointsAtX", "pointsAtY", "pointsAtZ", "limitingConeAngle", "z",
    "requiredFeatures", "requiredExtensions", "systemLanguage", "media",
})

ATTRIBUTES = PRESENTATION | GEOMETRY
"""Attributes without a namespace that are kept (``aria-*`` too); every ``on*`` handler is not."""

NAMESPACED = {f"{{{XLINK_NS}}}href": "href", f"{{{XML_NS}}}space": None, f"{{{XML_NS}}}lang": None}
"""Namespaced attributes kept; ``xlink:href`` is checked as ``href`` is."""

CSS_FUNCTIONS = frozenset({
    "rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "color", "calc", "min",
    "max", "clamp", "var", "translate", "translatex", "translatey", "rotate", "scale", "scalex",
    "scaley", "skew", "skewx", "skewy", "matrix", "url", "cubic-bezier", "steps", "blur",
    "brightness", "contrast", "drop-shadow", "grayscale", "hue-rotate", "invert", "opacity",
    "saturate", "sepia", "not", "is", "where", "nth-child", "nth-of-type", "nth-last-child",
    "nth-last-of-type", "lang",
})
"""CSS functions a stylesheet or ``style`` attribute may call; ``url()`` only as ``url(#id)``."""

CSS_AT_RULES = frozenset({"media", "keyframes", "supports"})
"""At-rules kept; ``@import``, ``@font-face`` and ``@namespace`` reach outside the drawing."""
