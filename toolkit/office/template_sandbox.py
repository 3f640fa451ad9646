"""The Jinja environment an owner-edited certificate template runs in: a template is code with limits.

    env = make_environment()                 # what docxtpl's render is given for the XML parts
    with budget(env.limits):                 # one document: steps and time counted across its parts
        ...docxtpl renders with env...

What it allows: the context's variables (no globals: no `range`, `cycler`, `namespace`, ...), a short list
of filters, the read-only methods of text, lists and dicts, macros, loops and the operators. What it
refuses, each as a TemplateLimit that toolkit.office.docx_templates turns into a Finnish refusal naming
the template and the tag (exit 3):

- reaching Python internals (Jinja's immutable sandbox), `|safe` and `{% autoescape %}` (autoescape stays on);
- `{% include %}`, `{% import %}`, `{% from %}` and `{% extends %}` (a template is one document);
- a value bigger than Limits.value characters (or items, nested lists counted through): checked *before*
  `*`, `+`, `~`, `|join`, `|replace` and list or dict literals make it, so `'x' * 4000000000` never
  allocates; a number over Limits.int_bits bits, checked before `*` and `**` compute it (`n ** 99999999`);
- `%` on text and `str.format` (their widths would make any size);
- more than Limits.steps loop iterations, calls and operators in one document, more than Limits.seconds of
  rendering (checked at every step, attribute and item lookup, operator and output), and more than
  Limits.output characters output in one document: every `{{ … }}` and every piece of the template's own
  text is counted as it is produced, also inside macros and `{% set %}` blocks, whose text Jinja keeps in
  memory before joining it (so no buffer outgrows the limit either);
- recursion deeper than Python allows (a macro or a recursive loop calling itself without end).

Values are escaped for XML (autoescape), characters XML cannot hold are dropped, and `{` and `}` in values
are written as character references, so docxtpl's own escapes (`{_{` for a literal `{{`) never change
what a value says: a name typed as `{_{` prints as typed.
"""

from __future__ import annotations

import itertools
import math
import re
import time
from collections import OrderedDict
from collections.abc import ItemsView, Iterator, KeysView, ValuesView
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

from jinja2 import StrictUndefined, Template, Undefined, nodes, pass_context, pass_environment
from jinja2.filters import do_join, do_replace
from jinja2.runtime import LoopContext, Macro, markup_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer
from markupsafe import Markup, escape

XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# Filters a certificate template may use (Jinja's own); join, replace, list and string are size-checked.
SAFE_FILTERS = frozenset({"abs", "capitalize", "count", "d", "default", "e", "escape", "first", "float", "int",
                          "items", "last", "length", "lower", "max", "min", "reverse", "round", "sort",
                          "striptags", "title", "trim", "truncate", "unique", "upper", "wordcount"})
ALLOWED_FILTERS = SAFE_FILTERS | {"join", "replace", "list", "string"}      # what the owner may write
# Methods a template may call on a value: they read, and what they return is never bigger than the value.
SAFE_METHODS = {
    str: frozenset({"upper", "lower", "title", "capitalize", "casefold", "swapcase", "strip", "lstrip", "rstrip",
                    "startswith", "endswith", "split", "rsplit", "splitlines", "partition", "rpartition", "count",
                    "find", "rfind", "index", "rindex", "isalpha", "isdigit", "isnumeric", "isalnum", "isspace",
                    "islower", "isupper", "istitle", "removeprefix", "removesuffix"}),
    dict: frozenset({"get", "items", "keys", "values"}),
    list: frozenset({"index", "count"}),
    tuple: frozenset({"index", "count"}),
    LoopContext: frozenset({"cycle", "changed"}),
}
NOT_ALLOWED_TAGS = {nodes.Include: "include", nodes.Import: "import", nodes.FromImport: "import",
                    nodes.Extends: "extends"}


@dataclass(frozen=True)
class Limits:
    value: int = 100_000        # characters (or items) of one value a template makes
    int_bits: int = 4096        # bits of one number a template makes (about 1 200 digits)
    output: int = 5_000_000     # characters output in one document (every part, macro and block counted)
    steps: int = 100_000        # loop iterations, calls and operators in one document
    seconds: float = 5.0        # rendering time of one document


class TemplateLimit(Exception):
    """A template went past a limit or used what is not allowed: `code` is a message catalogue code (its
    words in `words`), `lineno` the template line when known (parse time)."""

    def __init__(self, code: str, lineno: int | None = None, **words):
        super().__init__(code, words)
        self.code, self.lineno, self.words = code, lineno, words


# --- the budget of one document ------------------------------------------------------------------------

class Budget:
    """What one document has used: steps, output characters and time."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.steps = 0
        self.output = 0
        self.deadline = time.monotonic() + limits.seconds

    def charge(self, characters: int) -> None:
        self.output += characters
        if self.output > self.limits.output:
            raise TemplateLimit("template-output-too-big", limit=_number(self.limits.output))
        self.tick()

    def step(self, count: int = 1) -> None:
        self.steps += count
        if self.steps > self.limits.steps:
            raise TemplateLimit("template-too-many-steps", limit=_number(self.limits.steps))
        self.tick()

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateLimit("template-too-slow", seconds=f"{self.limits.seconds:g}")


_ACTIVE: ContextVar[Budget | None] = ContextVar("muskari_template_budget", default=None)


@contextmanager
def budget(limits: Limits) -> Iterator[Budget]:
    """Count the steps and time of everything rendered inside (one document, all its parts)."""
    active = Budget(limits)
    token = _ACTIVE.set(active)
    try:
        yield active
    finally:
        _ACTIVE.reset(token)


def _budget(env) -> Budget:
    """The document's budget; outside any render (Jinja folding constants while it compiles) a fresh one
    that nothing keeps."""
    active = _ACTIVE.get()
    return active if active is not None else Budget(env.limits)


class CertificateTemplate(Template):
    def render(self, *args, **kwargs) -> str:
        if _ACTIVE.get() is not None:
            return super().render(*args, **kwargs)
        with budget(self.environment.limits):
            return super().render(*args, **kwargs)


# --- sizes -------------------------------------------------------------------------------------------

def size_of(value, limit: int) -> int:
    """About how many characters `value` prints as, counting nested references each time; stops counting
    once past `limit` (so it costs at most O(limit))."""
    total, stack = 0, [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            total += len(v)
        elif isinstance(v, bool) or v is None:
            total += 5
        elif isinstance(v, int):
            total += v.bit_length() // 3 + 2
        elif isinstance(v, dict):
            total += 4 * len(v) + 2
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, (list, tuple, set, frozenset, KeysView, ValuesView, ItemsView)):
            total += 2 * len(v) + 2
            stack.extend(v)
        else:
            total += 24
        if total > limit:
            break
    return total


def _too_big(env, hint: str = "") -> TemplateLimit:
    return TemplateLimit("template-value-too-big", limit=_number(env.limits.value), hint=hint)


def _number(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def _check_value(env, value, hint: str = "") -> None:
    if size_of(value, env.limits.value) > env.limits.value:
        raise _too_big(env, hint)


def _check_number(env, bits: float, hint: str) -> None:
    if bits > env.limits.int_bits:
        raise TemplateLimit("template-number-too-big", limit=_number(env.limits.int_bits), hint=hint)


# --- guarded filters (the AST guards below insert the muskari_ ones) ---------------------------------------

@pass_context
def _loop(context, iterable):
    """Every loop's iterable: its iterations are counted against the document's steps."""
    active = _budget(context.environment)
    if isinstance(iterable, (str, list, tuple, dict, range, KeysView, ValuesView, ItemsView)):
        active.step(len(iterable))
        return iterable
    return _counted(iterable, active)


def _counted(iterable, active: Budget):
    for item in iterable:
        active.step()
        yield item


@pass_context
def _literal(context, value):
    """The template's own text between tags: output at run time (not folded into the compiled code), so
    that _finalize_* counts it against the document's output."""
    return value


@pass_environment
def _value(env, value):
    """List, tuple and dict literals: no bigger than one value may be."""
    _check_value(env, value, "[")
    return value


@pass_environment
def _concat(env, items):
    """The `~` operator (Jinja's markup_join), size-checked first."""
    if sum(size_of(item, env.limits.value) for item in items) > env.limits.value:
        raise _too_big(env, "~")
    return markup_join(items)


def _guarded_join(join):
    @wraps(join)
    def guarded(eval_ctx, value, d="", attribute=None):
        env = eval_ctx.environment
        if not isinstance(value, (str, list, tuple, dict)):
            value = list(itertools.islice(value, env.limits.value + 1))
        if size_of(value, env.limits.value) + len(d) * len(value) > env.limits.value:
            raise _too_big(env, "join")
        return join(eval_ctx, value, d, attribute)
    return guarded


def _guarded_replace(replace):
    @wraps(replace)
    def guarded(eval_ctx, s, old, new, count=None):
        env = eval_ctx.environment
        text, old_s, new_s = str(s), str(old), str(new)
        times = text.count(old_s) if old_s else len(text) + 1
        if count is not None and count >= 0:
            times = min(times, count)
        if len(text) + times * max(0, len(new_s) - len(old_s)) > env.limits.value:
            raise _too_big(env, "replace")
        return replace(eval_ctx, s, old, new, count)
    return guarded


@pass_environment
def _guarded_list(env, value):
    _check_value(env, value, "list")
    return list(value)


@pass_environment
def _guarded_string(env, value):
    _check_value(env, value, "string")
    return str(value) if not isinstance(value, str) else value


# --- the AST guards ------------------------------------------------------------------------------------

class _Guards(NodeTransformer):
    """Refuse include/import/extends and autoescape changes; route loops, `~` and literals through the
    guarded filters above."""

    def generic_visit(self, node, *args, **kwargs):
        for kind, tag in NOT_ALLOWED_TAGS.items():
            if isinstance(node, kind):
                raise TemplateLimit("template-tag-not-allowed", lineno=node.lineno, statement=tag)
        if isinstance(node, (nodes.ScopedEvalContextModifier, nodes.EvalContextModifier)):
            raise TemplateLimit("template-autoescape", lineno=node.lineno)
        return super().generic_visit(node, *args, **kwargs)

    def visit_Output(self, node):
        node = self.generic_visit(node)
        node.nodes = [nodes.Filter(n, "muskari_literal", [], [], None, None, lineno=n.lineno)
                      if isinstance(n, nodes.TemplateData) else n for n in node.nodes]
        return node

    def visit_For(self, node):
        node = self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, "muskari_loop", [], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node):
        node = self.generic_visit(node)
        return nodes.Filter(nodes.List(node.nodes, lineno=node.lineno), "muskari_concat", [], [], None, None,
                            lineno=node.lineno)

    def _literal(self, node):
        node = self.generic_visit(node)
        if getattr(node, "ctx", "load") != "load":
            return node
        return nodes.Filter(node, "muskari_value", [], [], None, None, lineno=node.lineno)

    visit_List = visit_Tuple = visit_Dict = _literal


# --- output --------------------------------------------------------------------------------------------

@pass_environment
def _finalize_xml(env, value):
    """Every `{{ … }}` in an XML part: size-checked, illegal characters dropped, XML-escaped, braces as
    character references (docxtpl's `{_{` unescaping never reaches a value)."""
    if isinstance(value, Markup):
        _budget(env).charge(len(value))
        return value
    _check_value(env, value)
    text = XML_ILLEGAL.sub("", str(value))
    _budget(env).charge(len(text))
    return Markup(str(escape(text)).replace("{", "&#123;").replace("}", "&#125;"))


@pass_environment
def _finalize_text(env, value):
    """Every `{{ … }}` in a plain-text document property: size-checked, illegal characters dropped."""
    _check_value(env, value)
    text = XML_ILLEGAL.sub("", str(value))
    _budget(env).charge(len(text))
    return text


class CertificateEnvironment(ImmutableSandboxedEnvironment):
    """See the module docstring. `text=True`: for document properties (plain text, no autoescape)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    template_class = CertificateTemplate
    CACHE = 32                            # compiled sources kept: every document of a batch reuses them

    def __init__(self, limits: Limits | None = None, *, text: bool = False):
        limits = limits or Limits()
        super().__init__(autoescape=not text, undefined=StrictUndefined,
                         finalize=_finalize_text if text else _finalize_xml)
        self.limits = limits
        self.globals.clear()
        self.filters = {name: f for name, f in self.filters.items() if name in SAFE_FILTERS}
        self.filters.update(join=_guarded_join(do_join), replace=_guarded_replace(do_replace), list=_guarded_list,
                            string=_guarded_string, muskari_loop=_loop, muskari_value=_value, muskari_concat=_concat,
                            muskari_literal=_literal)
        self._compiled: OrderedDict = OrderedDict()
        self._text = None

    def text_environment(self) -> CertificateEnvironment:
        if self._text is None:
            self._text = CertificateEnvironment(self.limits, text=True)
        return self._text

    # parsing and compiling: guards in, compiled code reused -------------------------------------------
    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        tree = _Guards().visit(tree)
        tree.set_environment(self)
        return tree

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        if raw or not isinstance(source, str):
            return super().compile(source, name, filename, raw, defer_init)
        key = (source, name, filename, defer_init)
        code = self._compiled.get(key)
        if code is None:
            code = super().compile(source, name, filename, raw, defer_init)
            self._compiled[key] = code
            if len(self._compiled) > self.CACHE:
                self._compiled.popitem(last=False)
        else:
            self._compiled.move_to_end(key)
        return code

    # what the sandbox intercepts --------------------------------------------------------------------
    def concat(self, chunks) -> str:
        """Every join of output (the part, macros, `{% set %}` blocks), capped as it grows (a second fence:
        what it joins was counted as it was produced)."""
        out, total, limit = [], 0, self.limits.output
        for chunk in chunks:
            total += len(chunk)
            if total > limit:
                raise TemplateLimit("template-output-too-big", limit=_number(limit))
            out.append(chunk)
        return "".join(out)

    def call_binop(self, context, operator, left, right):
        _budget(self).step()
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and times > 0:
                    if size_of(seq, self.limits.value) * times > self.limits.value:
                        raise _too_big(self, "*")
            if isinstance(left, int) and isinstance(right, int):
                _check_number(self, left.bit_length() + right.bit_length(), "*")
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
                _check_number(self, right * math.log2(abs(left)), "**")
        elif operator == "+":
            if isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
                if size_of(left, self.limits.value) + size_of(right, self.limits.value) > self.limits.value:
                    raise _too_big(self, "+")
        elif operator == "%" and isinstance(left, str):
            raise TemplateLimit("template-operator-not-allowed", operator="%")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own signature)
        _budget(__self).step()
        if isinstance(__obj, Undefined):
            return __obj(*args, **kwargs)        # raises its own error (unknown field, unsafe attribute)
        if not _callable(__obj):
            name = getattr(__obj, "__name__", type(__obj).__name__)
            raise TemplateLimit("template-call-not-allowed", name=name)
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj, attribute):
        _budget(self).tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj, argument):
        _budget(self).tick()
        return super().getitem(obj, argument)


def _callable(obj) -> bool:
    if isinstance(obj, (Macro, LoopContext)):
        return True
    owner = getattr(obj, "__self__", None)
    if owner is None:
        return False
    for kind, names in SAFE_METHODS.items():
        if isinstance(owner, kind):
            return getattr(obj, "__name__", "") in names
    return False


def make_environment(limits: Limits | None = None) -> CertificateEnvironment:
    """The sandboxed, autoescaping, strict, limited Jinja environment every certificate renders in."""
    return CertificateEnvironment(limits)
