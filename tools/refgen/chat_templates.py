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
    ap.add_argument("--emulate", action="store_true", help="jinja2 only, no transformers")
    ap.add_argument("--check", help="also render with the emulation and write the differences here")
    a = ap.parse_args()
    if a.snippets:
        render_snippets(a.snippets)
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
