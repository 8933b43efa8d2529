#!/usr/bin/env python3
"""Check every ConfigurationManager cmdlet call written in this repository
against reference/configmgr-cmdlets.json (built by scripts/cmdlet-reference.py
from https://github.com/MicrosoftDocs/sccm-docs-powershell-ref).

Scanned: rules/*.yaml (every field: powershell, console, manual, source, ...),
docs/*.md, README.md, examples/**/README.md, scripts/Export-CMPreflight.ps1.

For each `Verb-CMNoun` call it checks that
  - the cmdlet exists in the reference,
  - every -Parameter exists for it (case-insensitive; aliases and the
    PowerShell common parameters are accepted; -WhatIf/-Confirm only on
    cmdlets that support ShouldProcess),
  - one parameter set contains all the parameters used together.
Each problem is printed as `file:line: call: problem`, then the summary line
`N calls checked, M problems`. The exit status is 1 when there are problems.

With --notes it also prints observations that are not errors by themselves:
no parameter set has all its mandatory parameters given (PowerShell would
prompt; often the command is a template ending in "..." or fed by a pipe),
splatted arguments that cannot be checked, abbreviated parameter names,
cmdlet names in a different letter case.

Template placeholders such as {deployment.id} and <CMG service name> are
values, not parameters. Backtick line continuation, pipes (each cmdlet is
checked on its own), -Name:value and parenthesised sub-expressions are
handled. Standard library only.
"""

import argparse
import glob
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CMDLET_TOKEN = re.compile(
    r"(?<![\w\-.\\/\[])([A-Za-z]+-CM[A-Za-z0-9]+)(?![\w\-]|\.ps1|\.psm1|\.md)")
PS_FENCES = {"", "powershell", "ps", "ps1", "pwsh", "posh"}


# --------------------------------------------------------------------------
# Segments: pieces of text in which commands are looked for
# --------------------------------------------------------------------------

class Segment:
    """A run of text with the file line of each character position."""

    def __init__(self, path, kind, parts):
        # parts: [(line_no, text)] joined with "\n"
        self.path = path
        self.kind = kind  # "ps": PowerShell code; "prose": text around commands
        self.text = ""
        self.starts = []
        for i, (ln, t) in enumerate(parts):
            if i:
                self.text += "\n"
            self.starts.append((len(self.text), ln))
            self.text += t

    def line_at(self, pos):
        ln = self.starts[0][1]
        for off, l in self.starts:
            if off <= pos:
                ln = l
            else:
                break
        return ln


def join_continuations(lines):
    """[(line_no, text)] -> same, with backtick-continued lines merged
    (the continuation stays a newline inside one part list)."""
    groups, cur = [], []
    for ln, t in lines:
        cur.append((ln, t))
        if not re.search(r"`\s*$", t):
            groups.append(cur)
            cur = []
    if cur:
        groups.append(cur)
    return groups


def yaml_scalars(path, text):
    """Yield (key, [(line_no, value)]) for the scalar values of a rule file.
    Handles plain, single-quoted, double-quoted and block (| >) scalars."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^(\s*)(?:-\s+)?([A-Za-z_][\w-]*):\s*(.*)$", line)
        if not m:
            i += 1
            continue
        indent, key, rest = len(m.group(1)), m.group(2), m.group(3)
        if re.match(r"^[|>][+-]?\s*$", rest):
            block, j = [], i + 1
            while j < len(lines) and (not lines[j].strip() or
                                      len(lines[j]) - len(lines[j].lstrip()) > indent):
                block.append((j + 1, lines[j].strip()))
                j += 1
            yield key, [b for b in block if b[1]]
            i = j
            continue
        if rest.startswith('"'):
            # double-quoted, possibly over several lines
            buf, j, s = [], i, rest[1:]
            while True:
                out, k, closed = [], 0, False
                while k < len(s):
                    c = s[k]
                    if c == "\\" and k + 1 < len(s):
                        nxt = s[k + 1]
                        out.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(nxt, nxt))
                        k += 2
                        continue
                    if c == '"':
                        closed = True
                        break
                    out.append(c)
                    k += 1
                buf.append((j + 1, "".join(out)))
                if closed or j + 1 >= len(lines):
                    break
                j += 1
                s = lines[j].strip()
            yield key, buf
            i = j + 1
            continue
        if rest.startswith("'"):
            s = rest[1:]
            end = re.search(r"(?<!')'(?!')", s)
            val = (s[:end.start()] if end else s).replace("''", "'")
            yield key, [(i + 1, val)]
            i += 1
            continue
        if rest and not rest.startswith("#"):
            yield key, [(i + 1, rest)]
        i += 1


def segments_for(path, text):
    rel = os.path.relpath(path, ROOT)
    text = text.replace("\r\n", "\n")
    segs = []
    if path.endswith((".yaml", ".yml")):
        for key, parts in yaml_scalars(path, text):
            kind = "ps" if key == "powershell" else "prose"
            for g in join_continuations(parts):
                segs.append(Segment(rel, kind, g))
    elif path.endswith(".md"):
        fence, fence_kind, block = None, None, []
        for n, line in enumerate(text.split("\n"), 1):
            m = re.match(r"^\s*(```+|~~~+)\s*([\w-]*)", line)
            if fence is None and m:
                fence, fence_kind, block = m.group(1), (
                    "ps" if m.group(2).lower() in PS_FENCES else "prose"), []
                continue
            if fence is not None:
                if line.strip().startswith(fence):
                    for g in join_continuations(block):
                        segs.append(Segment(rel, fence_kind, g))
                    fence = None
                else:
                    block.append((n, line))
                continue
            # prose line: inline code spans are PowerShell, the rest is prose
            pos = 0
            for cm in re.finditer(r"(`+)(.+?)\1", line):
                if cm.start() > pos:
                    segs.append(Segment(rel, "prose", [(n, line[pos:cm.start()])]))
                segs.append(Segment(rel, "ps", [(n, cm.group(2))]))
                pos = cm.end()
            if pos < len(line):
                segs.append(Segment(rel, "prose", [(n, line[pos:])]))
    else:  # .ps1
        in_help = False
        code = []
        for n, line in enumerate(text.split("\n"), 1):
            s = line.strip()
            if in_help:
                in_help = "#>" not in s
                segs.append(Segment(rel, "prose", [(n, line)]))
                continue
            if s.startswith("<#"):
                in_help = "#>" not in s[2:]
                segs.append(Segment(rel, "prose", [(n, line)]))
                continue
            if s.startswith("#"):
                segs.append(Segment(rel, "prose", [(n, line)]))
                continue
            code.append((n, line))
        for g in join_continuations(code):
            segs.append(Segment(rel, "ps", g))
    return segs


# --------------------------------------------------------------------------
# Command scanning
# --------------------------------------------------------------------------

CLOSERS = {"(": ")", "{": "}", "[": "]"}


def enclosing_quote(text, pos):
    """Quote character of a PowerShell string that is open at `pos`, if any."""
    q, i = None, 0
    while i < pos:
        c = text[i]
        if q is None:
            if c in "'\"":
                q = c
            elif c == "`":
                i += 1
        elif q == "'":
            if c == "'":
                if i + 1 < pos and text[i + 1] == "'":
                    i += 1
                else:
                    q = None
        else:
            if c == "`":
                i += 1
            elif c == '"':
                q = None
        i += 1
    return q


def skip_balanced(text, i, kind):
    """text[i] is an opener; return the index after its closer."""
    opener = text[i]
    closer = ">" if opener == "<" else CLOSERS[opener]
    depth, j = 0, i
    while j < len(text):
        c = text[j]
        if c in "'\"" and kind == "ps" and opener != "<":
            j = skip_string(text, j)
            continue
        if c == opener and opener != "<":
            depth += 1
        elif c == closer:
            depth -= 1
            if depth <= 0:
                return j + 1
        elif opener == "<" and c == "\n":
            return j
        j += 1
    return j


def skip_string(text, i):
    q, j = text[i], i + 1
    while j < len(text):
        c = text[j]
        if c == "`" and q == '"':
            j += 2
            continue
        if c == q:
            if q == "'" and j + 1 < len(text) and text[j + 1] == "'":
                j += 2
                continue
            return j + 1
        if c == "\n":
            return j
        j += 1
    return j


def scan_command(seg, start, end_quote):
    """Parse one command starting after the cmdlet name at `start`.
    Returns (params, flags, end) with params [(name, has_colon_value)]."""
    text, kind = seg.text, seg.kind
    params, flags = [], set()
    i = start
    while i < len(text):
        c = text[i]
        if c == "`" and kind == "ps":
            if i + 1 < len(text) and text[i + 1] == "\n":
                i += 2
                continue
            if kind == "ps":
                i += 2
                continue
        if c == "`" and kind == "prose":
            break
        if c == "\n":
            # a newline ends a command unless it follows a backtick
            break
        if c in " \t":
            i += 1
            continue
        if c in "|;":
            break
        if c == "&" and text[i:i + 2] == "&&":
            break
        if end_quote and c == end_quote:
            break
        if c in ")}]":
            break
        if kind == "prose" and c in ".,:" and (i + 1 >= len(text) or text[i + 1] in " \t\n"):
            break
        if kind == "prose" and c in ".,:" and i + 1 >= len(text):
            break
        if c in "({[":
            i = skip_balanced(text, i, kind)
            continue
        if c == "<":
            i = skip_balanced(text, i, kind)
            continue
        if c in "'\"" and (kind == "ps" or text[i - 1:i] in (" ", "\t", "(", "=")):
            if c == end_quote:
                break
            i = skip_string(text, i)
            continue
        if c == "@" and re.match(r"@\w", text[i:i + 2]):
            flags.add("splat")
        m = re.match(r"-([A-Za-z][A-Za-z0-9_]*)(:?)", text[i:])
        if m and (i == 0 or text[i - 1] in " \t\n"):
            params.append((m.group(1), bool(m.group(2))))
            i += m.end()
            continue
        if text.startswith("...", i) or text.startswith("\u2026", i):
            flags.add("ellipsis")
        # bareword / value: skip to the next separator
        j = i
        while j < len(text) and text[j] not in " \t\n|;)}]" and text[j] != (end_quote or "\0"):
            if text[j] in "({[" and j > i:
                j = skip_balanced(text, j, kind)
                continue
            if kind == "prose" and text[j] in ".,:" and (j + 1 >= len(text) or text[j + 1] in " \t\n"):
                break
            if kind == "prose" and text[j] == "`":
                break
            j += 1
        i = max(j, i + 1)
    return params, flags, i


def piped_into(seg, pos):
    """True when the command at pos is on the receiving end of a pipe."""
    before = seg.text[:pos].rstrip()
    return before.endswith("|")


# --------------------------------------------------------------------------
# Checking against the reference
# --------------------------------------------------------------------------

class Reference:
    def __init__(self, data):
        self.data = data
        self.cmdlets = data["cmdlets"]
        self.by_lower = {k.lower(): k for k in self.cmdlets}
        self.common = {p.lower(): p for p in data["common_parameters"]}
        for a, p in data.get("common_parameter_aliases", {}).items():
            self.common.setdefault(a.lower(), p)
        self.should_process = {p.lower() for p in data.get("should_process_parameters", [])}

    def all_params(self, name):
        c = self.cmdlets[name]
        ps = []
        for s in c["sets"].values():
            for p in s["parameters"]:
                if p not in ps:
                    ps.append(p)
        for p in c.get("unassigned_parameters", []):
            if p not in ps:
                ps.append(p)
        return ps

    def resolve(self, name, given):
        """Return (canonical or None, how) for one given parameter name."""
        c = self.cmdlets[name]
        low = given.lower()
        params = self.all_params(name)
        for p in params:
            if p.lower() == low:
                return p, "name"
        for a, p in c["aliases"].items():
            if a.lower() == low:
                return p, "alias"
        if low in self.common:
            return "<common>" + self.common[low], "common"
        # unique prefix (PowerShell accepts unambiguous abbreviations)
        cands = {p for p in params if p.lower().startswith(low)}
        cands |= {p for a, p in c["aliases"].items() if a.lower().startswith(low)}
        if len(cands) == 1:
            return next(iter(cands)), "prefix"
        return None, ("ambiguous:" + ",".join(sorted(cands))) if cands else "unknown"


def describe_sets(ref, name, limit=6):
    sets = ref.cmdlets[name]["sets"]
    out = []
    for sname in sorted(sets, key=lambda s: (not sets[s]["default"], s)):
        mand = sets[sname]["mandatory"]
        out.append("%s%s [%s]" % (sname, " (default)" if sets[sname]["default"] else "",
                                  ", ".join("-" + m for m in mand) or "no mandatory"))
    more = "" if len(out) <= limit else "; ... %d more" % (len(out) - limit)
    return "; ".join(out[:limit]) + more


def check_call(ref, seg, pos, token, params, flags, quoted=False):
    problems, notes = [], []
    name = ref.by_lower.get(token.lower())
    if not name:
        near = [n for n in ref.cmdlets if n.split("-", 1)[1].lower() == token.split("-", 1)[1].lower()]
        hint = (" (same noun: %s)" % ", ".join(sorted(near))) if near else ""
        problems.append("cmdlet %s is not in the ConfigurationManager reference%s" % (token, hint))
        return problems, notes
    if name != token:
        notes.append("written %s, the reference spells it %s" % (token, name))
    c = ref.cmdlets[name]
    used = []
    for given, _colon in params:
        canon, how = ref.resolve(name, given)
        if canon is None:
            if how.startswith("ambiguous:"):
                problems.append("-%s is ambiguous for %s (%s)" % (given, name, how[10:]))
            else:
                problems.append("%s has no parameter -%s" % (name, given))
            continue
        if canon.startswith("<common>"):
            cp = canon[len("<common>"):]
            if cp.lower() in ref.should_process and not c.get("supports_should_process"):
                problems.append("%s does not support -%s" % (name, cp))
            continue
        if how == "prefix":
            notes.append("-%s is an abbreviation of -%s" % (given, canon))
        if how == "alias":
            notes.append("-%s is an alias of -%s" % (given, canon))
        if canon not in used:
            used.append(canon)
    if problems:
        return problems, notes
    unassigned = set(c.get("unassigned_parameters", []))
    in_sets = [p for p in used if p not in unassigned]
    sets = c["sets"]
    fitting = [s for s, d in sets.items() if all(p in d["parameters"] for p in in_sets)]
    if sets and not fitting:
        problems.append("no parameter set of %s has %s together; sets: %s"
                        % (name, ", ".join("-" + p for p in in_sets), describe_sets(ref, name)))
        return problems, notes
    if "splat" in flags:
        notes.append("splatted arguments are not checked")
    complete = [s for s in fitting if all(m in used for m in sets[s]["mandatory"])]
    # missing mandatory parameters: only for code (not prose or a quoted
    # label), not for templates ending in "...", splats or pipeline input
    if (sets and not complete and seg.kind == "ps" and not quoted
            and not flags & {"ellipsis", "splat"} and not piped_into(seg, pos - len(token))):
        best = sorted(fitting, key=lambda s: (len([m for m in sets[s]["mandatory"] if m not in used]),
                                               not sets[s]["default"], s))[0]
        missing = [m for m in sets[best]["mandatory"] if m not in used]
        notes.append("no parameter set has all its mandatory parameters; closest %s lacks %s"
                     % (best, ", ".join("-" + m for m in missing)))
    if unassigned & set(used):
        notes.append("%s documented without a parameter set"
                     % ", ".join("-" + p for p in sorted(unassigned & set(used))))
    return problems, notes


def files_to_scan():
    pats = ["rules/*.yaml", "docs/*.md", "README.md", "examples/**/README.md",
            "scripts/Export-CMPreflight.ps1"]
    out = []
    for p in pats:
        out.extend(sorted(glob.glob(os.path.join(ROOT, p), recursive=True)))
    return out


def main():
    ap = argparse.ArgumentParser(description="Check ConfigMgr cmdlet calls against the reference.")
    ap.add_argument("--reference", default=os.path.join(ROOT, "reference", "configmgr-cmdlets.json"))
    ap.add_argument("--notes", action="store_true", help="also print non-error observations")
    ap.add_argument("--list", action="store_true", help="print every call, not only problems")
    ap.add_argument("files", nargs="*", help="files to scan instead of the default set")
    a = ap.parse_args()

    with open(a.reference, encoding="utf-8") as f:
        ref = Reference(json.load(f))
    # names of this repository's own scripts are not module cmdlets
    own = {os.path.splitext(os.path.basename(p))[0].lower()
           for p in glob.glob(os.path.join(ROOT, "scripts", "*.ps1"))}

    files = [os.path.abspath(f) for f in a.files] if a.files else files_to_scan()
    ncalls, nproblems, nnotes = 0, 0, 0
    for path in files:
        with open(path, encoding="utf-8-sig") as f:
            text = f.read()
        for seg in segments_for(path, text):
            for m in CMDLET_TOKEN.finditer(seg.text):
                token = m.group(1)
                if token.lower() in own:
                    continue
                q = enclosing_quote(seg.text, m.start()) if seg.kind == "ps" else None
                params, flags, end = scan_command(seg, m.end(), q)
                call = " ".join(seg.text[m.start():end].split())
                ncalls += 1
                problems, notes = check_call(ref, seg, m.end(), token, params, flags, bool(q))
                where = "%s:%d" % (seg.path, seg.line_at(m.start()))
                for p in problems:
                    print("%s: %s\n    problem: %s" % (where, call, p))
                nproblems += len(problems)
                if a.notes:
                    for n in notes:
                        print("%s: %s\n    note: %s" % (where, call, n))
                nnotes += len(notes)
                if a.list and not problems and not (a.notes and notes):
                    print("%s: %s\n    ok" % (where, call))
    print("%d calls checked, %d problems" % (ncalls, nproblems))
    if nnotes and not a.notes:
        print("(%d notes; --notes to show them)" % nnotes)
    return 1 if nproblems else 0


if __name__ == "__main__":
    sys.exit(main())
