"""A Spark standalone cluster on 127.0.0.1 for tests: one master and two
workers, started with the pyspark package's own ``bin/spark-class``, on free
ports, with their logs and work directories under a temporary directory, and
stopped (process group and all: workers take their executors and Python
workers with them) however the test ends.

    with StandaloneCluster(workers=2) as cluster:
        spark = SparkSession.builder.master(cluster.url)...

Every process is started in a session of its own, so stopping kills its whole
group: executors that a worker launched, and their Python workers, go too.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pyspark


def spark_home():
    """The directory of the pyspark package: it holds Spark's ``bin/`` and ``jars/``."""
    return os.path.dirname(os.path.abspath(pyspark.__file__))


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ClusterError(RuntimeError):
    """The cluster did not come up; the message ends with the tail of the log."""


class StandaloneCluster:
    """One master and ``workers`` workers of ``cores`` cores and ``memory`` each."""

    def __init__(self, workers=2, cores=1, memory="1g", timeout=90.0):
        self.workers = workers
        self.cores = cores
        self.memory = memory
        self.timeout = timeout
        self.dir = None
        self.url = None
        self.procs = []  # (name, Popen, log path)

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="neardup-spark-cluster-")
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def _env(self):
        env = dict(os.environ)
        env.update(
            SPARK_HOME=spark_home(),
            SPARK_LOCAL_IP="127.0.0.1",
            SPARK_LOG_DIR=os.path.join(self.dir, "logs"),
            PYSPARK_PYTHON=sys.executable,
        )
        env.pop("SPARK_MASTER_HOST", None)
        return env

    def _spawn(self, name, args):
        log = os.path.join(self.dir, f"{name}.log")
        out = open(log, "wb")
        cmd = [os.path.join(spark_home(), "bin", "spark-class")] + args
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=self._env(), start_new_session=True
        )
        out.close()
        self.procs.append((name, proc, log))
        return proc, log

    def _wait_for(self, name, proc, log, pattern):
        deadline = time.monotonic() + self.timeout
        rx = re.compile(pattern)
        while time.monotonic() < deadline:
            text = _read(log)
            m = rx.search(text)
            if m:
                return m
            if proc.poll() is not None:
                raise ClusterError(f"{name} exited with status {proc.returncode}:\n{_tail(text)}")
            time.sleep(0.2)
        raise ClusterError(f"{name} not ready after {self.timeout:.0f} s:\n{_tail(_read(log))}")

    def _start(self):
        os.makedirs(os.path.join(self.dir, "logs"))
        port, ui = free_port(), free_port()
        proc, log = self._spawn(
            "master",
            [
                "org.apache.spark.deploy.master.Master",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--webui-port",
                str(ui),
            ],
        )
        m = self._wait_for("master", proc, log, r"Starting Spark master at (spark://\S+)")
        self.url = m.group(1)
        self._wait_for("master", proc, log, r"I have been elected leader|New state: ALIVE")
        for i in range(self.workers):
            work = os.path.join(self.dir, f"work-{i}")
            os.makedirs(work)
            proc, log = self._spawn(
                f"worker-{i}",
                [
                    "org.apache.spark.deploy.worker.Worker",
                    "--host", "127.0.0.1",
                    "--port", str(free_port()),
                    "--webui-port", str(free_port()),
                    "--cores", str(self.cores),
                    "--memory", self.memory,
                    "--work-dir", work,
                    self.url,
                ],
            )  # fmt: skip
        for name, proc, log in self.procs[1:]:
            self._wait_for(name, proc, log, r"Successfully registered with master")

    def logs(self):
        """Every process's log, for a failure message."""
        return "\n".join(f"--- {name} ---\n{_tail(_read(log))}" for name, _, log in self.procs)

    def stop(self):
        """Stops the workers (and their executors), then the master; removes the directory."""
        for _, proc, _ in reversed(self.procs):
            _kill_group(proc)
        self.procs = []
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


def _kill_group(proc, grace=10.0):
    if proc.poll() is not None:
        _kill(proc.pid, signal.SIGKILL)  # whatever it left in its group
        return
    _kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        pass
    _kill(proc.pid, signal.SIGKILL)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        pass


def _kill(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _tail(text, lines=40):
    return "\n".join(text.splitlines()[-lines:])
