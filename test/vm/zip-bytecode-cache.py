"""Bench only (test/vm/build-image.sh installs it with a .pth line): a bytecode cache for Python
modules imported from zip files.

Ansible runs every task's module as an AnsiballZ payload: a zip of the module and its
module_utils, written to a new temporary directory and imported from there. Python compiles a
module imported from a zip on every import (zipimport writes no .pyc), and under the bench's
software emulation that compilation is most of a task's cost in the guest (about 0.8 s of a
module's 1.5 s start). This keeps the compiled code of each zip member, keyed by its source
bytes and member path, in a root-only directory, and gives each cached code object the file name
of the import at hand (tracebacks name the real payload). The code that runs is what Python
would have compiled from the same source: only the compilation is saved.
"""

import os
import sys
import zipimport

_CACHE = '/var/cache/lolice-bench-zip-bytecode'
_compile = zipimport._compile_source  # pylint: disable=protected-access


def _renamed(code, filename):
    consts = tuple(_renamed(c, filename) if hasattr(c, 'co_code') else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def _compile_cached(pathname, source):
    import hashlib  # pylint: disable=import-outside-toplevel # not on every interpreter's start
    import marshal  # pylint: disable=import-outside-toplevel

    member = pathname.rpartition('.zip' + os.sep)[2]
    key = hashlib.sha256(b'\0'.join([sys.version.encode(), member.encode(), source])).hexdigest()
    path = os.path.join(_CACHE, key)
    try:
        with open(path, 'rb') as f:
            return _renamed(marshal.load(f), pathname)
    except (OSError, EOFError, ValueError, TypeError):
        pass
    code = _compile(pathname, source)
    try:
        os.makedirs(_CACHE, mode=0o700, exist_ok=True)
        tmp = '%s.%d' % (path, os.getpid())
        with open(tmp, 'wb') as f:
            marshal.dump(code, f)
        os.replace(tmp, path)
    except OSError:
        pass
    return code


if os.geteuid() == 0:
    zipimport._compile_source = _compile_cached  # pylint: disable=protected-access
