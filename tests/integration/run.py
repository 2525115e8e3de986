#!/usr/bin/env python3
"""Runs the QEMU integration tests: every test_* function of every
tests/integration/test_*.py module. Each test boots RustOS on its own.

  run.py [-k SUBSTRING] [-j JOBS] [--list]
"""
import argparse
import concurrent.futures
import importlib.util
import inspect
import pathlib
import sys
import time
import traceback

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import harness  # noqa: E402


def discover():
    tests = []
    for path in sorted(HERE.glob("test_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for name, fn in inspect.getmembers(mod, inspect.isfunction):
            if name.startswith("test_") and fn.__module__ == mod.__name__:
                tests.append(("%s.%s" % (path.stem, name), fn))
    return tests


def run_one(name, fn):
    start = time.monotonic()
    machines = []

    def boot(**kw):
        m = harness.Machine(**kw)
        machines.append(m)
        return m

    try:
        fn(boot)
        return name, True, time.monotonic() - start, ""
    except Exception as e:  # noqa: BLE001 - report every failure the same way
        detail = "%s: %s" % (type(e).__name__, e)
        if not isinstance(e, harness.TestFailure):
            detail += "\n" + traceback.format_exc()
        for m in machines:
            m.kill()
            detail += "\n--- QEMU: %s\n--- serial log tail:\n%s" % (" ".join(m.command), m.tail())
        return name, False, time.monotonic() - start, detail
    finally:
        for m in machines:
            m.kill()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-k", dest="filter", default="", help="run tests whose name contains this")
    ap.add_argument("-j", dest="jobs", type=int, default=2, help="QEMU instances at once")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    tests = [(n, f) for n, f in discover() if a.filter in n]
    if a.list:
        for n, _ in tests:
            print(n)
        return 0
    if not tests:
        print("integration: no test matches %r" % a.filter)
        return 1
    failed = []
    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        futures = [pool.submit(run_one, n, f) for n, f in tests]
        for fut in concurrent.futures.as_completed(futures):
            name, ok, secs, detail = fut.result()
            print("%s %-55s %6.1fs" % ("PASS" if ok else "FAIL", name, secs), flush=True)
            if not ok:
                failed.append(name)
                print("    " + detail.replace("\n", "\n    "), flush=True)
    total = time.monotonic() - start
    print("integration: %d passed, %d failed (%.0fs)" % (len(tests) - len(failed), len(failed), total))
    for n in failed:
        print("  failed: " + n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
