#!/usr/bin/env python3
"""Fails when a man page drifts from its tool or from docs/exit-codes.md.

Usage: man_pages.py MAN_DIR TOOLS_DIR SOURCE_ROOT TOOL...

For every TOOL (the build's list, so a new tool is checked without editing this file):
- MAN_DIR/TOOL.1 exists and has an EXIT STATUS section;
- every long flag that `TOOL --help` (and each subcommand's --help) prints appears in the page;
- every flag that the page's OPTION DETAILS section describes is one that --help prints;
- the exit codes the page lists under EXIT STATUS equal the codes docs/exit-codes.md gives
  for TOOL (rows whose tools column says "all" or names TOOL).
"""
import pathlib
import re
import subprocess
import sys

FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def help_text(helper, tool_path):
    return subprocess.run(["sh", str(helper), str(tool_path), "--help"], check=True,
                          capture_output=True, text=True).stdout


def plain_roff(text):
    """Roff source as plain text: escapes for '-', fonts and quotes removed."""
    text = text.replace("\\-", "-").replace("\\(aq", "'")
    return re.sub(r"\\f[BIRP]|\\&|\\e", "", text)


def sections(roff):
    """{name: body} of a man page's .SH sections."""
    out, name = {}, None
    for line in roff.splitlines():
        m = re.match(r'^\.SH\s+"?([^"]*)"?\s*$', line)
        if m:
            name = m.group(1).strip()
            out[name] = []
        elif name:
            out[name].append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def tags(section):
    """The tag lines of a section's .TP paragraphs."""
    lines = section.splitlines()
    return [line for prev, line in zip(lines, lines[1:]) if prev.strip() == ".TP"]


def page_codes(exit_section):
    """Exit codes a page lists: the integers of its .TP tags (ranges like 1-255 skipped)."""
    return {int(t) for line in tags(exit_section) if line.startswith(".B")
            for t in re.split(r"[\s,]+", line[2:].strip()) if t.isdigit()}


def table_codes(table, tool):
    """Exit codes docs/exit-codes.md gives TOOL."""
    codes = set()
    for row in table.splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].isdigit():
            continue
        if cells[-1] == "all" or "`" + tool in cells[-1]:
            codes.add(int(cells[0]))
    return codes


def check(tool, man_dir, tools_dir, root):
    page_file = man_dir / f"{tool}.1"
    if not page_file.is_file():
        return [f"{page_file}: missing (does docs/man/{tool}.h2m exist?)"]
    roff = plain_roff(page_file.read_text())
    secs = sections(roff)
    errors = []
    helped = set(FLAG.findall(help_text(root / "cmake/help_for_man.sh", tools_dir / tool)))
    for flag in sorted(helped - set(FLAG.findall(roff))):
        errors.append(f"{page_file}: {flag} is in `{tool} --help` but not in the man page")
    described = set(FLAG.findall(" ".join(tags(secs.get("OPTION DETAILS", "")))))
    for flag in sorted(described - helped):
        errors.append(f"docs/man/{tool}.h2m: OPTION DETAILS describes {flag}, "
                      f"which `{tool} --help` does not know")
    if "EXIT STATUS" not in secs:
        return errors + [f"{page_file}: no EXIT STATUS section (docs/man/{tool}.h2m)"]
    mine = page_codes(secs["EXIT STATUS"])
    table = table_codes((root / "docs/exit-codes.md").read_text(), tool)
    if mine != table:
        errors.append(f"docs/man/{tool}.h2m: EXIT STATUS lists {sorted(mine)} but "
                      f"docs/exit-codes.md gives {tool} {sorted(table)}: "
                      f"only in the page {sorted(mine - table)}, "
                      f"only in the table {sorted(table - mine)}")
    return errors


def main():
    man_dir, tools_dir, root = (pathlib.Path(a) for a in sys.argv[1:4])
    tools = sys.argv[4:]
    if not tools:
        print("man_pages.py: no tools given", file=sys.stderr)
        return 2
    errors = [e for t in tools for e in check(t, man_dir, tools_dir, root)]
    for e in errors:
        print(e)
    print(f"checked {len(tools)} man pages: {' '.join(tools)}; {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
