#!/usr/bin/env python3
"""Golden chat-template renders for the Go `chat` package.

For every template folder under testdata/chat/templates/ (a trimmed tokenizer_config.json, maybe a
chat_template.jinja beside it) and every case in testdata/chat/conversations.json, render with
transformers' apply_chat_template(tokenize=False) on a real tokenizer object loaded by
AutoTokenizer.from_pretrained, so template selection (named lists, chat_template.jinja) and the
special-token kwargs are transformers' own. A template error is recorded as the golden instead.

strftime_now is pinned to the conversations' fixed_now by patching the datetime that
transformers' chat_template_utils reads, so the Go tests can use the same clock.

  python3 tools/refgen/chat_templates.py --out testdata/chat/goldens.json           # on the GPU machine
  python3 tools/refgen/chat_templates.py --emulate --out /tmp/goldens.json           # jinja2 only, no transformers
  python3 tools/refgen/chat_templates.py --snippets testdata/chat/snippets_golden.json  # Jinja feature corpus
  python3 tools/refgen/chat_templates.py --random expr:1:1000:testdata/chat/random_golden.json  # random templates
  python3 tools/refgen/chat_templates.py --random chat:1:300:testdata/chat/random_chat_golden.json

--snippets renders the small templates of testdata/chat/snippets.json (one Jinja feature each, plus
errors) with transformers' own compiled environment (_compile_jinja_template) when transformers is
importable, else with the emulation below, and records the output or the error of each.

--emulate renders with a bare jinja2 environment set up the way transformers sets it up; it exists
to work offline and is cross-checked against the real path when both are available (--check).
"""
import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import types

# Sibling refgen scripts (tools/refgen/tokenizers.py) must not shadow the real packages.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CHAT = os.path.join(ROOT, "testdata", "chat")
SPECIAL_KEYS = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"]


def load_cases():
    with open(os.path.join(CHAT, "conversations.json"), encoding="utf-8") as f:
        doc = json.load(f)
    return dt.datetime.fromisoformat(doc["fixed_now"]), doc["cases"]


def template_dirs():
    base = os.path.join(CHAT, "templates")
    return sorted(d for d in os.listdir(base) if os.path.isdir(os.path.join(base, d)))


def fixed_datetime(now):
    class Fixed(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return now

    return Fixed


def token_str(v):
    if isinstance(v, dict):
        return v.get("content")
    return v


# ---- real transformers -------------------------------------------------------------------------

def real_renderer(now):
    import transformers
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import AutoTokenizer
    from transformers.utils import chat_template_utils as ctu

    if not hasattr(ctu, "datetime"):
        raise SystemExit("transformers.utils.chat_template_utils has no datetime to pin")
    if isinstance(ctu.datetime, types.ModuleType):  # `import datetime` rather than `from datetime import datetime`
        ctu.datetime = types.SimpleNamespace(datetime=fixed_datetime(now), date=dt.date, timedelta=dt.timedelta, timezone=dt.timezone)
    else:
        ctu.datetime = fixed_datetime(now)

    def load(name):
        src = os.path.join(CHAT, "templates", name)
        tmp = tempfile.mkdtemp()
        with open(os.path.join(src, "tokenizer_config.json"), encoding="utf-8") as f:
            cfg = json.load(f)
        cfg.pop("_source", None)
        cfg["tokenizer_class"] = "PreTrainedTokenizerFast"
        with open(os.path.join(tmp, "tokenizer_config.json"), "w", encoding="utf-8") as f:
            json.dump(cfg, f, ensure_ascii=False)
        jinja = os.path.join(src, "chat_template.jinja")
        if os.path.exists(jinja):
            shutil.copy(jinja, os.path.join(tmp, "chat_template.jinja"))
        t = Tokenizer(models.WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
        t.pre_tokenizer = pre_tokenizers.Whitespace()
        t.save(os.path.join(tmp, "tokenizer.json"))
        return AutoTokenizer.from_pretrained(tmp)

    cache = {}
    via = {}

    def render(name, case):
        if name not in cache:
            # A tokenizer object built by AutoTokenizer is the faithful path; should this transformers
            # refuse the trimmed folder, record why and fall back to the emulation for that template.
            try:
                cache[name] = load(name)
                via[name] = "AutoTokenizer.apply_chat_template"
            except Exception as e:
                cache[name] = None
                via[name] = f"FAILED to load ({type(e).__name__}: {e}); emulated"
        tok = cache[name]
        if tok is None:
            return emulated_renderer(now)[0](name, case)
        kwargs = dict(case.get("kwargs") or {})
        if case.get("tools") is not None:
            kwargs["tools"] = case["tools"]
        if case.get("template_name"):
            kwargs["chat_template"] = case["template_name"]
        if case.get("documents") is not None:
            kwargs["documents"] = case["documents"]
        if case.get("continue_final_message"):
            kwargs["continue_final_message"] = True
        return tok.apply_chat_template(case["messages"], add_generation_prompt=case["add_generation_prompt"],
                                       tokenize=False, **kwargs)

    return render, {"transformers": transformers.__version__, "via": via}


# ---- jinja2 emulation of transformers' environment ----------------------------------------------

def emulated_renderer(now):
    import jinja2
    import jinja2.ext
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = lambda fmt: now.strftime(fmt)

    def pick(cfg, src, has_tools, name):
        jinja = os.path.join(src, "chat_template.jinja")
        if os.path.exists(jinja):
            with open(jinja, encoding="utf-8") as f:
                return f.read()
        t = cfg["chat_template"]
        if isinstance(t, list):
            named = {e["name"]: e["template"] for e in t}
            if name:
                return named[name]
            if has_tools and "tool_use" in named:
                return named["tool_use"]
            return named["default"]
        return t

    def render(name, case):
        src = os.path.join(CHAT, "templates", name)
        with open(os.path.join(src, "tokenizer_config.json"), encoding="utf-8") as f:
            cfg = json.load(f)
        tmpl = env.from_string(pick(cfg, src, case.get("tools") is not None, case.get("template_name")))
        kw = {k: token_str(cfg[k]) for k in SPECIAL_KEYS if cfg.get(k) is not None}
        if cfg.get("additional_special_tokens"):
            kw["additional_special_tokens"] = [token_str(x) for x in cfg["additional_special_tokens"]]
        kw.update(case.get("kwargs") or {})
        messages = case["messages"]
        tag = "CONTINUE_FINAL_MESSAGE_TAG "
        if case.get("continue_final_message"):  # transformers' continue_final_message, "content" only
            messages = json.loads(json.dumps(messages))
            final = messages[-1]["content"]
            messages[-1]["content"] = final + tag
        out = tmpl.render(messages=messages, tools=case.get("tools"), documents=case.get("documents"),
                          add_generation_prompt=case["add_generation_prompt"], **kw)
        if case.get("continue_final_message"):
            if final.strip() not in out or tag.strip() not in out:
                raise ValueError("continue_final_message is set but the final message does not appear in the chat")
            loc = out.rindex(tag.strip())
            out = out[:loc] if out[loc:loc + len(tag)] == tag else out[:loc].rstrip()
        return out

    return render, {"jinja2": jinja2.__version__}


def snippet_env(now):
    """transformers' jinja environment when available, else the emulation of it."""
    try:
        from transformers.utils import chat_template_utils as ctu
        ctu.datetime = fixed_datetime(now)
        return lambda src: ctu._compile_jinja_template(src), "transformers._compile_jinja_template"
    except ImportError:
        import jinja2
        import jinja2.ext
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        def raise_exception(message):
            raise jinja2.exceptions.TemplateError(message)

        def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
            return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
        env.filters["tojson"] = tojson
        env.globals["raise_exception"] = raise_exception
        env.globals["strftime_now"] = lambda fmt: now.strftime(fmt)
        # the {% generation %} tag of transformers' AssistantTracker, rendering its body as is
        class Generation(jinja2.ext.Extension):
            tags = {"generation"}

            def parse(self, parser):
                lineno = next(parser.stream).lineno
                body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
                return jinja2.nodes.CallBlock(self.call_method("_gen"), [], [], body).set_lineno(lineno)

            def _gen(self, caller):
                return caller()

        env.add_extension(Generation)
        return env.from_string, "jinja2 emulation of transformers' environment"


def error_line(e):
    """The template line of a jinja2 error: lineno for syntax errors, else the innermost
    traceback frame that jinja2 maps back onto the template."""
    if getattr(e, "lineno", None):
        return e.lineno
    import traceback
    lines = [f.lineno for f in traceback.extract_tb(e.__traceback__) if f.filename == "<template>"]
    return lines[-1] if lines else None


def render_external(out_path):
    """testdata/chat/external.json: templates and variables taken from other projects' tests."""
    import copy
    now, _ = load_cases()
    with open(os.path.join(CHAT, "external.json"), encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    compile_, how = snippet_env(now)
    res = {}
    for c in cases:
        try:
            res[c["name"]] = {"output": compile_(c["template"]).render(**copy.deepcopy(c["vars"]))}
        except Exception as e:
            res[c["name"]] = {"error": str(e), "error_type": type(e).__name__, "line": error_line(e)}
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"_about": "written by tools/refgen/chat_templates.py --external", "renderer": how,
                   "renders": res}, f, ensure_ascii=False, indent=1)
    print(f"{len(res)} external templates ({sum('error' in r for r in res.values())} errors) via {how} -> {out_path}")


def render_snippets(out_path):
    now, _ = load_cases()
    with open(os.path.join(CHAT, "snippets.json"), encoding="utf-8") as f:
        snippets = json.load(f)
    compile_, how = snippet_env(now)
    res = {}
    for sn in snippets:
        try:
            res[sn["name"]] = {"output": compile_(sn["template"]).render(**sn["vars"])}
        except Exception as e:
            res[sn["name"]] = {"error": str(e), "error_type": type(e).__name__, "line": error_line(e)}
    import jinja2
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"_about": "written by tools/refgen/chat_templates.py --snippets", "renderer": how,
                   "jinja2": jinja2.__version__, "renders": res}, f, ensure_ascii=False, indent=1)
    print(f"{len(res)} snippets ({sum('error' in r for r in res.values())} errors) via {how} -> {out_path}")


def template_names(name):
    """Names of the templates in a folder's tokenizer_config (a list of named ones, or default)."""
    with open(os.path.join(CHAT, "templates", name, "tokenizer_config.json"), encoding="utf-8") as f:
        t = json.load(f).get("chat_template")
    return {e["name"] for e in t} if isinstance(t, list) else {"default"}


# ---- random templates: a differential corpus -----------------------------------------------------
# Small random templates over a fixed set of variables, built from the constructs chat templates
# use (filters, tests, methods, slices, loops, namespaces, whitespace control), rendered by
# transformers' environment. Most random programs fail; the corpus keeps every successful render
# and one failure in five.

RANDOM_GRAMMAR = r'''
VARS = {"s": " Hello, Wörld! ", "t": "a,b,,c", "n": 7, "m": -3, "f": 2.5, "g": 1e-7, "z": 0, "b": True, "nn": None,
        "l": [3, 1, 2], "ls": ["x", "Y", "z"], "e": [], "d": {"b": 1, "a": [1, 2], "c": {"k": "v"}}, "ed": {},
        "msgs": [{"role": "system", "content": "sys"}, {"role": "user", "content": "hi <b>"}, {"role": "assistant", "content": "<think>r</think>\n\nok", "tool_calls": [{"function": {"name": "f", "arguments": {"x": 1}}}]}, {"role": "tool", "content": "res"}]}
names = list(VARS) + ["u", "msgs[0]", "msgs[-1]", "d.c", "msgs[2].tool_calls[0].function"]
strs = ["''", "'a'", "'ab c'", "'\\n'", "' x '", "'é中'", "'<think>'", "','", "'%s'", "'{}'", "'A-b c'"]
nums = ["0", "1", "2", "-1", "3", "10", "0.5", "1.5", "2.0", "-2.5", "1e3"]
filters0 = ["length", "trim", "upper", "lower", "title", "capitalize", "string", "list", "first", "last", "tojson", "int", "float", "abs", "round", "reverse", "sort", "unique", "sum", "min", "max", "items", "dictsort", "wordcount", "e", "default", "count", "join", "safe", "striptags"]
filtersA = [("join", ["', '", "''"]), ("default", strs), ("replace", ["'a', 'b'", "'l', ''", "' ', '_'"]), ("tojson", ["indent=2", "sort_keys=true", "separators=(',', ':')"]),
            ("selectattr", ["'role', 'equalto', 'user'", "'content'"]), ("map", ["attribute='role'", "'upper'", "'string'"]), ("batch", ["2"]), ("indent", ["2", "2, true"]),
            ("round", ["1", "0, 'floor'"]), ("int", ["5"]), ("trim", ["'x '"]), ("center", ["9"]), ("truncate", ["5"]), ("select", ["'odd'", "'string'"]), ("reject", ["'none'"]),
            ("sort", ["reverse=true", "attribute='role'"]), ("format", ["1", "'a'"])]
methods = [("strip", ["", "'H '"]), ("lstrip", [""]), ("rstrip", ["'! '"]), ("split", ["", "','", "',', 1", "None, 1"]), ("rsplit", ["',', 1"]), ("startswith", ["'H'", "(' ', 'x')"]),
           ("endswith", ["'! '"]), ("upper", [""]), ("lower", [""]), ("title", [""]), ("replace", ["'l', 'L'", "'l', 'L', 1"]), ("find", ["'l'"]), ("count", ["'l'"]), ("format", ["1, 2"]),
           ("get", ["'a'", "'q', 1"]), ("items", [""]), ("keys", [""]), ("values", [""]), ("isdigit", [""]), ("zfill", ["5"]), ("join", ["['a', 'b']"]), ("index", ["1"])]
tests = ["defined", "undefined", "none", "string", "number", "integer", "float", "mapping", "iterable", "sequence", "odd", "even", "true", "false", "boolean", "lower", "upper", "callable",
         "divisibleby 2", "eq 1", "sameas none", "in [1, 2]", "gt 1"]
binops = ["+", "-", "*", "/", "//", "%", "~", "==", "!=", "<", "<=", ">", ">=", "and", "or", "in", "not in", "**"]

def atom(d):
    r = rng.random()
    if r < 0.35: return rng.choice(names)
    if r < 0.55: return rng.choice(strs)
    if r < 0.7: return rng.choice(nums)
    if r < 0.75: return rng.choice(["none", "true", "false"])
    if r < 0.82 and d < 3: return "[" + ", ".join(expr(d+1) for _ in range(rng.randint(0, 3))) + "]"
    if r < 0.86 and d < 3: return "{" + ", ".join(f"{rng.choice(strs[1:])}: {expr(d+1)}" for _ in range(rng.randint(0, 2))) + "}"
    if r < 0.9 and d < 3: return "(" + expr(d+1) + ")"
    return rng.choice(names)

def postfix(x, d):
    r = rng.random()
    if r < 0.15:
        m, args = rng.choice(methods); return f"{x}.{m}({rng.choice(args)})"
    if r < 0.3:
        idx = rng.choice(['0', '-1', '1:', ':-1', '::-1', '1:3', "'a'", "'role'", '::2'])
        return x + "[" + idx + "]"
    if r < 0.38:
        return f"{x}.{rng.choice(['role', 'content', 'a', 'b', 'name', 'arguments', 'tool_calls', 'c'])}"
    return x

def unary(d):
    x = postfix(atom(d), d)
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        r = rng.random()
        if r < 0.5:
            x = f"{x}|{rng.choice(filters0)}"
        elif r < 0.85:
            f, args = rng.choice(filtersA); x = f"{x}|{f}({rng.choice(args)})"
        else:
            x = f"{x} is {rng.choice(['', 'not '])}{rng.choice(tests)}"
    if rng.random() < 0.08: x = "-" + x
    return x

def expr(d=0):
    x = unary(d)
    if d < 2 and rng.random() < 0.45:
        x = f"{x} {rng.choice(binops)} {unary(d+1)}"
    if d < 2 and rng.random() < 0.1:
        x = f"not {x}"
    if d < 1 and rng.random() < 0.1:
        x = f"{x} if {unary(d+1)} else {unary(d+1)}"
    return x

ws = ["", "\n", "\n  ", " ", "\n\n", "  \n", "\t"]
def tag(body, kind="%"):
    l = rng.choice(["", "", "-", "+"]) if kind == "%" else rng.choice(["", "", "-"])
    r = rng.choice(["", "", "-"])
    return "{" + kind + l + " " + body + " " + r + kind + "}"

def stmts(d=0):
    out = []
    for _ in range(rng.randint(1, 3)):
        out.append(rng.choice(ws))
        r = rng.random()
        if r < 0.4 or d >= 2:
            out.append("{{" + rng.choice(["", "-"]) + " " + expr() + " " + rng.choice(["", "-"]) + "}}")
        elif r < 0.6:
            out.append(tag("if " + expr()) + stmts(d+1) + (tag("else") + stmts(d+1) if rng.random() < 0.4 else "") + tag("endif"))
        elif r < 0.8:
            it = rng.choice(["l", "ls", "msgs", "d", "s", "range(3)", "e", "d.items()", "msgs|selectattr('role', 'ne', 'tool')"])
            tgt = "k, v" if it == "d.items()" else "x"
            body = rng.choice(["{{ loop.index }}", "{{ x }}", "{{ loop.first }}{{ loop.last }}", "{{ loop.revindex0 }}", "{{ loop.previtem|default('-') }}", "{% if loop.index > 1 %}{% break %}{% endif %}{{ x }}", "{{ k }}={{ v }}"]) if tgt == "x" or rng.random() < 0.5 else "{{ k }}={{ v }}"
            if tgt == "x" and "{{ k }}" in body: body = "{{ x }}"
            out.append(tag(f"for {tgt} in {it}") + rng.choice(ws) + body + stmts(d+1) + tag("endfor"))
        elif r < 0.9:
            out.append(tag(f"set q = {expr()}") + rng.choice(ws) + "{{ q }}")
        else:
            out.append(tag("set ns = namespace(v=0)") + tag("for x in l") + tag("set ns.v = ns.v + x") + tag("endfor") + "{{ ns.v }}")
        out.append(rng.choice(ws))
        if rng.random() < 0.1:
            out.append("{# c #}" + rng.choice(ws))
    return "".join(out)

'''


# The "chat" grammar: loops over chat-shaped messages with macros, call/filter/set blocks,
# namespaces and the expressions real templates use; every render succeeds, so it probes output
# bytes (whitespace control and scoping above all) rather than errors.
RANDOM_CHAT_GRAMMAR = r'''
VARS = {"messages": [{"role": "system", "content": "Be terse."}, {"role": "user", "content": "Hi <b>there</b>\n"},
                     {"role": "assistant", "content": "<think>\nhmm\n</think>\n\nHello!", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get", "arguments": {"q": "x", "n": 2}}}]},
                     {"role": "tool", "content": "{\"ok\": true}", "tool_call_id": "c1"}, {"role": "user", "content": [{"type": "text", "text": "part"}, {"type": "image"}]}],
        "tools": [{"type": "function", "function": {"name": "get", "description": "Get — thing", "parameters": {"type": "object", "properties": {"q": {"type": "string"}, "n": {"type": ["integer", "null"], "default": 1.0}}, "required": ["q"]}}}],
        "add_generation_prompt": True, "bos_token": "<s>", "eos_token": "</s>", "enable_thinking": False, "nums": [3, 1.5, -2, 0], "s": "a b\tc\n"}
exprs = ["messages[0].content", "messages[-1].content", "m.role", "m.content", "m['content']", "m.tool_calls", "m.get('tool_calls')", "tools|tojson", "tools[0].function|tojson(indent=2)",
         "m.content is string", "m.content|length", "loop.index", "loop.first", "loop.last", "loop.revindex", "loop.cycle('a', 'b')", "ns.n", "ns.s", "bos_token", "eos_token",
         "m.content.split('</think>')[-1].lstrip('\\n') if m.content is string else ''", "(m.content or '')|trim", "m.role|upper", "m.role|title", "m.tool_calls|tojson if m.tool_calls else 'none'",
         "messages|selectattr('role', 'equalto', 'user')|list|length", "messages|map(attribute='role')|join(',')", "messages|rejectattr('role', 'in', ['system'])|list|length",
         "nums|sort|join(' ')", "nums|sum", "nums|max", "nums|map('abs')|list", "s.split()", "s|wordcount", "s|replace('\\t', ' ')", "s|indent(2)", "'%s=%d'|format('k', 3)",
         "m.content|string", "m.tool_calls[0].function.arguments|tojson if m.tool_calls is defined else ''", "m.content[:5] if m.content is string else m.content|map(attribute='type')|join",
         "m.content|selectattr('type', 'equalto', 'text')|map(attribute='text')|join if m.content is not string else m.content", "range(loop.index)|list", "messages|length - loop.index0",
         "enable_thinking is defined and enable_thinking is false", "tools|length > 0", "m.tool_call_id|default('-')", "(m.content is string) and ('</think>' in m.content)",
         "macro1(m.role)", "macro2(m.role, sep='|')", "x ~ y", "x is none", "ns.s[-3:]", "loop.previtem.role if loop.previtem is defined else '-'"]
ws = ["", "\n", "\n  ", " ", "\n\n", "    "]
def L():
    return rng.choice(["", "-"])
def out():
    return "{{" + L() + " " + rng.choice(exprs) + " " + L() + "}}"
def tag(b):
    return "{%" + rng.choice(["", "", "-", "+"]) + " " + b + " " + rng.choice(["", "", "-"]) + "%}"
def body(d):
    parts = []
    for _ in range(rng.randint(1, 4)):
        parts.append(rng.choice(ws))
        r = rng.random()
        if r < 0.45 or d > 2:
            parts.append(out())
        elif r < 0.6:
            parts.append(tag("if " + rng.choice(["m.role == 'user'", "loop.last", "m.tool_calls", "m.content is string", "not loop.first", "add_generation_prompt", "ns.n > 1", "'tool' in m.role"])) + body(d+1) + (tag("elif m.role == 'assistant'") + body(d+1) if rng.random() < 0.3 else "") + (tag("else") + body(d+1) if rng.random() < 0.4 else "") + tag("endif"))
        elif r < 0.7:
            parts.append(tag("set ns.n = ns.n + 1") + tag("set ns.s = ns.s ~ m.role[0]"))
        elif r < 0.78:
            parts.append(tag("set x = " + rng.choice(exprs)) + "{{ x }}")
        elif r < 0.84:
            parts.append(tag("for k, v in tools[0].function.parameters.properties.items()") + "{{ k }}:{{ v.type }}{% if not loop.last %},{% endif %}" + tag("endfor"))
        elif r < 0.9:
            parts.append(tag("filter upper") + body(d+1) + tag("endfilter"))
        elif r < 0.95:
            parts.append(tag("set y") + body(d+1) + tag("endset") + "[{{ y }}]")
        else:
            parts.append(tag("call(z) macro3(m.role)") + "<{{ z }}>" + tag("endcall"))
        parts.append(rng.choice(ws))
    return "".join(parts)
header = "{% macro macro1(r) %}<{{ r }}>{% endmacro %}{% macro macro2(a, sep=',') %}{{ a }}{{ sep }}{{ varargs|length }}{% endmacro %}{% macro macro3(a) %}({{ caller(a|upper) }}){% endmacro %}"

def stmts():
    return header + rng.choice(ws) + "{%- set ns = namespace(n=0, s='') %}" + rng.choice(ws) + tag("for m in messages" + rng.choice(["", " if m.role != 'system'"])) + body(0) + tag("endfor") + rng.choice(ws) + "{{ ns.n }}{{ ns.s }}" + rng.choice(ws) + tag("if add_generation_prompt") + "<|assistant|>" + rng.choice(ws) + tag("endif")
'''


def render_random(out_path, seed, n, grammar="expr"):
    import copy
    import random
    import warnings
    warnings.filterwarnings("ignore")  # Python's SyntaxWarnings about jinja2-compiled literals
    now, _ = load_cases()
    compile_, how = snippet_env(now)
    ns = {"rng": random.Random(seed)}
    exec(RANDOM_CHAT_GRAMMAR if grammar == "chat" else RANDOM_GRAMMAR, ns)
    cases, tried = [], 0
    while len(cases) < n:
        tried += 1
        src = ns["stmts"]()
        try:
            res = {"output": compile_(src).render(**copy.deepcopy(ns["VARS"]))}
        except Exception as e:
            if tried % 5:
                continue
            res = {"error": f"{type(e).__name__}: {e}"}
        cases.append({"src": src, **res})
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"_about": f"written by tools/refgen/chat_templates.py --random {grammar}:{seed}:{n}", "renderer": how,
                   "vars": ns["VARS"], "cases": cases}, f, ensure_ascii=False, indent=0)
    print(f"{len(cases)} random templates ({sum('error' in c for c in cases)} errors, {tried} tried) via {how} -> {out_path}")


def render_all(render, cases):
    out = {}
    for name in template_dirs():
        res = {}
        for case in cases:
            if case.get("template_name") and case["template_name"] not in template_names(name):
                continue  # transformers would take the name itself for template source
            try:
                res[case["name"]] = {"output": render(name, case)}
            except Exception as e:  # the golden of a failing render is its error
                res[case["name"]] = {"error": str(e), "error_type": type(e).__name__}
        out[name] = res
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out")
    ap.add_argument("--snippets", help="render testdata/chat/snippets.json into this file")
    ap.add_argument("--random", help="GRAMMAR:SEED:N:OUT - write N random templates (grammar expr or chat) and their renders to OUT")
    ap.add_argument("--external", help="render testdata/chat/external.json into this file")
    ap.add_argument("--emulate", action="store_true", help="jinja2 only, no transformers")
    ap.add_argument("--check", help="also render with the emulation and write the differences here")
    a = ap.parse_args()
    if a.snippets:
        render_snippets(a.snippets)
    if a.external:
        render_external(a.external)
    if a.random:
        grammar, seed, n, out = a.random.split(":", 3)
        render_random(out, int(seed), int(n), grammar)
    if not a.out:
        return
    now, cases = load_cases()
    render, versions = (emulated_renderer if a.emulate else real_renderer)(now)
    goldens = render_all(render, cases)
    import jinja2
    versions["jinja2"] = jinja2.__version__
    doc = {"_about": "written by tools/refgen/chat_templates.py" + (" --emulate" if a.emulate else " (transformers apply_chat_template)"),
           "versions": versions, "renders": goldens}
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
    n_ok = sum(1 for t in goldens.values() for r in t.values() if "output" in r)
    n_err = sum(1 for t in goldens.values() for r in t.values() if "error" in r)
    print(f"{len(goldens)} templates, {n_ok} renders, {n_err} errors -> {a.out}")
    pinned = now.strftime("%d %b %Y")
    if "llama3_2" in goldens and pinned not in goldens["llama3_2"]["single_user"].get("output", ""):
        print(f"WARNING: strftime_now does not look pinned to {pinned}")
    if a.check:
        erender, _ = emulated_renderer(now)
        emu = render_all(erender, cases)
        diffs = {f"{t}/{c}": {"real": goldens[t][c], "emulated": emu[t][c]}
                 for t in goldens for c in goldens[t] if goldens[t][c] != emu[t][c]}
        with open(a.check, "w", encoding="utf-8") as f:
            json.dump(diffs, f, ensure_ascii=False, indent=1)
        print(f"{len(diffs)} differences between transformers and the jinja2 emulation -> {a.check}")


if __name__ == "__main__":
    sys.exit(main())
