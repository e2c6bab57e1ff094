"""The machine and the versions a benchmark ran on, for its report."""

import os
import platform
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PYTHON_PACKAGES = ("footprints-graph", "pyoxigraph", "rdflib", "pyshacl", "Flask", "gunicorn")
DEBIAN_PACKAGES = ("virtuoso-opensource", "wrk")


def machine() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    memory = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal:"))
    return {"CPUs (nproc)": str(os.cpu_count()), "CPU": cpu, "RAM": f"{memory / (1 << 20):.1f} GiB",
            "system": f"{platform.system()} {platform.release()}"}


def versions(work: Path) -> dict[str, str]:
    found = {"Python": sys.version.split()[0]}
    for package in PYTHON_PACKAGES:
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    found["oxigraph (server)"] = _output(["oxigraph", "--version"]).removeprefix("oxigraph ")
    for package in DEBIAN_PACKAGES:
        found[f"{package} (Debian)"] = _output(["dpkg-query", "-W", "-f", "${Version}", package])
    found["rdflib-endpoint"] = _output([str(work / "rdflib-endpoint-venv" / "bin" / "python"), "-c",
                                        "from importlib.metadata import version as v; "
                                        "print(v('rdflib-endpoint'), f'(rdflib {v(\"rdflib\")})')"])
    return found


def _output(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=60).stdout.strip() or "unknown"
    except OSError:
        return "not installed"
