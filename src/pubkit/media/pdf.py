"""Linked PDFs (a consent form, a price list): published only without active parts.

A PDF can run JavaScript when opened (``/OpenAction``), when a page or field
is touched (``/AA``), from a link (``/A``), from the document's JavaScript
name tree or an XFA form; it can launch programs (``/Launch``), open other
files (``/GoToR``, ``/GoToE``), post form data to a host (``/SubmitForm``,
``/ImportData``), carry files (``/EmbeddedFiles``, ``/AF``, file-attachment
annotations) and play media.  Every such part is removed with pikepdf
(qpdf), the result is checked again, and only then published.  A file
pikepdf cannot open, or one that is encrypted, is refused: it cannot be checked.

Links to web pages (``/URI`` with http, https, mailto or tel) and links
within the document stay, as they do in articles.
"""

from __future__ import annotations

import io
import warnings
from typing import Any

from pubkit.media.types import Refusal

PASSIVE_ACTIONS = frozenset({"/GoTo", "/URI", "/Named", "/Thread", "/Hide", "/SetOCGState",
                             "/ResetForm", "/Trans"})
"""Actions kept: they move within the document, show or hide parts, or follow a web link."""
ACTIVE_ANNOTATIONS = frozenset({"/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia",
                                "/3D"})
URI_SCHEMES = ("http:", "https:", "mailto:", "tel:")
_ROOT_ACTIVE = ("/JavaScript", "/EmbeddedFiles")


def inspect_pdf(data: bytes) -> bytes | Refusal:
    """``data`` without active content (the same bytes when there was none), or why not."""
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        return Refusal("an encrypted PDF, which pubkit cannot check")
    except (pikepdf.PdfError, ValueError, OSError, RuntimeError) as exc:
        return Refusal(f"unreadable PDF ({_short(str(exc))})")
    with pdf:
        try:
            if pdf.is_encrypted:
                return Refusal("an encrypted PDF, which pubkit cannot check")
            if len(pdf.pages) == 0:
                return Refusal("a PDF without pages")
            removed = _clean(pdf)
            if not removed:
                return data
            out = io.BytesIO()
            with warnings.catch_warnings():  # qpdf's advice on form layout is not the reader's business
                warnings.simplefilter("ignore")
                pdf.save(out, deterministic_id=True)
        except (pikepdf.PdfError, ValueError, RuntimeError, TypeError, KeyError) as exc:
            return Refusal(f"unreadable PDF ({_short(str(exc))})")
    cleaned = out.getvalue()
    with pikepdf.open(io.BytesIO(cleaned)) as again:
        if _clean(again):  # what qpdf wrote must hold nothing active any more
            return Refusal("a PDF whose active content could not be removed")
    return cleaned


def _clean(pdf: Any) -> list[str]:
    """Remove every active part of ``pdf`` in place; what was removed."""
    import pikepdf

    removed: list[str] = []
    root = pdf.Root
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        for key in _ROOT_ACTIVE:
            if key in names:
                del names[key]
                removed.append(key)
    form = root.get("/AcroForm")
    if isinstance(form, pikepdf.Dictionary) and "/XFA" in form:
        del form["/XFA"]
        removed.append("/XFA")
    for key in ("/Collection", "/OpenAction"):
        value = root.get(key)
        if value is not None and (key == "/Collection" or not _passive_action(value)):
            del root[key]
            removed.append(key)
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if isinstance(annots, pikepdf.Array):
            kept = [a for a in annots if not _active_annotation(a)]
            if len(kept) != len(annots):
                page.obj["/Annots"] = pikepdf.Array(kept)
                removed.append("annotation")
    for obj in pdf.objects:
        _clean_object(obj, removed)
    return removed


def _clean_object(obj: Any, removed: list[str], depth: int = 0) -> None:
    """Strip actions and attachments from ``obj`` and its direct (not indirect) children."""
    import pikepdf

    if depth > 64:
        return
    if isinstance(obj, pikepdf.Stream | pikepdf.Dictionary):
        for key in ("/AA", "/JS"):
            if key in obj:
                del obj[key]
                removed.append(key)
        for key in ("/A", "/Next", "/PA"):
            value = obj.get(key)
            if value is not None and not _passive_action(value):
                del obj[key]
                removed.append(key)
        for key in ("/EF", "/AF"):  # embedded files, and PDF 2.0's associated files
            if key in obj:
                del obj[key]
                removed.append(key)
        if str(obj.get("/S", "")) not in PASSIVE_ACTIONS and "/S" in obj and "/Type" in obj \
                and str(obj.get("/Type")) == "/Action":
            obj["/S"] = pikepdf.Name("/Named")
            obj["/N"] = pikepdf.Name("/FirstPage")
            removed.append("action")
        children = [obj.get(k) for k in list(obj.keys())]
    elif isinstance(obj, pikepdf.Array):
        children = list(obj)
    else:
        return
    for child in children:
        if isinstance(child, pikepdf.Dictionary | pikepdf.Array) and not child.is_indirect:
            _clean_object(child, removed, depth + 1)


def _passive_action(value: Any, depth: int = 0) -> bool:
    """Whether an action (a chain of them, or a destination array) does nothing active.

    A chain longer than 32 (or one that loops) counts as active and is removed.
    """
    import pikepdf

    if depth > 32:
        return False
    if isinstance(value, pikepdf.Array):  # a destination, or a list of chained actions
        actions = [v for v in value if isinstance(v, pikepdf.Dictionary) and "/S" in v]
        return all(_passive_action(v, depth + 1) for v in actions)
    if not isinstance(value, pikepdf.Dictionary):
        return True
    kind = str(value.get("/S", ""))
    if kind not in PASSIVE_ACTIONS or "/JS" in value:
        return False
    if kind == "/URI" and not str(value.get("/URI", "")).lower().startswith(URI_SCHEMES):
        return False
    nxt = value.get("/Next")
    return nxt is None or _passive_action(nxt, depth + 1)


def _active_annotation(annot: Any) -> bool:
    import pikepdf

    return isinstance(annot, pikepdf.Dictionary) and str(annot.get("/Subtype", "")) in ACTIVE_ANNOTATIONS


def _short(text: str) -> str:
    return text if len(text) <= 160 else text[:157] + "..."
