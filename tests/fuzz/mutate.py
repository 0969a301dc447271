#!/usr/bin/env python3
"""Bounded mutation fuzzing of the cobro binary (python3 standard library only).

Each case copies the fixtures (fixtures/*.csv, fixtures/es, fixtures/sap,
examples/plans.csv, plan_payments.csv, policy.toml, rules.toml, sap_fbl5n.toml
and a dunning log made by cobro itself), mutates some of them (byte flips,
deleted or duplicated lines, swapped columns, huge numbers, odd quotes, CR or
CRLF line ends, empty cells, hostile values, truncation), and runs every
command on them, strict and with --skip-bad-rows --rejects. A case fails on:

  panic     "panicked" on stderr, exit 101, 134 or a signal
  exit      an exit code other than 0, 1 or 2
  hang      no answer within 20 s
  rejects   the skipped count on stderr differs from the rows in --rejects,
            a reject names another file, a line out of range or one line twice
  lost      a row skipped with --skip-bad-rows while the strict run succeeds,
            or a strict data error while --skip-bad-rows skips nothing

Usage:
  tests/fuzz/mutate.py target/debug/cobro [--seed 1] [--budget 60] [--out fuzz-out]
  tests/fuzz/mutate.py target/debug/cobro --seed 1 --case 17    # replay one case

Cases are numbered from 0; case N of seed S is always the same mutation, so a
failure printed as "seed S case N" replays with --seed S --case N. Failing
cases are kept under --out (inputs and a repro.sh). Exit 0 when no case
failed, 1 otherwise.
"""

import argparse
import csv
import io
import os
import random
import re
import shlex
import shutil
import subprocess
import sys

csv.field_size_limit(sys.maxsize)  # a mutated cell can be longer than the csv module's 128 KiB default
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TIMEOUT = 20
AS_OF = "2025-06-30"

# name -> path in the repository
FIXTURES = {
    "invoices.csv": "fixtures/invoices.csv",
    "payments.csv": "fixtures/payments.csv",
    "facturas.csv": "fixtures/es/facturas.csv",
    "cobros.csv": "fixtures/es/cobros.csv",
    "fbl5n.txt": "fixtures/sap/fbl5n.txt",
    "sap_fbl5n.toml": "examples/sap_fbl5n.toml",
    "plans.csv": "examples/plans.csv",
    "plan_payments.csv": "examples/plan_payments.csv",
    "policy.toml": "examples/policy.toml",
    "rules.toml": "examples/rules.toml",
}
LOG = "log.csv"  # made by `cobro dunning --record` on the pristine fixtures
FX = ("fx.csv", b"currency,rate\nEUR,1\nUSD,0.92\n")  # for --fx, made here

# Commands, `{name}` being a file of the case; `skip` = takes --skip-bad-rows.
# The first word names the extra flags it may get (EXTRA_FLAGS).
COMMANDS = [
    ("age", "age {invoices.csv} --payments {payments.csv} --as-of {as_of}", True),
    ("age detail", "age {invoices.csv} --payments {payments.csv} --as-of {as_of} --detail -f csv", True),
    ("age es", "age {facturas.csv} --payments {cobros.csv} --decimal-comma --as-of {as_of} -f json", True),
    ("age sap", "age {fbl5n.txt} --config {sap_fbl5n.toml} --as-of {as_of}", True),
    ("kpi", "kpi {invoices.csv} --payments {payments.csv} --from 2025-01-01 --to {as_of} --every month"
     " --by region --as-of {as_of}", True),
    ("kpi es", "kpi {facturas.csv} --payments {cobros.csv} --decimal-comma --as-of {as_of} -f csv", True),
    ("segment", "segment {invoices.csv} --payments {payments.csv} --as-of {as_of}", True),
    ("segment rules", "segment {invoices.csv} --payments {payments.csv} --rules {rules.toml}"
     " --as-of {as_of} --summary -f csv", True),
    ("dunning", "dunning {invoices.csv} --payments {payments.csv} --policy {policy.toml} --log {log.csv}"
     " --as-of {as_of}", True),
    ("dunning record", "dunning {invoices.csv} --payments {payments.csv} --policy {policy.toml}"
     " --log {log.csv} --record --render {out}/letters --plans {plans.csv}"
     " --plan-payments {plan_payments.csv} --as-of {as_of} -f csv -o {out}/mailmerge.csv", True),
    ("plan check", "plan check {plans.csv} --payments {plan_payments.csv} --as-of {as_of}", True),
]

# Flags a command may get, one at a time, on top of its own: values at and
# past their bounds, and flags that change how the input is read.
COMMON_FLAGS = ["--currency=XYZ", "--currency=", "--terms=30", "--terms=36501", "--date-format=%d/%m/%Y",
                "--date-format=%Q", "--map=amount=", "--map=invoice=customer", "--decimal-comma",
                "--delimiter=;", "-f=ndjson", "-f=json", "--totals", "--bom", "--out-delimiter=;"]
EXTRA_FLAGS = {
    "age": ["--buckets=0", "--buckets=30,30", "--buckets=36500", "--buckets=1,2,3,4,5,6,7,8,9,10",
            "--by=region", "--by=nonexistent", "--by=none", "--basis=issue", "--detail",
            "--fx={fx.csv} --base=EUR", "--fx={fx.csv} --base=USD", "--fx={fx.csv}"],
    "kpi": ["--grace=36500", "--grace=36501", "--window=0", "--window=36500", "--every=year",
            "--every=quarter", "--by=region,currency", "--fx={fx.csv} --base=EUR", "--chart={out}/k.svg"],
    "segment": ["--top=0", "--top=18446744073709551616", "--segment=critical", "--lookback=1",
                "--lookback=36500", "--grace=36500", "--summary"],
    "dunning": [],
    "plan": ["--grace=36500", "--grace=36501", "--broken-after=0", "--broken-after=4294967295"],
}
HUGE = ["99999999999999999999999999", "999999999999999999999999999999999", "-79228162514264337593543950335",
        "1e400", "1" * 300, "0." + "0" * 40 + "1", "4294967296", "18446744073709551616"]
HOSTILE = ["", " ", "NaN", "inf", "-0", "0x10", "１２３", "2025-02-30", "9999-12-31", "0000-00-00",
           "0001-01-01", "31/02/2025", "(12.5)", "12.5-", "€12", "10O", "=SUM(A1)", "\u202e1", "ñ",
           "\t", "x" * 70_000, "a\nb"]
BYTES = [b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\xc3", b'"', b"\r", b"\n", b",", b";", b"\t"]


def delimiter_of(data):
    first = data.split(b"\n", 1)[0]
    return max([b",", b";", b"\t"], key=first.count)


def split_lines(data):
    return data.split(b"\n")


def join_lines(lines):
    return b"\n".join(lines)


def cells_of(line, delim):
    return line.split(delim)


def random_line(rng, lines, header=True):
    start = 0 if header or len(lines) < 2 else 1
    return rng.randrange(start, len(lines)) if lines else 0


def flip_byte(rng, data):
    if not data:
        return rng.choice(BYTES)
    i = rng.randrange(len(data))
    new = bytes([data[i] ^ (1 << rng.randrange(8))]) if rng.random() < 0.5 else rng.choice(BYTES)
    return data[:i] + new + data[i + 1:]


def delete_line(rng, data):
    lines = split_lines(data)
    del lines[random_line(rng, lines)]
    return join_lines(lines)


def duplicate_line(rng, data):
    lines = split_lines(data)
    i = random_line(rng, lines, header=rng.random() < 0.2)
    lines.insert(i, lines[i] if lines else b"")
    return join_lines(lines)


def swap_columns(rng, data):
    """Two columns swapped in every line (the data is the same, headers move)
    or in one line only (a bad row)."""
    delim = delimiter_of(data)
    lines = split_lines(data)
    width = len(cells_of(lines[0], delim)) if lines else 0
    if width < 2:
        return data
    a, b = rng.sample(range(width), 2)
    targets = range(len(lines)) if rng.random() < 0.5 else [random_line(rng, lines, header=False)]
    for i in targets:
        cells = cells_of(lines[i], delim)
        if max(a, b) < len(cells):
            cells[a], cells[b] = cells[b], cells[a]
            lines[i] = delim.join(cells)
    return join_lines(lines)


def replace_cell(rng, data, values):
    delim = delimiter_of(data)
    lines = split_lines(data)
    i = random_line(rng, lines, header=rng.random() < 0.1)
    cells = cells_of(lines[i], delim) if lines else [b""]
    j = rng.randrange(len(cells))
    cells[j] = rng.choice(values).encode("utf-8")
    lines[i] = delim.join(cells)
    return join_lines(lines)


def huge_number(rng, data):
    numbers = list(re.finditer(rb"-?\d[\d.,]*", data))
    if not numbers or rng.random() < 0.3:
        return replace_cell(rng, data, HUGE)
    m = rng.choice(numbers)
    return data[:m.start()] + rng.choice(HUGE).encode() + data[m.end():]


def huge_column(rng, data):
    """Every cell of one column a 27-digit number: each fits, their sums may not."""
    delim = delimiter_of(data)
    lines = split_lines(data)
    width = len(cells_of(lines[0], delim)) if lines else 0
    if width == 0:
        return data
    j = rng.randrange(width)
    for i in range(1, len(lines)):
        cells = cells_of(lines[i], delim)
        if j < len(cells):
            cells[j] = str(rng.randrange(10**26, 10**27)).encode()
            lines[i] = delim.join(cells)
    return join_lines(lines)


def repeat_rows(rng, data):
    """The data rows repeated (more rows, duplicate ids)."""
    head, _, body = data.partition(b"\n")
    times = min(rng.randrange(2, 20), max(1, 500_000 // (len(body) + 1)))  # at most ~0.5 MB
    return head + b"\n" + body * times


def empty_cell(rng, data):
    return replace_cell(rng, data, [""])


def hostile_value(rng, data):
    return replace_cell(rng, data, HOSTILE)


def odd_quote(rng, data):
    lines = split_lines(data)
    i = random_line(rng, lines)
    line = lines[i] if lines else b""
    at = rng.randrange(len(line) + 1)
    piece = rng.choice([b'"', b'""', b'"x"y', b'"\n', b"'", b'"' + delimiter_of(data) + b'"'])
    lines[i] = line[:at] + piece + line[at:]
    return join_lines(lines)


def line_endings(rng, data):
    choice = rng.randrange(5)
    if choice == 0:
        return data.replace(b"\n", b"\r\n")
    if choice == 1:
        return data.replace(b"\n", b"\r")
    if choice == 2:  # one line CRLF
        lines = split_lines(data)
        i = random_line(rng, lines)
        lines[i] += b"\r"
        return join_lines(lines)
    if choice == 3:
        return data.rstrip(b"\r\n")
    return data + b"\n" * rng.randrange(1, 4)


def truncate(rng, data):
    return data[:rng.randrange(len(data) + 1)]


def header_change(rng, data):
    lines = split_lines(data)
    if not lines:
        return data
    choice = rng.randrange(4)
    if choice == 0:
        lines[0] = lines[0].upper()
    elif choice == 1:
        lines[0] = b"\xef\xbb\xbf" + lines[0]
    elif choice == 2:
        cells = cells_of(lines[0], delimiter_of(data))
        cells.append(rng.choice(cells))
        lines[0] = delimiter_of(data).join(cells)
    else:
        cells = cells_of(lines[0], delimiter_of(data))
        del cells[rng.randrange(len(cells))]
        lines[0] = delimiter_of(data).join(cells)
    return join_lines(lines)


MUTATIONS = [flip_byte, delete_line, duplicate_line, swap_columns, huge_number, huge_column, repeat_rows,
             empty_cell, hostile_value, odd_quote, line_endings, truncate, header_change]


def mutate(rng, data):
    for _ in range(rng.choice([1, 1, 2, 3])):
        data = rng.choice(MUTATIONS)(rng, data)
    return data


PLAN_VALUES = {
    "--amount": ["1000", "0.01", "999999999999999.99", "1000000000000001", "1e5", "-5", "0", "NaN",
                 "1,000.00", "", "79228162514264337593543950335"],
    "--annual-rate": ["0", "12", "100", "1000", "1000.01", "0.0000001", "-1", "99999999999999999999"],
    "--installments": ["1", "12", "10000", "10001", "0", "4294967296"],
    "--max-installment": ["10", "100.00", "0.01", "0", "1000000"],
    "--start": ["2025-01-31", "9999-12-31", "0001-01-01", "2025-02-30", "2024-02-29"],
    "--every": ["month", "2weeks", "week", "quarter"],
    "--down-payment": ["0", "100", "999", "1000"],
    "--fee": ["0", "10", "999999999999999"],
    "--discount": ["0", "15", "100", "100.01"],
    "--options": ["3,6,12", "1000", "10000,1", "", ",", "0", "100000000", ",".join(["12"] * 101),
                  ",".join(str(n) for n in range(1, 101))],
}


def plan_command(rng):
    """A `plan schedule` or `plan offer` with random values from PLAN_VALUES."""
    pick = lambda flag: [f"{flag}={rng.choice(PLAN_VALUES[flag])}"]  # `=`: a value may start with -
    if rng.random() < 0.5:
        args = ["plan", "schedule"] + pick("--amount") + pick("--start") + pick("--every")
        args += pick("--installments") if rng.random() < 0.7 else pick("--max-installment")
        for flag in ["--annual-rate", "--down-payment", "--fee"]:
            if rng.random() < 0.5:
                args += pick(flag)
        name = "plan schedule"
    else:
        args = ["plan", "offer"] + pick("--amount")
        for flag in ["--annual-rate", "--discount", "--options"]:
            if rng.random() < 0.7:
                args += pick(flag)
        name = "plan offer"
    args += rng.choice([[], ["-f", "csv"], ["-f", "json"]])
    return name, args


class Run:
    def __init__(self, args, code, stdout, stderr, seconds):
        self.args, self.code, self.stdout, self.stderr, self.seconds = args, code, stdout, stderr, seconds


def run(binary, args, cwd):
    started = time.time()
    try:
        p = subprocess.run([binary] + args, cwd=cwd, capture_output=True, timeout=TIMEOUT,
                           env=dict(os.environ, RUST_BACKTRACE="0", COLUMNS="120"))
        code, out, err = p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        code, out, err = "timeout", e.stdout or b"", (e.stderr or b"").decode("utf-8", "replace")
    return Run(args, code, out, err, time.time() - started)


def crash(r):
    """The failure kind of one run, or None."""
    if r.code == "timeout":
        return "hang"
    if "panicked" in r.stderr or r.code in (101, 134) or r.code < 0:
        return "panic"
    if r.code not in (0, 1, 2):
        return "exit"
    return None


def skipped_count(stderr):
    return sum(int(n) for n in re.findall(r"skipped (\d+) bad row", stderr))


def line_facts(path):
    """(physical lines, whether a line number names one record only): a CR
    inside an LF line ends a record without starting a line."""
    with open(path, "rb") as f:
        data = f.read()
    lf, cr, crlf = data.count(b"\n"), data.count(b"\r"), data.count(b"\r\n")
    return max(lf, cr) + 1, lf == 0 or cr == crlf


def rejects_problem(r, rejects, inputs):
    """What is wrong with the --rejects file of a successful skip run."""
    skipped = skipped_count(r.stderr)
    if not os.path.exists(rejects):
        return None if skipped == 0 else f"stderr says {skipped} skipped but no --rejects file"
    with open(rejects, "rb") as f:
        text = f.read().decode("utf-8", "surrogateescape")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or rows[0] != ["file", "line", "column", "value", "reason", "row"]:
        return f"--rejects header is {rows[:1]}"
    rows = rows[1:]
    if len(rows) != skipped:
        return f"stderr says {skipped} skipped, --rejects has {len(rows)} rows"
    seen = set()
    facts = {file: line_facts(path) for file, path in inputs.items()}
    for row in rows:
        if len(row) != 6:
            return f"--rejects row of {len(row)} cells: {row[:3]}"
        file, line = row[0], row[1]
        if file not in inputs:
            return f"--rejects names {file!r}, not an input"
        lines, one_record_per_line = facts[file]
        if not line.isdigit() or not 1 <= int(line) <= lines:
            return f"--rejects line {line!r} is outside {os.path.basename(file)}"
        if (file, line) in seen and one_record_per_line:
            return f"--rejects names {os.path.basename(file)}:{line} twice"
        seen.add((file, line))
    return None


def consistency_problem(strict, skip):
    """Strict and skip runs must agree on which rows are bad."""
    skipped = skipped_count(skip.stderr)
    if skip.code != 0:
        return None
    if strict.code == 0 and skipped > 0:
        return f"--skip-bad-rows skipped {skipped} row(s) the strict run accepted"
    if strict.code == 1 and skipped == 0:
        return "the strict run fails but --skip-bad-rows skipped nothing: " + strict.stderr.strip()[:200]
    return None


class Case:
    """One mutated copy of the fixtures in its own directory."""

    def __init__(self, seed, number, pristine, workdir):
        self.rng = random.Random(f"{seed}:{number}")
        self.dir = os.path.join(workdir, f"case-{number}")
        shutil.copytree(pristine, self.dir)
        names = sorted(FIXTURES) + [LOG, FX[0]]
        chosen = [n for n in names if self.rng.random() < 0.35] or [self.rng.choice(names)]
        for name in chosen:
            path = os.path.join(self.dir, name)
            with open(path, "rb") as f:
                data = f.read()
            with open(path, "wb") as f:
                f.write(mutate(self.rng, data))
        self.mutated = chosen
        shutil.copy(os.path.join(self.dir, LOG), os.path.join(self.dir, LOG + ".orig"))
        self.as_of = self.rng.choice([AS_OF] * 8 + ["2025-01-01", "9999-12-31", "1900-01-01"])

    def files(self):
        paths = {n: os.path.join(self.dir, n) for n in list(FIXTURES) + [LOG, FX[0]]}
        return dict(paths, as_of=self.as_of)

    def reset_outputs(self):
        """A fresh log and output directory for a run that writes them."""
        out = os.path.join(self.dir, "out")
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        shutil.copy(os.path.join(self.dir, LOG + ".orig"), os.path.join(self.dir, LOG))
        return out


def prepare(binary, workdir):
    """The pristine fixtures, letters and a dunning log of two runs."""
    pristine = os.path.join(workdir, "pristine")
    os.makedirs(pristine)
    for name, rel in FIXTURES.items():
        shutil.copy(os.path.join(ROOT, rel), os.path.join(pristine, name))
    shutil.copytree(os.path.join(ROOT, "examples", "letters"), os.path.join(pristine, "letters"))
    with open(os.path.join(pristine, FX[0]), "wb") as f:
        f.write(FX[1])
    for as_of in ["2025-05-31", "2025-06-15"]:
        r = run(binary, ["dunning", "invoices.csv", "--payments", "payments.csv", "--policy", "policy.toml",
                         "--log", LOG, "--record", "--as-of", as_of], pristine)
        if r.code != 0:
            sys.exit(f"cannot make the dunning log: {r.stderr}")
    return pristine


def commands(case, out):
    files = dict(case.files(), out=out)
    fill = lambda text: [re.sub(r"\{([^}]+)\}", lambda m: files[m.group(1)], p) for p in shlex.split(text)]
    for name, template, skip in COMMANDS:
        args = fill(template)
        extras = EXTRA_FLAGS[name.split()[0]] + COMMON_FLAGS
        if case.rng.random() < 0.4:
            args += fill(case.rng.choice(extras))
        yield name, args, skip
    yield (*plan_command(case.rng), False)


def inputs_of(args, case):
    """The data files a command names (what --rejects' `file` column may say)."""
    data = {os.path.join(case.dir, n) for n in FIXTURES if not n.endswith(".toml")}
    return {a: a for a in args if a in data}


def check_case(binary, case):
    """Failures of one case: (kind, command name, detail, args)."""
    failures = []
    for name, args, skippable in list(commands(case, os.path.join(case.dir, "out"))):
        case.reset_outputs()
        strict = run(binary, args, case.dir)
        kind = crash(strict)
        if kind:
            failures.append((kind, name, first_line(strict), args))
            continue
        if not skippable:
            continue
        rejects = os.path.join(case.dir, "out-rejects.csv")
        if os.path.exists(rejects):
            os.remove(rejects)
        case.reset_outputs()
        skip_args = args + ["--skip-bad-rows", "--rejects", rejects]
        skip = run(binary, skip_args, case.dir)
        kind = crash(skip)
        if kind:
            failures.append((kind, name + " --skip-bad-rows", first_line(skip), skip_args))
            continue
        if skip.code == 0:
            problem = rejects_problem(skip, rejects, inputs_of(args, case))
            if problem:
                failures.append(("rejects", name, problem, skip_args))
        problem = consistency_problem(strict, skip)
        if problem:
            failures.append(("lost", name, problem, args))
    return failures


def first_line(r):
    if r.code == "timeout":
        return f"no answer in {TIMEOUT} s"
    lines = [l for l in r.stderr.splitlines() if "panicked" in l] or r.stderr.splitlines() or [""]
    return f"exit {r.code}: {lines[0][:300]}"


def signature(failure):
    kind, name, detail, _ = failure
    where = re.search(r"panicked at ([^:]+:\d+)", detail)
    general = re.sub(r"\d+", "N", re.sub(r"[\w-]+\.(csv|txt|toml)", "FILE", detail))
    return (kind, where.group(1) if where else general[:80])


def keep(out_dir, case, seed, number, failure, binary):
    """Copies the failing case's inputs and a repro.sh under `out_dir`."""
    target = os.path.join(out_dir, f"seed{seed}-case{number}")
    if not os.path.exists(target):
        shutil.copytree(case.dir, target, ignore=shutil.ignore_patterns("out", "out-rejects.csv"))
    args = [a.replace(case.dir, ".") for a in failure[3]]
    with open(os.path.join(target, "repro.sh"), "a") as f:
        f.write(f"# {failure[0]}: {failure[2]}\n{shlex.quote(os.path.abspath(binary))} {shlex.join(args)}\n")
    return target


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary", help="the cobro binary (debug or release)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the mutations (default 1)")
    parser.add_argument("--budget", type=float, default=60, help="seconds to run (default 60)")
    parser.add_argument("--case", type=int, help="run only this case number (a replay)")
    parser.add_argument("--out", default="fuzz-out", help="where failing cases are kept (default fuzz-out)")
    opts = parser.parse_args()
    original = os.path.abspath(opts.binary)
    deadline = time.time() + opts.budget
    seen = {}
    cases = 0
    with tempfile.TemporaryDirectory(prefix="cobro-fuzz-") as workdir:
        # A copy, so a rebuild during the run does not pull the binary away.
        binary = shutil.copy(original, os.path.join(workdir, "cobro"))
        pristine = prepare(binary, workdir)
        numbers = [opts.case] if opts.case is not None else range(10**9)
        for number in numbers:
            if opts.case is None and time.time() >= deadline:
                break
            case = Case(opts.seed, number, pristine, workdir)
            for failure in check_case(binary, case):
                sig = signature(failure)
                if sig not in seen:
                    seen[sig] = keep(opts.out, case, opts.seed, number, failure, original)
                    print(f"FAIL {failure[0]} [{failure[1]}] seed {opts.seed} case {number}"
                          f" (mutated {', '.join(case.mutated)}): {failure[2]}\n  kept in {seen[sig]}",
                          flush=True)
            shutil.rmtree(case.dir, ignore_errors=True)
            cases += 1
    print(f"{cases} cases, seed {opts.seed}: {len(seen)} distinct failure(s)")
    return 1 if seen else 0


if __name__ == "__main__":
    sys.exit(main())
