#!/usr/bin/env python3
"""Build reference/configmgr-cmdlets.json from the ConfigurationManager
PowerShell module reference.

Source: https://github.com/MicrosoftDocs/sccm-docs-powershell-ref
  - sccm-ps/ConfigurationManager/<Cmdlet>.md  (one page per cmdlet, platyPS format)
  - docs-conceptual/*release-notes*.md        (per-version cmdlet library changes)

Only names and structure are extracted (cmdlet names, parameter set names,
parameter names, which parameters are mandatory in which set, parameter
aliases, and version numbers the docs state for a cmdlet or parameter).
No descriptions or examples are copied.

Usage (any one of the input forms):
  scripts/cmdlet-reference.py --git-dir PATH/TO/repo.git [--commit SHA]
  scripts/cmdlet-reference.py --folder PATH/TO/checkout [--commit SHA]
Options:
  --out FILE        output (default: reference/configmgr-cmdlets.json next to scripts/)
  --diagnostics     print every inconsistency found in the docs to stderr

Standard library only. The output is deterministic for a given commit.
"""

import argparse
import json
import os
import re
import subprocess
import sys

REPOSITORY = "MicrosoftDocs/sccm-docs-powershell-ref"
CMDLET_FOLDER = "sccm-ps/ConfigurationManager"
NOTES_FOLDER = "docs-conceptual"
MODULE_PAGE = "ConfigurationManager.md"

# PowerShell common parameters (about_CommonParameters, Windows PowerShell 5.1)
# and the risk-mitigation parameters WhatIf/Confirm, which exist only on
# cmdlets that support ShouldProcess (see "supports_should_process").
# ProgressAction (PowerShell 7.4+ only) is deliberately not listed.
COMMON_PARAMETERS = [
    "Debug", "ErrorAction", "ErrorVariable", "InformationAction",
    "InformationVariable", "OutBuffer", "OutVariable", "PipelineVariable",
    "Verbose", "WarningAction", "WarningVariable",
]
RISK_PARAMETERS = ["Confirm", "WhatIf"]
COMMON_ALIASES = {
    "db": "Debug", "ea": "ErrorAction", "ev": "ErrorVariable",
    "infa": "InformationAction", "iv": "InformationVariable", "ob": "OutBuffer",
    "ov": "OutVariable", "pv": "PipelineVariable", "vb": "Verbose",
    "wa": "WarningAction", "wv": "WarningVariable", "cf": "Confirm", "wi": "WhatIf",
}
ALL_COMMON = set(COMMON_PARAMETERS) | set(RISK_PARAMETERS)

DEFAULT_SET_NAME = "__AllParameterSets"
CMDLET_RE = r"[A-Z][a-z]+-CM[A-Za-z0-9]+"


# --------------------------------------------------------------------------
# Reading the snapshot
# --------------------------------------------------------------------------

class GitSource:
    def __init__(self, git_dir, commit):
        self.git_dir = git_dir
        self.commit = self._git("rev-parse", (commit or "HEAD") + "^{commit}").strip()

    def _git(self, *args):
        out = subprocess.run(["git", "--git-dir", self.git_dir] + list(args),
                             check=True, stdout=subprocess.PIPE)
        return out.stdout.decode("utf-8")

    def list(self, folder):
        names = self._git("ls-tree", "--name-only", self.commit, folder + "/").splitlines()
        return sorted(n for n in names if n.endswith(".md"))

    def read_many(self, paths):
        """Read files with one `git cat-file --batch` process."""
        req = "".join("%s:%s\n" % (self.commit, p) for p in paths).encode("utf-8")
        out = subprocess.run(["git", "--git-dir", self.git_dir, "cat-file", "--batch"],
                             input=req, check=True, stdout=subprocess.PIPE).stdout
        result, pos = {}, 0
        for p in paths:
            nl = out.index(b"\n", pos)
            header = out[pos:nl].split()
            if len(header) < 3 or header[1] != b"blob":
                raise SystemExit("cannot read %s at %s" % (p, self.commit))
            size = int(header[2])
            result[p] = out[nl + 1:nl + 1 + size].decode("utf-8-sig")
            pos = nl + 1 + size + 1
        return result

    def commit_date(self):
        return self._git("show", "-s", "--format=%cI", self.commit).strip()


class FolderSource:
    def __init__(self, root, commit):
        self.root = root
        self.commit = commit
        if not self.commit:
            try:
                self.commit = subprocess.run(
                    ["git", "-C", root, "rev-parse", "HEAD"], check=True,
                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.decode().strip()
            except (subprocess.CalledProcessError, OSError):
                self.commit = None

    def list(self, folder):
        d = os.path.join(self.root, folder)
        return sorted(folder + "/" + n for n in os.listdir(d) if n.endswith(".md"))

    def read_many(self, paths):
        res = {}
        for p in paths:
            with open(os.path.join(self.root, p), encoding="utf-8-sig") as f:
                res[p] = f.read()
        return res

    def commit_date(self):
        if not self.commit:
            return None
        try:
            return subprocess.run(
                ["git", "-C", self.root, "show", "-s", "--format=%cI", self.commit],
                check=True, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL).stdout.decode().strip()
        except (subprocess.CalledProcessError, OSError):
            return None


# --------------------------------------------------------------------------
# Page parsing
# --------------------------------------------------------------------------

FENCE_OPEN = re.compile(r"^ {0,3}```[^`]*$")
FENCE_CLOSE = re.compile(r"^ {0,3}```\s*$")


def fence_step(line, fence):
    """CommonMark-style fences: an info string may follow an opening fence,
    a closing fence has none. Return (is_fence_line, new_state)."""
    if fence:
        return (True, False) if FENCE_CLOSE.match(line) else (False, True)
    return (True, True) if FENCE_OPEN.match(line) else (False, False)


def split_sections(text, level):
    """Return [(heading, body)] for headings of exactly `level` '#'."""
    prefix = "#" * level + " "
    sections, head, body, fence = [], None, [], False
    for line in text.split("\n"):
        is_fence, fence = fence_step(line, fence)
        if not fence and not is_fence and line.startswith(prefix):
            if head is not None or body:
                sections.append((head, body))
            head, body = line[len(prefix):].strip(), []
        else:
            body.append(line)
    sections.append((head, body))
    return sections


def code_blocks(lines):
    blocks, cur, fence = [], None, False
    for line in lines:
        is_fence, fence = fence_step(line, fence)
        if is_fence and fence:
            cur = []
        elif is_fence:
            blocks.append(cur)
            cur = None
        elif cur is not None:
            cur.append(line)
    return blocks


def normalise_types(s):
    """Replace every <Type> annotation (angle brackets may nest) with <T>,
    keeping <CommonParameters> as it is."""
    out, i = [], 0
    while i < len(s):
        if s.startswith("<CommonParameters>", i):
            out.append("<CommonParameters>")
            i += len("<CommonParameters>")
        elif s[i] == "<":
            depth = 0
            while i < len(s):
                if s[i] == "<":
                    depth += 1
                elif s[i] == ">":
                    depth -= 1
                    if depth == 0:
                        break
                i += 1
            out.append("<T>")
            i += 1
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


SYNTAX_TOKEN = re.compile(
    r"\[\[-(?P<posopt>\w+)\]\s*<T>\]"          # [[-Name] <T>]  positional, optional
    r"|\[-(?P<posman>\w+)\]\s*<T>"             # [-Name] <T>    positional, mandatory
    r"|\[-(?P<opt>\w+)(?:\s*<T>)?\]"           # [-Name <T>] / [-Switch]  optional
    r"|(?<![\w-])-(?P<man>\w+)(?:\s*<T>)?"     # -Name <T> / -Switch      mandatory
    r"|\[<CommonParameters>\]"
)


def parse_syntax_line(text):
    """Return (cmdlet, [(param, mandatory)], has_common) for one syntax block."""
    s = " ".join(text.split())
    m = re.match(r"^(\S+)\s*(.*)$", s)
    if not m:
        return None, [], False
    cmd, rest = m.group(1), normalise_types(m.group(2))
    params, has_common = [], False
    pos = 0
    for t in SYNTAX_TOKEN.finditer(rest):
        gap = rest[pos:t.start()].strip()
        if gap:
            raise ValueError("unparsed syntax text %r in %s" % (gap, cmd))
        pos = t.end()
        if t.group(0) == "[<CommonParameters>]":
            has_common = True
            continue
        if t.group("posopt"):
            params.append((t.group("posopt"), False))
        elif t.group("posman"):
            params.append((t.group("posman"), True))
        elif t.group("opt"):
            params.append((t.group("opt"), False))
        else:
            params.append((t.group("man"), True))
    if rest[pos:].strip():
        raise ValueError("unparsed syntax text %r in %s" % (rest[pos:].strip(), cmd))
    return cmd, params, has_common


def parse_yaml_block(lines):
    d = {}
    for line in lines:
        m = re.match(r"^([A-Za-z ]+):\s*(.*)$", line)
        if m:
            d[m.group(1).strip()] = m.group(2).strip()
    return d


APPLIES_RE = re.compile(r"^\s*(?:>\s*)?Applies to version (\d{4}) and later\.")
STARTING_CMDLET_RE = re.compile(r"^\s*(?:>\s*)?Starting in version (\d{4}), use this cmdlet\b")


def parse_page(path, text, diag):
    text = text.replace("\r\n", "\n")
    stem = os.path.basename(path)[:-3]
    title = None
    fm = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    if fm:
        for line in fm.group(1).split("\n"):
            if line.startswith("title:"):
                title = line.split(":", 1)[1].strip()
    h1 = re.search(r"^# (\S+)\s*$", text, re.M)
    name = h1.group(1) if h1 else (title or stem)
    if name != stem:
        diag.append("%s: page heading %r differs from file name" % (path, name))

    sections = dict()
    for head, body in split_sections(text, 2):
        if head:
            sections.setdefault(head.upper(), body)

    # ---- SYNTAX ----
    sets = {}
    order = []
    should_process = False
    syn = sections.get("SYNTAX")
    if syn is None:
        diag.append("%s: no SYNTAX section" % path)
        return None
    for head, body in split_sections("\n".join(syn), 3):
        blocks = code_blocks(body)
        if not blocks:
            continue
        if head is None:
            set_name, default = DEFAULT_SET_NAME, None
        else:
            default = head.endswith("(Default)")
            set_name = head[:-len("(Default)")].strip() if default else head
        for i, block in enumerate(blocks):
            sname = set_name if i == 0 else "%s#%d" % (set_name, i + 1)
            if i:
                diag.append("%s: several syntax blocks under %r" % (path, set_name))
            cmd, params, _ = parse_syntax_line(" ".join(block))
            if cmd != name:
                diag.append("%s: syntax block names %r" % (path, cmd))
            plist, mand = [], []
            for p, m in params:
                if p in ALL_COMMON:
                    if p in RISK_PARAMETERS:
                        should_process = True
                    continue
                if p in plist:
                    diag.append("%s: %s listed twice in set %s" % (path, p, sname))
                    continue
                plist.append(p)
                if m:
                    mand.append(p)
            if sname in sets:
                diag.append("%s: duplicate set name %s" % (path, sname))
            sets[sname] = {"default": default, "parameters": plist, "mandatory": mand}
            order.append(sname)
    if not sets:
        diag.append("%s: SYNTAX has no code block" % path)
    if len(sets) == 1:
        only = next(iter(sets.values()))
        only["default"] = True
    elif sets:
        ndef = sum(1 for s in sets.values() if s["default"])
        if ndef != 1:
            diag.append("%s: %d default parameter sets" % (path, ndef))
        for s in sets.values():
            s["default"] = bool(s["default"])

    # ---- PARAMETERS ----
    aliases = {}
    param_added = {}
    doc_params = {}
    par = sections.get("PARAMETERS", [])
    for head, body in split_sections("\n".join(par), 3):
        if not head or not head.startswith("-"):
            continue
        pname = head[1:].strip()
        if pname in ALL_COMMON:
            continue
        info = {"sets": set(), "required": {}, "switch": False}
        yaml_blocks = [b for b in code_blocks(body)
                       if any(re.match(r"^(Type|Parameter Sets):", x) for x in b)]
        for yb in yaml_blocks:
            y = parse_yaml_block(yb)
            ps = [x.strip() for x in y.get("Parameter Sets", "").split(",") if x.strip()]
            req = y.get("Required", "").lower() == "true"
            if y.get("Type", "") == "SwitchParameter":
                info["switch"] = True
            for s in ps:
                info["sets"].add(s)
                info["required"][s] = req
            for a in [x.strip() for x in y.get("Aliases", "").split(",") if x.strip()]:
                if a in aliases and aliases[a] != pname:
                    diag.append("%s: alias %s used for %s and %s" % (path, a, aliases[a], pname))
                aliases.setdefault(a, pname)
        if not yaml_blocks:
            diag.append("%s: parameter %s has no yaml block" % (path, pname))
        doc_params[pname] = info
        # explicit version statement at the start of the parameter text
        for line in body:
            if line.strip().startswith("```"):
                break
            m = APPLIES_RE.match(line)
            if m:
                param_added[pname] = m.group(1)
                break

    # cross-check SYNTAX against PARAMETERS (reported, not used for the data)
    syntax_params = set(p for s in sets.values() for p in s["parameters"])
    for p in sorted(syntax_params - set(doc_params)):
        diag.append("%s: %s in SYNTAX but not in PARAMETERS" % (path, p))
    unassigned = sorted(set(doc_params) - syntax_params)
    for p in unassigned:
        diag.append("%s: %s in PARAMETERS but in no SYNTAX set (recorded as unassigned)"
                    % (path, p))
    for p, info in sorted(doc_params.items()):
        for sname, s in sorted(sets.items()):
            if p not in s["parameters"]:
                if sname in info["sets"]:
                    diag.append("%s: PARAMETERS puts %s in set %s, SYNTAX does not" % (path, p, sname))
                continue
            listed = "(All)" in info["sets"] or sname in info["sets"] or (
                sname == DEFAULT_SET_NAME)
            if not listed:
                diag.append("%s: SYNTAX puts %s in set %s, PARAMETERS does not" % (path, p, sname))
                continue
            req = info["required"].get(sname, info["required"].get("(All)"))
            if req and info["switch"] and p not in s["mandatory"]:
                # platyPS writes mandatory switches in brackets in SYNTAX
                # (PowerShell/platyPS#546, "by design"); PARAMETERS has the truth.
                s["mandatory"].append(p)
                continue
            if req is not None and req != (p in s["mandatory"]):
                diag.append("%s: %s in set %s: SYNTAX mandatory=%s, PARAMETERS Required=%s"
                            % (path, p, sname, p in s["mandatory"], req))
        for sname in sorted(info["sets"] - {"(All)"} - set(sets)):
            if sname != DEFAULT_SET_NAME:
                diag.append("%s: PARAMETERS names unknown set %s for %s" % (path, sname, p))

    for s in sets.values():
        s["mandatory"] = [p for p in s["parameters"] if p in s["mandatory"]]

    # ---- cmdlet version statement in DESCRIPTION ----
    added = None
    for line in sections.get("DESCRIPTION", []):
        m = APPLIES_RE.match(line) or STARTING_CMDLET_RE.match(line)
        if m:
            added = m.group(1)
            break

    info = {
        "name": name,
        "page": path,
        "sets": sets,
        "aliases": aliases,
        "added_in": added,
        "supports_should_process": should_process,
    }
    if param_added:
        info["parameters_added_in"] = param_added
    if unassigned:
        info["unassigned_parameters"] = unassigned
    return info


# --------------------------------------------------------------------------
# Release notes
# --------------------------------------------------------------------------

def strip_markup(s):
    s = re.sub(r"<!--.*?-->", "", s)
    s = s.replace("\\", "")
    s = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", s)  # links -> text
    return s.replace("**", "").replace("`", "").strip()


def expand_names(token, verbs_hint):
    """'Add/Set-CMFoo' -> [Add-CMFoo, Set-CMFoo]; 'CMFoo' with a verb hint
    -> [Verb-CMFoo...]; 'Get-CMFoo' -> [Get-CMFoo]."""
    m = re.match(r"^((?:[A-Z][a-z]+/)*[A-Z][a-z]+)-(CM[A-Za-z0-9]+)$", token)
    if m:
        return ["%s-%s" % (v, m.group(2)) for v in m.group(1).split("/")]
    m = re.match(r"^(CM[A-Za-z0-9]+)$", token)
    if m and verbs_hint:
        return ["%s-%s" % (v, m.group(1)) for v in verbs_hint]
    return []


VERB_HINT_RE = re.compile(r"\(?((?:[A-Z][a-z]+,? (?:and )?)+)verbs? (?:are )?supported")


def verbs_from(text):
    m = VERB_HINT_RE.search(text)
    if not m:
        return None
    return [v for v in re.findall(r"[A-Z][a-z]+", m.group(1))]


def notes_new_cmdlets(text):
    """Cmdlet names listed in the 'New cmdlets' sections of one release-notes page."""
    text = re.sub(r"<!--.*?-->", "", text.replace("\r\n", "\n"), flags=re.S)
    found = []
    lines = text.split("\n")
    in_new, new_level, skip_level = False, 0, 0
    fence = False
    para_verbs = None
    bullet_verbs = {}  # indent -> verbs hint of a parent bullet
    for line in lines:
        is_fence, fence = fence_step(line, fence)
        if is_fence:
            continue
        if fence:
            continue
        h = re.match(r"^(#+)\s+(.*)$", line)
        if h:
            level, title = len(h.group(1)), strip_markup(h.group(2))
            title = re.sub(r"<a name=[^>]*></a>", "", title).strip()
            if in_new and level <= new_level:
                in_new = False
            if skip_level and level <= skip_level:
                skip_level = 0
            if re.search(r"\bnew cmdlets\b", title, re.I):
                in_new, new_level, skip_level = True, level, 0
                para_verbs = None
                continue
            if in_new:
                para_verbs = None
                if re.search(r"deprecat|removed|example|known issue|note", title, re.I):
                    skip_level = level
                    continue
                if not skip_level:
                    for tok in re.split(r"\s+", title):
                        found.extend(expand_names(tok, None))
            continue
        if not in_new or skip_level:
            continue
        b = re.match(r"^(\s*)[-*]\s+(.*)$", line)
        if b:
            indent = len(b.group(1).expandtabs(4))
            body = strip_markup(b.group(2))
            for k in [k for k in bullet_verbs if k >= indent]:
                del bullet_verbs[k]
            hint = verbs_from(body)
            if hint:
                bullet_verbs[indent] = hint
            parent_hint = None
            for k in sorted(bullet_verbs):
                if k < indent:
                    parent_hint = bullet_verbs[k]
            first = body.split()[0].rstrip(":,") if body.split() else ""
            if first.lower() in ("supersedes", "replaced"):
                continue
            found.extend(expand_names(first, parent_hint or para_verbs))
            continue
        if line.strip():
            bullet_verbs = {}
            hint = verbs_from(line)
            if hint:
                para_verbs = hint
            # a paragraph that opens with an emphasised cmdlet name
            # ("**Get-CMX** is a new cmdlet", "```New-CMX``` will allow ...")
            m = re.match(r"^\s*(\*\*|`+)(" + CMDLET_RE + r")\1", line)
            if m:
                found.extend(expand_names(m.group(2), None))
    return found


BOLD = re.compile(r"\*\*-?([A-Za-z][A-Za-z0-9]*)\*\*")
_BOLD_LIST = r"((?:\*\*-?[A-Za-z][A-Za-z0-9]*\*\*(?:,\s*|\s+and\s+|,\s+and\s+)?)+)"
# "Added **X** parameter ...", "Added new **X** and **Y** parameters", "New **X** parameter ..."
NEW_PARAM_BEFORE = re.compile(r"^(?:Added|Add|New)\s+(?:the\s+|a\s+)?(?:new\s+)?"
                              + _BOLD_LIST + r"\s*parameters?\b")
# "Added new parameters for ...: **A**, **B**, and **C**", "Add a new parameter for ..., **A**"
NEW_PARAM_AFTER = re.compile(r"^(?:Added|Add)\s+(?:the\s+|a\s+)?(?:new\s+)?parameters?\b"
                             r"[^*.]*?[:,]+\s*" + _BOLD_LIST + r"\s*\.?$")

# "Added new parameter **X** to ...", "Added parameters **X** and **Y** to ..."
NEW_PARAM_NAMED = re.compile(r"^(?:Added|Add|New)\s+(?:the\s+|a\s+)?(?:new\s+)?parameters?\s+"
                             + _BOLD_LIST)


def notes_new_parameters(text):
    """[(cmdlet token, [parameter names])] from the 'Cmdlet changes' part."""
    text = re.sub(r"<!--.*?-->", "", text.replace("\r\n", "\n"), flags=re.S)
    out = []
    cmdlets = []
    fence = False
    for line in text.split("\n"):
        is_fence, fence = fence_step(line, fence)
        if is_fence:
            continue
        if fence:
            continue
        h = re.match(r"^(#+)\s+(.*)$", line)
        if h:
            title = strip_markup(h.group(2))
            first = title.split()[0] if title.split() else ""
            names = expand_names(first, None)
            if names or len(h.group(1)) <= 3:
                cmdlets = names
            continue
        if not cmdlets:
            continue
        body = re.sub(r"^\s*[-*]\s+", "", line).strip()
        sentence = re.split(r"(?<=\.)\s", body)[0]
        if re.search(r"\balias", sentence, re.I):
            continue
        names = []
        m1 = NEW_PARAM_BEFORE.match(sentence)
        m2 = NEW_PARAM_NAMED.match(sentence) or NEW_PARAM_AFTER.match(sentence)
        if m1:
            names = BOLD.findall(m1.group(1))
        elif m2:
            names = BOLD.findall(m2.group(1))
        if names:
            out.append((list(cmdlets), names))
    return out


def version_of(path):
    m = re.match(r"^(\d{4})[-_]", os.path.basename(path))
    return m.group(1) if m else None


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------

def dump(doc):
    """Sorted keys; one line per cmdlet so that diffs stay readable."""
    lines = ["{"]
    keys = sorted(doc)
    for i, k in enumerate(keys):
        comma = "," if i < len(keys) - 1 else ""
        if k == "cmdlets":
            lines.append(' "cmdlets": {')
            names = sorted(doc[k])
            for j, n in enumerate(names):
                c2 = "," if j < len(names) - 1 else ""
                lines.append("  %s: %s%s" % (
                    json.dumps(n), json.dumps(doc[k][n], sort_keys=True,
                                              separators=(",", ":"), ensure_ascii=False), c2))
            lines.append(" }" + comma)
        else:
            lines.append(" %s: %s%s" % (json.dumps(k), json.dumps(
                doc[k], sort_keys=True, separators=(", ", ": "), ensure_ascii=False), comma))
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--git-dir")
    src.add_argument("--folder")
    ap.add_argument("--commit")
    ap.add_argument("--out")
    ap.add_argument("--diagnostics", action="store_true")
    a = ap.parse_args()

    source = GitSource(a.git_dir, a.commit) if a.git_dir else FolderSource(a.folder, a.commit)
    diag = []

    page_paths = [p for p in source.list(CMDLET_FOLDER)
                  if os.path.basename(p) != MODULE_PAGE]
    note_paths = [p for p in source.list(NOTES_FOLDER) if version_of(p)]
    texts = source.read_many(page_paths + note_paths
                             + [CMDLET_FOLDER + "/" + MODULE_PAGE])

    help_version = None
    m = re.search(r"^Help Version:\s*(\S+)", texts[CMDLET_FOLDER + "/" + MODULE_PAGE], re.M)
    if m:
        help_version = m.group(1)

    cmdlets = {}
    for p in page_paths:
        try:
            info = parse_page(p, texts[p], diag)
        except ValueError as e:
            diag.append("%s: %s" % (p, e))
            info = None
        if info is None:
            continue
        if info["name"] in cmdlets:
            diag.append("%s: duplicate cmdlet %s" % (p, info["name"]))
            continue
        cmdlets[info.pop("name")] = info
    by_lower = {n.lower(): n for n in cmdlets}

    # versions from release notes: earliest statement wins
    notes_cmdlet, notes_param = {}, {}
    unmatched = set()
    for p in sorted(note_paths, key=version_of):
        v = version_of(p)
        for n in notes_new_cmdlets(texts[p]):
            real = by_lower.get(n.lower())
            if not real:
                unmatched.add("%s (%s)" % (n, v))
                continue
            notes_cmdlet.setdefault(real, []).append(v)
        for toks, params in notes_new_parameters(texts[p]):
            for t in toks:
                real = by_lower.get(t.lower())
                if not real:
                    continue
                known = {q.lower(): q for s in cmdlets[real]["sets"].values()
                         for q in s["parameters"]}
                for q in cmdlets[real].get("unassigned_parameters", []):
                    known[q.lower()] = q
                for q in params:
                    if q.lower() in known:
                        notes_param.setdefault((real, known[q.lower()]), []).append(v)
                    else:
                        diag.append("release notes %s add %s -%s, the page does not document it"
                                    % (v, real, q))

    for n in sorted(unmatched):
        diag.append("release notes list %s as new, no such page" % n)
    for n, vs in sorted(notes_cmdlet.items()):
        first = min(vs)
        if len(set(vs)) > 1:
            diag.append("release notes list %s as new in %s; using %s" % (n, ", ".join(sorted(set(vs))), first))
        page_v = cmdlets[n]["added_in"]
        if page_v and page_v != first:
            diag.append("%s: page says %s, release notes say %s; using the page"
                        % (n, page_v, first))
        cmdlets[n]["added_in"] = page_v or first
    for (n, q), vs in sorted(notes_param.items()):
        first = min(vs)
        if len(set(vs)) > 1:
            diag.append("release notes list %s -%s as new in %s; using %s"
                        % (n, q, ", ".join(sorted(set(vs))), first))
        pa = cmdlets[n].setdefault("parameters_added_in", {})
        page_v = pa.get(q)
        if page_v and page_v != first:
            diag.append("%s -%s: page says %s, release notes say %s; using the page"
                        % (n, q, page_v, first))
        pa[q] = page_v or first

    doc = {
        "source": {
            "repository": REPOSITORY,
            "url": "https://github.com/" + REPOSITORY,
            "folder": CMDLET_FOLDER,
            "release_notes_folder": NOTES_FOLDER,
            "commit": source.commit,
            "commit_date": source.commit_date(),
            "module_help_version": help_version,
        },
        "common_parameters": sorted(COMMON_PARAMETERS + RISK_PARAMETERS),
        "should_process_parameters": sorted(RISK_PARAMETERS),
        "common_parameter_aliases": COMMON_ALIASES,
        "cmdlets": cmdlets,
    }
    out = a.out or os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "reference", "configmgr-cmdlets.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    data = dump(doc)
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write(data)

    nsets = sum(len(c["sets"]) for c in cmdlets.values())
    nadded = sum(1 for c in cmdlets.values() if c["added_in"])
    npadded = sum(len(c.get("parameters_added_in", {})) for c in cmdlets.values())
    if a.diagnostics:
        for d in diag:
            print("note: " + d, file=sys.stderr)
    print("%s: %d cmdlets, %d parameter sets, %d cmdlets and %d parameters with a stated "
          "version; %d doc inconsistencies (--diagnostics to list); commit %s"
          % (out, len(cmdlets), nsets, nadded, npadded, len(diag), source.commit),
          file=sys.stderr)


if __name__ == "__main__":
    main()
