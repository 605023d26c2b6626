#!/usr/bin/env python3
"""Fails when a tracked file refers to a path outside the repository.

A user's clone has no sibling folders, so every relative path literal ("../x", "../../y") must resolve inside the
repository from the folder it is resolved against: a Java, Kotlin or resource file's module (the nearest folder with
a pom.xml, where Maven runs its tests), any other file's own folder. Absolute paths into this workplace (/work/)
fail too. Markdown is prose and is not checked; a line after a
comment saying "check-paths: not a path" is data (a hostile name in a test) and is not checked either. Usage: check-paths.py [REPO] | --self-test
"""
import os
import re
import subprocess
import sys
import tempfile

LITERAL = re.compile(r"""(?<![\w.])((?:\.\./)+[\w.\-/]*)""")
# A comment with this text on the line before exempts a literal that is data, not a path the code reads.
ALLOW = "check-paths: not a path"
ABSOLUTE = re.compile(r"""["'\s=](/work/[\w.\-/]*)""")


def module_root(repo, path):
    d = os.path.dirname(os.path.join(repo, path))
    while True:
        if os.path.exists(os.path.join(d, "pom.xml")):
            return d
        if os.path.samefile(d, repo):
            return repo
        d = os.path.dirname(d)


def offenders(repo):
    files = subprocess.run(["git", "-C", repo, "ls-files", "-co", "--exclude-standard"], check=True,
                           capture_output=True, text=True).stdout.split()
    root = os.path.realpath(repo)
    bad = []
    for f in files:
        if f.endswith(".md") or f.startswith("testdata/") or f == ".ci/check-paths.py":
            continue
        full = os.path.join(repo, f)
        try:
            text = open(full, encoding="utf-8").read()
        except (UnicodeDecodeError, OSError):
            continue
        jvm = f.endswith((".java", ".kt", ".properties", ".xml")) and "/src/" in "/" + f
        base = module_root(repo, f) if jvm else os.path.dirname(full)
        lines = text.splitlines()
        for n, line in enumerate(lines, 1):
            if n > 1 and ALLOW in lines[n - 2]:
                continue
            for m in LITERAL.finditer(line):
                target = os.path.realpath(os.path.join(base, m.group(1)))
                if not (target == root or target.startswith(root + os.sep)):
                    bad.append(f"{f}:{n}: {m.group(1)} resolves outside the repository ({target})")
            for m in ABSOLUTE.finditer(line):
                bad.append(f"{f}:{n}: absolute path {m.group(1)}")
    return bad


def self_test():
    with tempfile.TemporaryDirectory() as parent:
        repo = os.path.join(parent, "repo")
        os.makedirs(os.path.join(repo, "mod/src/test/java"))
        os.makedirs(os.path.join(repo, "testdata"))
        open(os.path.join(repo, "mod/pom.xml"), "w").write("<project/>")
        ok = os.path.join(repo, "mod/src/test/java/OkTest.java")
        open(ok, "w").write('Path p = Path.of("../testdata/a.json");\n')
        subprocess.run(["git", "init", "-q", repo], check=True)
        assert offenders(repo) == [], offenders(repo)
        open(os.path.join(repo, "mod/src/test/java/BadTest.java"), "w").write(
            'Path p = Path.of("../../sibling-folder/a.json");\n')
        found = offenders(repo)
        assert len(found) == 1 and "BadTest.java:1" in found[0], found
    print("check-paths self-test: a test reading ../../sibling-folder is refused, ../testdata is accepted")


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        sys.exit(0)
    found = offenders(sys.argv[1] if len(sys.argv) > 1 else ".")
    for line in found:
        print(line, file=sys.stderr)
    if found:
        print("check-paths: copy what is read into testdata/ (with its provenance in testdata/README.md)",
              file=sys.stderr)
        sys.exit(1)
    print("check-paths: every path literal stays inside the repository")
