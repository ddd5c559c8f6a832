#!/usr/bin/env python3
"""Converts OpenWebText's openwebtext.tar.xz into shard_corpus input (run by get_openwebtext.sh).

The archive holds openwebtext/urlsf_subsetNN-M_data.xz, each an xz-compressed tar of .txt documents.
The outer archive is read as a stream, never unpacked: each inner archive is copied to
OUTPUT_DIR/.spool and converted by one of --threads worker processes into OUTPUT_DIR/<name>.txt, every
line of a document stripped and kept if not empty (ELECTRA's build_pretraining_dataset.py reads lines
the same way), then a blank line. At most 2 x threads inner archives wait on disk and each worker holds
one document in memory. Outputs are written as .part, fsynced and renamed, so a final name is always
complete; a rerun keeps them and converts the rest. With --max_docs=N the output is the first N
documents in archive order, whatever --threads. OUTPUT_DIR/DONE is written last.
"""

import argparse
import concurrent.futures as cf
import json
import lzma
import multiprocessing
import os
import re
import shutil
import sys
import tarfile
import time

PROG = "get_openwebtext"
VERSION = 1  # of the conversion rule; recorded in .settings and DONE
NAME = re.compile(r"^[A-Za-z0-9._-]+$")


class Failure(Exception):
    """A user-facing error; the message names the file."""


def human(n):
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{n} B"
        n /= 1024


def remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def write_atomic(path, data):
    part = path + ".part"
    try:
        with open(part, "w", encoding="utf-8") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(part, path)
    except BaseException:
        remove(part)  # a full disk must not leave a half-written file behind
        raise


def convert_document(data):
    """Returns (text, valid_utf8): the document's non-blank lines, stripped, then a blank line."""
    try:
        text, valid = data.decode("utf-8"), True
    except UnicodeDecodeError:
        text, valid = data.decode("utf-8", errors="replace"), False
    lines = [s for s in (line.strip() for line in text.split("\n")) if s]
    return ("\n".join(lines) + "\n\n" if lines else ""), valid


def convert_archive(spool, out_path, count_path, label):
    """One inner archive -> out_path. Returns (documents, invalid-UTF-8 documents, skipped members)."""
    part = out_path + ".part"
    docs = bad = skipped = 0
    try:
        with lzma.open(spool) as xz, tarfile.open(fileobj=xz, mode="r|") as tar, open(part, "wb") as out:
            for member in tar:
                if not member.isfile():
                    continue
                if not member.name.endswith(".txt"):
                    skipped += 1
                    continue
                text, valid = convert_document(tar.extractfile(member).read())
                bad += not valid
                if text:
                    out.write(text.encode("utf-8"))
                    docs += 1
            drain(xz)
            out.flush()
            os.fsync(out.fileno())
        write_atomic(count_path, f"{docs}\n")
        os.replace(part, out_path)
    except (tarfile.TarError, lzma.LZMAError, EOFError) as e:
        remove(part)
        raise Failure(f"{label}: corrupt or truncated archive ({e})") from None
    except OSError as e:
        remove(part)
        raise Failure(f"writing {e.filename or part} failed: {e.strerror}") from None
    finally:
        remove(spool)
    return docs, bad, skipped


def drain(xz):
    """Reads an xz stream to its end: a truncated one raises EOFError even after a complete tar."""
    while xz.read(1 << 20):
        pass


def keep_first_documents(path, count_path, n):
    """Rewrites path with its first n documents (each ends with a blank line)."""
    part = path + ".part"
    with open(path, "rb") as src, open(part, "wb") as out:
        for line in src:
            out.write(line)
            if line == b"\n":
                n -= 1
                if n == 0:
                    break
        out.flush()
        os.fsync(out.fileno())
    with open(part, "rb") as f:
        docs = sum(1 for line in f if line == b"\n")
    write_atomic(count_path, f"{docs}\n")
    os.replace(part, path)


class CountingReader:
    """Counts the compressed bytes read, for the progress bar."""

    def __init__(self, f):
        self.f, self.n = f, 0

    def read(self, size=-1):
        data = self.f.read(size)
        self.n += len(data)
        return data


class Progress:
    def __init__(self, total, max_docs):
        self.total, self.max_docs = max(total, 1), max_docs
        self.tty = sys.stderr.isatty()
        self.start = self.last = time.monotonic()

    def show(self, read, docs, archives, final=False):
        now = time.monotonic()
        if not final and now - self.last < (0.5 if self.tty else 30):
            return
        self.last = now
        frac = min(1.0, docs / self.max_docs if self.max_docs else read / self.total)
        if final:
            frac = 1.0
        width = 30
        bar = "#" * int(width * frac) + "." * (width - int(width * frac))
        elapsed = max(now - self.start, 1e-6)
        eta = (elapsed / frac - elapsed) if frac > 0 else 0
        msg = (f"{PROG}: [{bar}] {100 * frac:5.1f}%  {human(read)} of {human(self.total)} read, "
               f"{archives} archives, {docs} documents, {human(read / elapsed)}/s, "
               f"{'done' if final else 'ETA %dm%02ds' % divmod(int(eta), 60)}")
        if self.tty:
            sys.stderr.write("\r" + msg + "\x1b[K" + ("\n" if final else ""))
        else:
            sys.stderr.write(msg + "\n")
        sys.stderr.flush()


def check_settings(out, settings):
    path = os.path.join(out, ".settings")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            old = json.load(f)
        if old != settings:
            raise Failure(f"{out} holds a conversion made with other settings ({path}: {old}); "
                          "remove it or choose another --output_dir")
    else:
        write_atomic(path, json.dumps(settings) + "\n")


def run(args):
    out = os.path.abspath(args.output_dir)
    counts = os.path.join(out, ".counts")
    spool = os.path.join(out, ".spool")
    os.makedirs(counts, exist_ok=True)
    shutil.rmtree(spool, ignore_errors=True)  # left by a killed run
    os.makedirs(spool)
    for d in (out, counts):
        for name in os.listdir(d):
            if name.endswith(".part"):
                remove(os.path.join(d, name))
    check_settings(out, {"sha256": args.sha256, "max_docs": args.max_docs, "version": VERSION})

    label = os.path.basename(args.archive)
    progress = Progress(os.path.getsize(args.archive), args.max_docs)
    names, results, errors, pending = [], {}, {}, {}
    bad_by, skipped_by = {}, {}  # per archive converted by this run
    state = {"next": 0, "prefix": 0, "reached": None}

    def account():
        """Advances over the archives converted in order; notes where the sample is complete."""
        while state["reached"] is None:
            i = state["next"]
            if i in errors:
                raise errors[i]
            if i not in results:
                return
            state["prefix"] += results[i]
            if args.max_docs and state["prefix"] >= args.max_docs:
                state["reached"] = i
            state["next"] += 1

    def collect(timeout):
        done, _ = cf.wait(pending, timeout=timeout, return_when=cf.FIRST_COMPLETED)
        for fut in done:
            i = pending.pop(fut)
            if fut.cancelled():
                continue
            try:
                docs, bad, skipped = fut.result()
            except cf.process.BrokenProcessPool:
                raise Failure(f"a conversion worker died while converting {names[i]}") from None
            except Failure as e:
                if not args.max_docs:
                    raise
                errors[i] = e  # raised only if the sample needs this archive
                continue
            results[i] = docs
            bad_by[i], skipped_by[i] = bad, skipped
        account()

    raw = open(args.archive, "rb")
    reader = CountingReader(raw)
    pool = cf.ProcessPoolExecutor(args.threads, mp_context=multiprocessing.get_context("fork"))
    try:
        try:
            xz = lzma.open(reader)
            outer = tarfile.open(fileobj=xz, mode="r|")
            for member in outer:
                if not member.isfile() or not member.name.endswith(".xz"):
                    continue
                base = os.path.basename(member.name)
                name = base[: -len(".xz")]
                if not NAME.match(name):
                    raise Failure(f"{label}: unexpected member name {member.name!r}")
                if name in names:
                    raise Failure(f"{label}: {member.name} appears twice")
                i = len(names)
                names.append(name)
                out_path = os.path.join(out, name + ".txt")
                count_path = os.path.join(counts, name)
                if os.path.exists(out_path) and os.path.exists(count_path):
                    with open(count_path, encoding="utf-8") as f:
                        results[i] = int(f.read())  # converted by an earlier run
                else:
                    while len(pending) >= 2 * args.threads:
                        collect(timeout=1)
                        progress.show(reader.n, sum(results.values()), len(results))
                    spooled = os.path.join(spool, base)
                    src = outer.extractfile(member)
                    try:
                        with open(spooled + ".part", "wb") as dst:
                            shutil.copyfileobj(src, dst, 1 << 20)
                    except OSError as e:
                        raise Failure(f"writing {spooled}.part failed: {e.strerror}") from None
                    os.replace(spooled + ".part", spooled)
                    fut = pool.submit(convert_archive, spooled, out_path, count_path, f"{label}: {member.name}")
                    pending[fut] = i
                collect(timeout=0)
                progress.show(reader.n, sum(results.values()), len(results))
                if state["reached"] is not None:
                    for fut, j in pending.items():
                        if j > state["reached"]:
                            fut.cancel()
                    break
            else:
                drain(xz)
            if not names:
                raise Failure(f"{label} holds no openwebtext/*.xz archives (not the OpenWebText layout)")
        except (tarfile.TarError, lzma.LZMAError, EOFError) as e:
            raise Failure(f"{args.archive}: corrupt or truncated archive ({e})") from None
        while pending:
            collect(timeout=1)
            progress.show(reader.n, sum(results.values()), len(results))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        raw.close()
        shutil.rmtree(spool, ignore_errors=True)

    used = len(names)
    if state["reached"] is not None:
        k = state["reached"]
        used = k + 1
        before = state["prefix"] - results[k]
        keep_first_documents(os.path.join(out, names[k] + ".txt"), os.path.join(counts, names[k]),
                             args.max_docs - before)
        documents = args.max_docs
    else:
        documents = sum(results.values())
        if args.max_docs:
            print(f"{PROG}: the archive holds only {documents} documents (--max_docs={args.max_docs})",
                  file=sys.stderr)
    # Outputs past the sample (an interrupted earlier run may have converted them).
    kept = set(names[:used])
    for name in os.listdir(counts):
        if name not in kept and not name.endswith(".part"):
            remove(os.path.join(out, name + ".txt"))
            remove(os.path.join(counts, name))
    progress.show(reader.n, documents, used, final=True)
    text_bytes = sum(os.path.getsize(os.path.join(out, n + ".txt")) for n in names[:used])
    done = {"archive": label, "sha256": args.sha256, "max_docs": args.max_docs, "documents": documents,
            "archives": used, "bytes": text_bytes, "version": VERSION}
    write_atomic(os.path.join(out, "DONE"), json.dumps(done) + "\n")
    bad = sum(v for i, v in bad_by.items() if i < used)
    skipped = sum(v for i, v in skipped_by.items() if i < used)
    note = f"; {bad} documents had invalid UTF-8 (replaced by U+FFFD)" if bad else ""
    note += f"; {skipped} members were not .txt files (skipped)" if skipped else ""
    print(f"{PROG}: {documents} documents from {used} archives, {human(text_bytes)} of text in {out}{note}",
          file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--archive", required=True)
    p.add_argument("--output_dir", required=True)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--max_docs", type=int, default=0)
    p.add_argument("--sha256", default="")
    args = p.parse_args()
    if args.threads < 1 or args.max_docs < 0:
        sys.exit(f"{PROG}: error: --threads must be >= 1 and --max_docs >= 0")
    try:
        run(args)
    except Failure as e:
        sys.exit(f"{PROG}: error: {e}")
    except OSError as e:
        sys.exit(f"{PROG}: error: {e.filename or args.output_dir}: {e.strerror}")
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
